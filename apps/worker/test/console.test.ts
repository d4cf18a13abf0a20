import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "@memcons/models/testing";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "./helpers/api-client.js";
import { chromiumInstalled, launchChromium } from "./helpers/browser.js";
import { freePort, killAll, type Spawned, spawnCli, waitForHttp } from "./helpers/processes.js";

const ADMIN_URL = process.env.DATABASE_URL;
const TOKEN = "console-e2e-admin-token-0123456789";
const SCREENSHOTS = fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url));
/** The screenshots in docs/ are rewritten only on request, so a test run leaves the tree clean. */
const UPDATE_SCREENSHOTS = process.env.MEMCONS_UPDATE_SCREENSHOTS === "1";

type Counts = { active: number; archived: number; duplicate: number; total: number };

/**
 * The admin console in real headless Chromium against `memcons start` (API and worker in one process)
 * on PostgreSQL: sign-in, the demo project, a live job, its clusters, rollback.
 */
describe.runIf(ADMIN_URL && chromiumInstalled())("admin console in Chromium", () => {
  let db: TestDatabase;
  let server: Spawned;
  let base: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  let client: ReturnType<typeof apiClient>;
  let projectId: string;
  let countsBefore: Counts;
  let jobId: string;
  const pageErrors: string[] = [];

  async function shot(name: string): Promise<void> {
    const image = await page.screenshot(UPDATE_SCREENSHOTS ? { path: `${SCREENSHOTS}${name}.png`, fullPage: false } : { fullPage: false });
    expect(image.length).toBeGreaterThan(1_000);
  }

  /** Form controls and buttons on the page without an accessible name (a label, aria-label or text). */
  async function unlabelled(): Promise<string[]> {
    // A string expression: this package's tests compile without the DOM's types.
    return page.evaluate<string[]>(`[...document.querySelectorAll("input, select, textarea, button")]
      .filter((el) => {
        const labelled = (el.labels?.length ?? 0) > 0 || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
        return !labelled && !(el.tagName === "BUTTON" && el.textContent.trim());
      })
      .map((el) => el.outerHTML.slice(0, 120))`);
  }

  /** The text of every status notice on the page (results of actions, live states). */
  async function statusText(): Promise<string> {
    return (await page.getByRole("status").allTextContents()).join(" ");
  }

  /** True when the page is no wider than the window (nothing to scroll sideways). */
  async function fitsWidth(): Promise<boolean> {
    return page.evaluate<boolean>("document.documentElement.scrollWidth <= window.innerWidth");
  }

  async function counts(): Promise<Counts> {
    const response = await client.get<{ memory_counts: Counts }>(`/api/v1/projects/${projectId}`);
    return response.body.memory_counts;
  }

  async function rowCounts(): Promise<Counts> {
    const row = page.locator("tr[data-project='demo-agent']");
    const read = async (k: string) => Number(await row.locator(`[data-count=${k}]`).textContent());
    return { active: await read("active"), archived: await read("archived"), duplicate: await read("duplicate"), total: await read("total") };
  }

  beforeAll(async () => {
    if (UPDATE_SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
    db = await createTestDatabase({ driver: "postgres", adminUrl: ADMIN_URL! });
    const apiPort = await freePort();
    server = spawnCli("start", ["start"], {
      DATABASE_URL: db.url,
      HOST: "127.0.0.1",
      API_PORT: String(apiPort),
      PORT: String(await freePort()),
      API_ADMIN_TOKENS: TOKEN,
      CONSOLIDATION_CATCH_UP_MS: "0",
      LOG_LEVEL: "warn",
    });
    base = `http://127.0.0.1:${apiPort}`;
    await waitForHttp(`${base}/readyz`, server, 60_000);
    client = apiClient(base, TOKEN);
    const projects = await client.get<{ projects: Array<{ id: string; name: string }> }>("/api/v1/projects");
    const demo = projects.body.projects.find((p) => p.name === "demo-agent");
    expect(demo, JSON.stringify(projects.body)).toBeDefined();
    projectId = demo!.id;
    browser = await launchChromium();
    context = browser.context;
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await killAll();
    await db?.close();
  });

  it("refuses a wrong token with a clear message, then signs in and shows the demo project", { timeout: 60_000 }, async () => {
    await page.goto(`${base}/ui/`);
    await page.getByLabel("Admin token").fill("not-the-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("That token was refused");
    await shot("sign-in");
    expect(await page.evaluate<number>("sessionStorage.length")).toBe(0);

    // By keyboard: type into the labelled field and submit with Enter.
    await page.getByLabel("Admin token").fill(TOKEN);
    await page.getByLabel("Admin token").press("Enter");
    await page.locator("tr[data-project='demo-agent']").waitFor();
    countsBefore = await counts();
    expect(countsBefore.total).toBe(300);
    expect(await rowCounts()).toEqual(countsBefore);
    expect(page.url()).not.toContain(TOKEN);
    expect(await page.evaluate<string[]>("Object.values(sessionStorage)")).toEqual([TOKEN]);
    expect(await unlabelled()).toEqual([]);
    // The first Tab reaches the skip link, which moves focus to the page's content.
    await page.keyboard.press("Tab");
    expect(await page.evaluate<string>("document.activeElement.textContent")).toBe("Skip to content");
    await page.keyboard.press("Enter");
    expect(await page.evaluate<string>("document.activeElement.id")).toBe("main");
    await shot("projects");
  });

  it("triggers a job and shows it reach completed live, without reloading", { timeout: 120_000 }, async () => {
    await page.getByRole("link", { name: "demo-agent" }).click();
    await page.getByRole("heading", { name: "demo-agent" }).waitFor();
    await expect.poll(() => page.locator("h2 .stream").textContent(), { timeout: 15_000 }).toBe("live");
    let navigations = 0;
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });
    await page.getByRole("button", { name: "Trigger job" }).click();
    const row = page.locator("table.jobs tbody tr").first();
    await row.waitFor();
    jobId = String(await row.getAttribute("data-job"));
    await expect.poll(() => row.getAttribute("data-status"), { timeout: 90_000 }).toBe("completed");
    expect(await row.getByRole("progressbar").getAttribute("value")).toBe("1");
    expect(navigations).toBe(0);
    // The charts read the history again when the job ends.
    await page.locator(".chart canvas").first().waitFor();
    expect(await unlabelled()).toEqual([]);
    await shot("project");
  });

  it("opens the job and finds a merged cluster's before and after side by side", { timeout: 60_000 }, async () => {
    await page.locator(`tr[data-job='${jobId}'] th a`).click();
    await page.getByRole("heading", { name: /^Merged clusters \(\d+\)$/ }).waitFor();
    const merged = Number(await page.locator("[data-counter=merged]").textContent());
    expect(merged).toBeGreaterThan(0);
    const cluster = page.locator("article.cluster[data-kind=merge]").first();
    const before = await cluster.locator(".before li .memory-text").allTextContents();
    const after = await cluster.locator(".after .memory-text").textContent();
    expect(before.length).toBeGreaterThanOrEqual(2);
    // A merge keeps every distinct sentence of its sources: the first sentence of each source is in the merged text.
    for (const text of before) expect(after).toContain(text.split(". ")[0]);
    expect(await unlabelled()).toEqual([]);
    expect(await fitsWidth()).toBe(true);
    await shot("job");
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await fitsWidth()).toBe(true);
    await shot("job-phone");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("rolls the job back after a confirmation that says what will be restored, and the counts are restored", { timeout: 60_000 }, async () => {
    expect(await counts()).not.toEqual(countsBefore);
    await page.getByRole("button", { name: "Roll back this job…" }).click();
    const confirm = page.getByRole("alertdialog");
    const merged = Number(await page.locator("[data-counter=merged]").textContent());
    expect(await confirm.textContent()).toContain(`This restores ${merged} merged memories`);
    await shot("rollback");
    await confirm.getByRole("button", { name: "Confirm rollback" }).click();
    await expect.poll(statusText).toContain("Rolled back:");
    // The outcome stays on the page once it has read the job again as rolled back.
    await page.locator("h1 .badge", { hasText: "rolled back" }).waitFor();
    expect(await statusText()).toMatch(/Rolled back: \d+ memories restored, \d+ deleted/);
    expect(await counts()).toEqual(countsBefore);
    await page.getByRole("link", { name: "Projects" }).click();
    await page.locator("tr[data-project='demo-agent']").waitFor();
    expect(await rowCounts()).toEqual(countsBefore);
    expect(pageErrors).toEqual([]);
  });
  it("searches the project's memories by similarity and opens a memory's audit trail", { timeout: 60_000 }, async () => {
    await page.goto(`${base}/ui/#/projects/${projectId}/memories`);
    await page.getByLabel("Similarity search").fill("metrics exporter stored timestamps without a time zone");
    await page.getByLabel("Similarity search").press("Enter");
    const first = page.locator("ul.memories > li").first();
    await expect.poll(() => first.textContent()).toMatch(/similarity \d\.\d{3}/);
    const texts = await page.locator("ul.memories .memory-text").allTextContents();
    expect(texts.slice(0, 5).some((text) => text.includes("time zone"))).toBe(true);
    const trail = first.getByRole("button", { name: "Audit trail" });
    await trail.click();
    expect(await first.getByRole("button", { name: "Hide audit trail" }).getAttribute("aria-expanded")).toBe("true");
    expect(await unlabelled()).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  async function triggerFromProjectPage(setUp: () => Promise<void>): Promise<string> {
    await page.goto(`${base}/ui/#/projects/${projectId}`);
    await page.getByRole("heading", { name: "demo-agent" }).waitFor();
    await setUp();
    await page.getByRole("button", { name: "Trigger job" }).click();
    await expect.poll(statusText).toMatch(/Job \w+ queued/);
    const latest = await client.get<{ jobs: Array<{ id: string; status: string }> }>(`/api/v1/consolidation/history/${projectId}?limit=1`);
    const id = latest.body.jobs[0]!.id;
    await expect
      .poll(async () => (await client.get<{ status: string }>(`/api/v1/consolidation/status/${id}`)).body.status, { timeout: 90_000 })
      .toBe("completed");
    return id;
  }

  /** Follows the notice's "Open the job" link and waits, without reloading, for the job page to show it completed. */
  async function openQueuedJob(): Promise<string> {
    await page.getByRole("link", { name: "Open the job" }).click();
    const id = page.url().split("/").pop()!;
    try {
      await expect.poll(() => page.locator("h1 .badge").textContent(), { timeout: 90_000 }).toBe("completed");
    } catch (error) {
      const api = await client.get<{ status: string }>(`/api/v1/consolidation/status/${id}`);
      throw new Error(`job ${id} is ${api.body.status} in the API but not shown completed: ${String(error)}`);
    }
    return id;
  }

  it("approves a proposal from the review queue, reading its memories first, and the job that merges it completes", { timeout: 180_000 }, async () => {
    await triggerFromProjectPage(() => page.getByLabel("Review threshold").fill("0.7"));
    // A proposal whose members are unchanged since (the same job may have archived a member of another one).
    const pending = await client.get<{ proposals: Array<{ id: string; member_ids: string[] }> }>(`/api/v1/projects/${projectId}/proposals?status=pending`);
    let proposalId: string | undefined;
    for (const p of pending.body.proposals) {
      const now = await client.get<{ changed_ids: string[]; missing_ids: string[] }>(`/api/v1/consolidation/proposals/${p.id}/members`);
      if (now.body.changed_ids.length === 0 && now.body.missing_ids.length === 0) proposalId ??= p.id;
    }
    expect(proposalId, JSON.stringify(pending.body)).toBeDefined();
    await page.goto(`${base}/ui/#/review/${projectId}`);
    const proposal = page.locator(`li[data-proposal='${proposalId}'][data-status=pending]`);
    await proposal.waitFor();
    expect(await proposal.textContent()).toMatch(/weakest similarity 0\.\d{3}/);
    const stored = await client.get<{ member_ids: string[] }>(`/api/v1/consolidation/proposals/${proposalId}`);
    const members = proposal.locator("li[data-member]");
    await expect.poll(() => members.count()).toBe(stored.body.member_ids.length);
    for (const text of await members.locator(".memory-text").allTextContents()) expect(text.length).toBeGreaterThan(10);
    expect(await unlabelled()).toEqual([]);
    await shot("review");
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await fitsWidth()).toBe(true);
    await shot("review-phone");
    await page.setViewportSize({ width: 1280, height: 900 });
    // By keyboard: focus the proposal's Approve button and press Enter.
    await proposal.getByRole("button", { name: "Approve" }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(statusText).toContain("Approved: job");
    const decided = await client.get<{ status: string; applied_job_id: string | null }>(`/api/v1/consolidation/proposals/${proposalId}`);
    expect(decided.body.status).toBe("approved");
    expect(await openQueuedJob()).toBe(decided.body.applied_job_id);
    expect(Number(await page.locator("[data-counter=merged]").textContent())).toBe(stored.body.member_ids.length);
  });

  it("shows a dry run's plan and applies it; the job carrying it out completes", { timeout: 180_000 }, async () => {
    const dryRun = await triggerFromProjectPage(() => page.getByLabel("Dry run (plan only, change nothing)").check());
    await page.goto(`${base}/ui/#/review/${projectId}`);
    await page.getByRole("link", { name: `Plan of job ${dryRun.slice(0, 8)}` }).click();
    const apply = page.getByRole("button", { name: "Apply plan" });
    await apply.waitFor();
    const planned = Number(await page.locator("[data-summary=memories_to_merge]").textContent());
    expect(planned).toBeGreaterThan(0);
    expect(await unlabelled()).toEqual([]);
    await shot("plan");
    await apply.click();
    await expect.poll(statusText).toContain("Applied: job");
    await expect.poll(() => page.locator("h1 .badge").textContent()).toBe("applied");
    const plan = await client.get<{ plan: { status: string; applied_job_id: string | null } }>(`/api/v1/consolidation/plans/${dryRun}`);
    expect(plan.body.plan.status).toBe("applied");
    expect(await openQueuedJob()).toBe(plan.body.plan.applied_job_id);
    expect(Number(await page.locator("[data-counter=merged]").textContent())).toBe(planned);
    expect(pageErrors).toEqual([]);
  });
});
