#!/usr/bin/env bash
# Consumer smoke tests: packs every publishable package, installs the tarballs with npm into a
# temporary project outside the workspace (dependencies from the npm registry), then, as a new
# user would: runs an ESM and a CommonJS program (migrate, ingest, one job through the runner to
# `completed`, rollback) on PGlite and on PostgreSQL, type-checks a strict TypeScript consumer under
# nodenext and bundler, compiles and runs the README's minimal program (its job must complete), runs
# `npx memcons --version` and `memcons migrate`, and migrates next to the
# consumer's own public.projects table. Needs DATABASE_URL (a PostgreSQL admin URL); run after
# `pnpm build`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/scripts/smoke"
admin="${DATABASE_URL:?DATABASE_URL must name a PostgreSQL database with CREATE DATABASE rights}"
work=$(mktemp -d "${TMPDIR:-/tmp}/memcons-smoke.XXXXXX")
suffix="$(date +%s)_$$"
# new_database runs in command substitutions (subshells), so the names it creates are kept in a file.
created="$work/databases"
cleanup() {
  if [ -f "$created" ]; then
    while read -r name; do node "$work/app/pg.cjs" drop "$admin" "$name" >/dev/null 2>&1 || true; done <"$created"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
url_of() { node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + process.argv[2]; console.log(u.toString())' "$admin" "$1"; }
new_database() {
  local name="memcons_smoke_$1_$suffix"
  echo "$name" >>"$created"
  node "$work/app/pg.cjs" create "$admin" "$name"
  url_of "$name"
}

echo "== pack"
mkdir -p "$work/tarballs" "$work/app"
for dir in packages/models packages/consolidation-core packages/scheduler apps/api apps/worker; do
  (cd "$root/$dir" && pnpm pack --pack-destination "$work/tarballs" >/dev/null)
done
for tarball in "$work"/tarballs/*.tgz; do
  printf '%-44s packed %4s kB, unpacked %5s kB, %3s files\n' "$(basename "$tarball")" \
    "$(( $(wc -c < "$tarball") / 1024 ))" "$(( $(tar -xzOf "$tarball" | wc -c) / 1024 ))" "$(tar -tzf "$tarball" | wc -l)"
done

echo "== npm install (tarballs, drizzle-orm 0.44 of the consumer's own, postgres, PGlite)"
cp "$here"/scenario.cjs "$here"/program.mjs "$here"/program.cjs "$here"/pg.cjs "$here"/consumer.ts \
  "$here"/tsconfig.nodenext.json "$here"/tsconfig.bundler.json "$work/app/"
cd "$work/app"
printf '{ "name": "memcons-smoke-consumer", "private": true, "type": "module" }\n' > package.json
npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/*.tgz \
  drizzle-orm@0.44.7 postgres@^3.4.9 @electric-sql/pglite@^0.5.16 typescript@^5.9.3 @types/node@^20.19.0
node -p '"drizzle-orm " + JSON.parse(require("fs").readFileSync("node_modules/drizzle-orm/package.json", "utf8")).version'

echo "== ESM program"
node program.mjs pglite://memory "$(new_database esm)"
echo "== CommonJS program"
node program.cjs pglite://memory "$(new_database cjs)"

echo "== strict TypeScript consumer"
npx tsc -p tsconfig.nodenext.json
npx tsc -p tsconfig.bundler.json
echo "nodenext and bundler: no errors"

echo "== the README's minimal program, as published (compiled with tsc, run on PostgreSQL)"
node -e '
  const text = require("fs").readFileSync(process.argv[1], "utf8");
  const section = text.slice(text.indexOf("## Using the libraries"));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) { console.error("no TypeScript block under Using the libraries"); process.exit(1); }
  process.stdout.write(match[1]);
' "$root/README.md" > readme-program.ts
readme_url=$(new_database readme)
node -e '
  const fs = require("fs");
  const [file, url] = process.argv.slice(1);
  const text = fs.readFileSync(file, "utf8");
  if (!text.includes("postgres://localhost:5432/memcons")) { console.error("the program names no database URL"); process.exit(1); }
  fs.writeFileSync(file, text.replace("postgres://localhost:5432/memcons", url));
' readme-program.ts "$readme_url"
npx tsc --strict --target ES2022 --module NodeNext --moduleResolution NodeNext --skipLibCheck --types node \
  --outDir readme-out readme-program.ts
output=$(node readme-out/readme-program.js)
echo "$output"
case "$output" in *": completed"*) ;; *) echo "the README's program did not complete its job"; exit 1 ;; esac

echo "== CLI"
version=$(npx memcons --version)
expected=$(node -p 'require("@memcons/worker/package.json").version')
[ "$version" = "$expected" ] || { echo "memcons --version printed '$version', expected '$expected'"; exit 1; }
echo "memcons --version: $version"
npx memcons help migrate | head -n 1
npx memcons migrate --print > migrations.sql
grep -q '^create schema if not exists memcons;$' migrations.sql || { echo "memcons migrate --print: no schema statement"; exit 1; }
echo "memcons migrate --print: $(grep -c ';$' migrations.sql) statements"
DATABASE_URL="pglite://$work/cli-data" npx memcons migrate
DATABASE_URL="$(new_database cli)" npx memcons migrate

echo "== next to the consumer's own public.projects"
own=$(new_database own)
node pg.cjs own-table "$own"
node program.cjs "$own"
node pg.cjs check-own-table "$own"
echo "== consumer smoke tests passed"
