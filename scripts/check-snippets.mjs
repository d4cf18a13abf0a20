// Type-checks the TypeScript in the docs: extracts every ```ts / ```typescript block of README.md,
// packages/*/README.md, apps/*/README.md and docs/*.md, writes each as a module into a temporary
// directory inside apps/worker (whose node_modules hold every memcons package and their peers) and runs
// tsc --strict on them against the built workspace packages (build first). A block whose fence says
// `ts no-check` is left out (use it only for fragments that cannot stand alone, such as a type's shape).
// Usage: node scripts/check-snippets.mjs [--keep]   (--keep leaves the generated files for inspection)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const keep = process.argv.includes("--keep");
const host = join(root, "apps/worker");
const out = join(host, ".snippets");

/** The markdown files whose snippets are checked, relative to the root. */
function documents() {
  const files = ["README.md"];
  for (const group of ["packages", "apps"]) {
    for (const name of readdirSync(join(root, group)).sort()) {
      if (existsSync(join(root, group, name, "README.md"))) files.push(`${group}/${name}/README.md`);
    }
  }
  for (const name of readdirSync(join(root, "docs")).sort()) {
    if (name.endsWith(".md")) files.push(`docs/${name}`);
  }
  return files;
}

/** The ```ts and ```typescript blocks of a markdown text, with the line each starts on. */
export function extractSnippets(text) {
  const snippets = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(ts|typescript)\b(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, , info] = open;
    const body = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j].trimStart().startsWith(fence); j++) {
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
    }
    snippets.push({ line: i + 1, code: body.join("\n"), skip: /\bno-check\b/.test(info) });
    i = j;
  }
  return snippets;
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const sources = new Map();
let skipped = 0;
for (const doc of documents()) {
  const snippets = extractSnippets(readFileSync(join(root, doc), "utf8"));
  for (const snippet of snippets) {
    if (snippet.skip) {
      skipped += 1;
      continue;
    }
    const name = `${doc.replace(/[^A-Za-z0-9]+/g, "_")}_L${snippet.line}.ts`;
    // Each block is its own module, so top-level await works and names do not leak between blocks.
    writeFileSync(join(out, name), `${snippet.code}\nexport {};\n`);
    sources.set(name, { doc, line: snippet.line });
  }
}
/**
 * Modules a snippet may import that apps/worker does not depend on (drizzle-kit, say) resolve from the
 * workspace package that has them.
 */
/** The declaration file an ES module import of the package in `dir` gets. */
function typesEntry(dir) {
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const main = typeof manifest.exports === "object" && manifest.exports !== null ? (manifest.exports["."] ?? manifest.exports) : {};
  const types = main?.import?.types ?? main?.types ?? manifest.types ?? manifest.typings ?? "index.d.ts";
  return join(dir, types);
}

function workspacePaths() {
  const paths = {};
  const have = (dir, name) => existsSync(join(dir, "node_modules", name, "package.json"));
  for (const group of ["packages", "apps"]) {
    for (const pkg of readdirSync(join(root, group)).sort()) {
      const dir = join(root, group, pkg);
      const manifest = join(dir, "package.json");
      if (!existsSync(manifest)) continue;
      const { dependencies = {}, devDependencies = {} } = JSON.parse(readFileSync(manifest, "utf8"));
      for (const name of Object.keys({ ...dependencies, ...devDependencies })) {
        if (paths[name] || have(host, name) || !have(dir, name)) continue;
        paths[name] = [typesEntry(join(dir, "node_modules", name))];
      }
    }
  }
  return paths;
}

writeFileSync(
  join(out, "tsconfig.json"),
  `${JSON.stringify(
    {
      compilerOptions: {
        strict: true,
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        lib: ["ES2023"],
        types: ["node"],
        noEmit: true,
        skipLibCheck: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        isolatedModules: true,
        paths: workspacePaths(),
      },
      include: ["*.ts"],
    },
    null,
    2,
  )}\n`,
);

const tsc = createRequire(join(root, "package.json")).resolve("typescript/bin/tsc");
const result = spawnSync(process.execPath, [tsc, "-p", join(out, "tsconfig.json"), "--pretty", "false"], {
  cwd: out,
  encoding: "utf8",
});
const output = `${result.stdout}${result.stderr}`;
let errors = 0;
for (const line of output.split("\n")) {
  const match = /^(.+?\.ts)\((\d+),(\d+)\): (.*)$/.exec(line);
  if (!match) {
    if (line.trim()) process.stderr.write(`${line}\n`);
    continue;
  }
  errors += 1;
  const file = relative(out, join(out, match[1]));
  const source = sources.get(file);
  const where = source ? `${source.doc}:${source.line + Number(match[2])}` : file;
  process.stderr.write(`${where}: ${match[4]}\n`);
}
if (!keep) rmSync(out, { recursive: true, force: true });
const summary = `${sources.size} TypeScript snippets from ${new Set([...sources.values()].map((s) => s.doc)).size} files${skipped ? ` (${skipped} marked no-check)` : ""}`;
if (result.status !== 0) {
  process.stderr.write(`check-snippets: ${errors} type errors in ${summary}\n`);
  process.exit(1);
}
process.stdout.write(`check-snippets: ${summary} type-check\n`);
