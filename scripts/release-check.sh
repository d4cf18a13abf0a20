#!/usr/bin/env bash
# `pnpm release:check`: everything a release needs short of publishing. Builds, type-checks the docs'
# TypeScript snippets, packs every publishable package and lints the tarballs (publint,
# arethetypeswrong), checks declared dependencies, then installs the tarballs outside the workspace and
# runs the consumer smoke tests (which print each tarball's packed and unpacked size). Publishes nothing.
# Needs PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) must allow CREATE DATABASE.
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

echo "== build"
pnpm build --output-logs=errors-only
echo "== pending changesets"
node -e '
  const fs = require("node:fs");
  const files = fs.readdirSync(".changeset").filter((f) => f.endsWith(".md") && f !== "README.md");
  for (const f of files) {
    const text = fs.readFileSync(`.changeset/${f}`, "utf8");
    if (!/^---\n(\s*"@memcons\/[a-z-]+": (patch|minor|major)\n)+---\n\s*\S/.test(text)) {
      console.error(`.changeset/${f}: expected a front matter of "@memcons/<package>": patch|minor|major lines, then text`);
      process.exit(1);
    }
  }
  console.log(`${files.length} changesets`);
'
echo "== TypeScript snippets of the docs"
node scripts/check-snippets.mjs
echo "== packed packages (publint, arethetypeswrong)"
bash scripts/check-packages.sh
echo "== declared dependencies"
node scripts/check-dependencies.mjs
echo "== consumer smoke tests"
bash scripts/smoke/run.sh
echo "== release check passed (nothing was published)"
