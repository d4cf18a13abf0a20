import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApiApp } from "@memcons/api";
import { createTestDatabase, type TestDatabase } from "@memcons/models/testing";
import { Hono } from "hono";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "./helpers/api-client.js";
import { chromiumInstalled, launchChromium } from "./helpers/browser.js";

const ADMIN_URL = process.env.DATABASE_URL;
const TOKEN = "console-base-path-admin-token-0123456789";

/** The admin console in real Chromium when the API is mounted under a prefix of a host app (basePath). */
describe.runIf(ADMIN_URL && chromiumInstalled())("admin console under a basePath, in Chromium", () => {
  let db: TestDatabase;
  let server: ReturnType<typeof serve>;
  let origin: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const pageErrors: string[] = [];
  const requested: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase({ driver: "postgres", adminUrl: ADMIN_URL! });
    const host = new Hono();
    host.get("/", (c) => c.text("host app"));
    host.route("/memcons", createApiApp({ db, adminTokens: [TOKEN], basePath: "/memcons", sseHeartbeatMs: 1_000 }));
    server = serve({ fetch: host.fetch, hostname: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const created = await apiClient(`${origin}/memcons`, TOKEN).post("/api/v1/projects", { name: "mounted-project" });
    expect(created.status).toBe(201);
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("request", (request) => requested.push(new URL(request.url()).pathname));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await db?.close();
  });

  it("loads its assets, signs in, lists projects and follows events through the prefix", { timeout: 60_000 }, async () => {
    await page.goto(`${origin}/memcons/ui/`);
    await page.getByLabel("Admin token").fill(TOKEN);
    await page.getByLabel("Admin token").press("Enter");
    await page.locator("tr[data-project='mounted-project']").waitFor();
    expect(await page.getByRole("link", { name: "API reference" }).getAttribute("href")).toBe("/memcons/docs");
    await page.getByRole("link", { name: "mounted-project" }).click();
    await page.getByRole("heading", { name: "mounted-project" }).waitFor();
    await expect.poll(() => page.locator("h2 .stream").textContent(), { timeout: 15_000 }).toBe("live");
    // Every request the page made stayed under the prefix.
    expect(requested.filter((path) => !path.startsWith("/memcons/"))).toEqual([]);
    expect(requested.some((path) => path.startsWith("/memcons/ui/assets/"))).toBe(true);
    expect(requested).toContain("/memcons/api/v1/projects");
    expect(pageErrors).toEqual([]);
    const asset = requested.find((path) => path.startsWith("/memcons/ui/assets/")) as string;
    const response = await fetch(`${origin}${asset}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toContain("immutable");
    expect((await fetch(`${origin}/memcons/ui/`)).headers.get("cache-control")).toBe("no-cache");
  });
});
