#!/usr/bin/env bash
# Packs every publishable package and lints the tarball with publint and arethetypeswrong.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for dir in packages/*/ apps/*/; do
  name=$(node -p "require('./${dir}package.json').name")
  (cd "$dir" && pnpm pack --pack-destination "$out" >/dev/null)
  tarball=$(ls -t "$out"/*.tgz | head -n 1)
  echo "== $name ($(basename "$tarball"))"
  pnpm exec publint run "$tarball" --strict
  pnpm exec attw "$tarball" --profile node16 --format table-flipped --no-emoji
done
