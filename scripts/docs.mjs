// Regenerates the generated parts of docs/ from the code: `pnpm docs:generate` writes them,
// `pnpm docs:check` (run by CI) fails when a page is stale. A generated part sits between
// `<!-- BEGIN GENERATED: <name> … -->` and `<!-- END GENERATED: <name> -->`; the rest of a page is
// written by hand. Reads the built packages, so build first (both scripts do).
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const check = process.argv.includes("--check");

const { describeConfigVariables, USAGE } = await import(`${root}apps/worker/dist/index.js`);
const { createApiApp } = await import(`${root}apps/api/dist/index.js`);
const { createDatabase } = await import(`${root}packages/models/dist/index.js`);

/** Escapes the pipes of a markdown table cell. */
const cell = (text) => String(text).replaceAll("|", "\\|");

function configurationTable() {
  const rows = describeConfigVariables().map(
    (v) => `| \`${v.name}\` | ${v.defaultValue === undefined ? "*(unset)*" : v.defaultValue === "" ? "*(empty)*" : `\`${cell(v.defaultValue)}\``} | ${cell(v.description)} |`,
  );
  return ["| variable | default | meaning |", "| --- | --- | --- |", ...rows].join("\n");
}

async function routesTable() {
  const db = await createDatabase("pglite://memory");
  try {
    const app = createApiApp({ db, adminTokens: [], version: "docs" });
    const spec = await (await app.request("/openapi.json")).json();
    const rows = [];
    for (const [path, item] of Object.entries(spec.paths ?? {})) {
      for (const method of ["get", "post", "put", "patch", "delete"]) {
        const operation = item[method];
        if (!operation) continue;
        const auth = operation.security && operation.security.length > 0 ? "bearer token" : "none";
        rows.push(`| \`${method.toUpperCase()}\` | \`${cell(path)}\` | ${cell(operation.summary ?? "")} | ${auth} |`);
      }
    }
    return ["| method | path | what it does | auth |", "| --- | --- | --- | --- |", ...rows].join("\n");
  } finally {
    await db.close();
  }
}

/** The overview `memcons help` prints. */
function cliUsage() {
  return `\`\`\`text\n${USAGE.trimEnd()}\n\`\`\``;
}

const PAGES = [
  { file: "docs/cli.md", name: "usage", render: cliUsage },
  { file: "docs/configuration.md", name: "variables", render: configurationTable },
  { file: "docs/http-api.md", name: "routes", render: routesTable },
];

let stale = 0;
for (const page of PAGES) {
  const path = root + page.file;
  const text = readFileSync(path, "utf8");
  const begin = new RegExp(`<!-- BEGIN GENERATED: ${page.name}[^>]*-->\\n`);
  const end = `<!-- END GENERATED: ${page.name} -->`;
  const start = text.search(begin);
  const stop = text.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`${page.file}: the markers of "${page.name}" are missing`);
  const head = text.slice(0, start) + text.slice(start).match(begin)[0];
  const next = `${head}\n${await page.render()}\n\n${text.slice(stop)}`;
  if (next === text) continue;
  if (check) {
    process.stderr.write(`${page.file} is stale: run pnpm docs:generate and commit the result\n`);
    stale += 1;
  } else {
    writeFileSync(path, next);
    process.stdout.write(`wrote ${page.file}\n`);
  }
}
process.exit(stale > 0 ? 1 : 0);
