import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "./options.js";

/** Files of swagger-ui-dist the reference page loads, served from the installed package (works offline). */
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};

const page = (base: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>memcons API reference</title>
<link rel="stylesheet" href="${base}/docs/assets/swagger-ui.css">
</head><body>
<p style="font-family:system-ui,sans-serif;margin:1rem 2rem 0">Machine-readable document: <a href="${base}/openapi.json">${base}/openapi.json</a> (OpenAPI 3.1) · <a href="${base}/ui/">admin console</a></p>
<div id="reference"></div>
<script src="${base}/docs/assets/swagger-ui-bundle.js"></script>
<script src="${base}/docs/assets/init.js"></script>
</body></html>`;

const init = (base: string) => `window.ui = SwaggerUIBundle({ url: ${JSON.stringify(`${base}/openapi.json`)}, dom_id: "#reference", validatorUrl: null, deepLinking: true, persistAuthorization: false, tryItOutEnabled: false });\n`;

function swaggerDir(): string {
  return dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
}

/** Serves /docs: the Swagger UI reference of /openapi.json, with its assets from npm (no CDN); links carry `base`. */
export function registerDocsRoutes(app: OpenAPIHono<ApiEnv>, base = ""): void {
  const html = page(base);
  const script = init(base);
  const dir = swaggerDir();
  const cache = new Map<string, string>();
  app.get("/docs", (c) => c.html(html));
  app.get("/docs/assets/:file", (c) => {
    const file = c.req.param("file");
    if (file === "init.js") return c.body(script, 200, { "content-type": "text/javascript; charset=utf-8" });
    const type = ASSETS[file];
    if (!type) return c.json({ error: "not_found", message: `No docs asset ${file}` }, 404);
    let body = cache.get(file);
    if (body === undefined) {
      body = readFileSync(join(dir, file), "utf8");
      cache.set(file, body);
    }
    return c.body(body, 200, { "content-type": type, "cache-control": "public, max-age=86400" });
  });
}
