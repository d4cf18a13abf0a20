import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { serveStatic } from "@hono/node-server/serve-static";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { errorResponse } from "./errors.js";
import type { ApiEnv } from "./options.js";

/** Where `vite build` writes the console: dist/ui of this package (this file runs from src/ or dist/). */
export function defaultConsoleDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "dist", "ui");
}

/** Serves the admin console's static files at <base>/ui (no token: the page signs in and sends it as a bearer header). */
export function registerConsoleRoutes(app: OpenAPIHono<ApiEnv>, consoleDir: string, base = ""): void {
  app.get("/ui", (c) => c.redirect(`${base}/ui/`, 302));
  if (!existsSync(join(consoleDir, "index.html"))) {
    app.get("/ui/*", (c) =>
      errorResponse(c, 503, "console_not_built", `The admin console is not built (${consoleDir} has no index.html): run pnpm build`),
    );
    return;
  }
  app.use("/ui/*", async (c, next) => {
    await next();
    // Hashed asset names never change content; the page itself must always be revalidated.
    c.header("Cache-Control", c.req.path.startsWith(`${base}/ui/assets/`) ? "public, max-age=31536000, immutable" : "no-cache");
    c.header("X-Content-Type-Options", "nosniff");
  });
  app.get(
    "/ui/*",
    // Under a basePath the request path still carries it ("/memcons/ui/…"): both prefixes are dropped.
    serveStatic({ root: consoleDir, rewriteRequestPath: (path) => path.slice(`${base}/ui`.length) || "/" }),
  );
}
