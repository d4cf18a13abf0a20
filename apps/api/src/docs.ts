/** Minimal shape of the OpenAPI document the docs page reads. */
interface SpecLike {
  info?: { title?: string; version?: string; description?: string };
  paths?: object;
}

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Renders a self-contained HTML page listing every operation of an OpenAPI document. */
export function renderDocsPage(spec: SpecLike): string {
  const rows: string[] = [];
  for (const [path, item] of Object.entries(spec.paths ?? {}) as Array<[string, Record<string, unknown>]>) {
    for (const method of METHODS) {
      const operation = item?.[method] as { summary?: string; tags?: string[]; security?: unknown[] } | undefined;
      if (!operation) continue;
      const auth = operation.security && operation.security.length > 0 ? "bearer token" : "none";
      rows.push(
        `<tr><td class="m ${method}">${method.toUpperCase()}</td><td><code>${escapeHtml(path)}</code></td>` +
          `<td>${escapeHtml(operation.summary ?? "")}</td><td>${escapeHtml((operation.tags ?? []).join(", "))}</td><td>${auth}</td></tr>`,
      );
    }
  }
  const title = escapeHtml(spec.info?.title ?? "API");
  const version = escapeHtml(spec.info?.version ?? "");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} ${version}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem .6rem;text-align:left}
.m{font-weight:bold;font-family:monospace}.get{color:#0a6}.post{color:#06c}.delete{color:#c00}
</style></head><body>
<h1>${title} <small>${version}</small></h1>
<p>${escapeHtml(spec.info?.description ?? "")}</p>
<p>Machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).
Protected routes need <code>Authorization: Bearer &lt;token&gt;</code>.</p>
<table><thead><tr><th>Method</th><th>Path</th><th>Summary</th><th>Tags</th><th>Auth</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody></table></body></html>`;
}
