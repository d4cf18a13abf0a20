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
    await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: false });
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
    mkdirSync(SCREENSHOTS, { recursive: true });
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

    await page.getByLabel("Admin token").fill(TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("tr[data-project='demo-agent']").waitFor();
    countsBefore = await counts();
    expect(countsBefore.total).toBe(300);
    expect(await rowCounts()).toEqual(countsBefore);
    expect(page.url()).not.toContain(TOKEN);
    expect(await page.evaluate<string[]>("Object.values(sessionStorage)")).toEqual([TOKEN]);
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
    await shot("job");
    await page.setViewportSize({ width: 390, height: 844 });
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
    await expect.poll(() => page.getByRole("status").first().textContent()).toContain("Rolled back:");
    expect(await counts()).toEqual(countsBefore);
    await page.getByRole("link", { name: "Projects" }).click();
    await page.locator("tr[data-project='demo-agent']").waitFor();
    expect(await rowCounts()).toEqual(countsBefore);
    expect(pageErrors).toEqual([]);
  });
  async function triggerFromProjectPage(setUp: () => Promise<void>): Promise<string> {
    await page.goto(`${base}/ui/#/projects/${projectId}`);
    await page.getByRole("heading", { name: "demo-agent" }).waitFor();
    await setUp();
    await page.getByRole("button", { name: "Trigger job" }).click();
    await expect.poll(() => page.getByRole("status").first().textContent()).toMatch(/Job \w+ queued/);
    const latest = await client.get<{ jobs: Array<{ id: string; status: string }> }>(`/api/v1/consolidation/history/${projectId}?limit=1`);
    const id = latest.body.jobs[0]!.id;
    await expect
      .poll(async () => (await client.get<{ status: string }>(`/api/v1/consolidation/status/${id}`)).body.status, { timeout: 90_000 })
      .toBe("completed");
    return id;
  }

  it("approves a proposal from the review queue, and the job that merges it completes", { timeout: 180_000 }, async () => {
    await triggerFromProjectPage(() => page.getByLabel("Review threshold").fill("0.7"));
    await page.goto(`${base}/ui/#/review/${projectId}`);
    const proposal = page.locator("li[data-proposal][data-status=pending]").first();
    await proposal.waitFor();
    expect(await proposal.textContent()).toMatch(/weakest similarity 0\.\d{3}/);
    await shot("review");
    const proposalId = String(await proposal.getAttribute("data-proposal"));
    await proposal.getByRole("button", { name: "Approve" }).click();
    await expect.poll(() => page.getByRole("status").first().textContent()).toContain("Approved: job");
    const decided = await client.get<{ status: string; applied_job_id: string | null }>(`/api/v1/consolidation/proposals/${proposalId}`);
    expect(decided.body.status).toBe("approved");
    const approval = await client.get<{ jobs: Array<{ id: string }> }>(`/api/v1/consolidation/history/${projectId}?limit=1`);
    await expect
      .poll(async () => (await client.get<{ status: string }>(`/api/v1/consolidation/status/${approval.body.jobs[0]!.id}`)).body.status, {
        timeout: 90_000,
      })
      .toBe("completed");
  });

  it("shows a dry run's plan and applies it; the job carrying it out completes", { timeout: 180_000 }, async () => {
    const dryRun = await triggerFromProjectPage(() => page.getByLabel("Dry run (plan only, change nothing)").check());
    await page.goto(`${base}/ui/#/review/${projectId}`);
    await page.getByRole("link", { name: `Plan of job ${dryRun.slice(0, 8)}` }).click();
    const apply = page.getByRole("button", { name: "Apply plan" });
    await apply.waitFor();
    await shot("plan");
    await apply.click();
    await expect.poll(() => page.getByRole("status").first().textContent()).toContain("Applied: job");
    const plan = await client.get<{ plan: { status: string; applied_job_id: string | null } }>(`/api/v1/consolidation/plans/${dryRun}`);
    expect(plan.body.plan.status).toBe("applied");
    await expect
      .poll(async () => (await client.get<{ status: string }>(`/api/v1/consolidation/status/${plan.body.plan.applied_job_id}`)).body.status, {
        timeout: 90_000,
      })
      .toBe("completed");
    expect(pageErrors).toEqual([]);
  });
});
