import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_NAME = "@memcons/worker";

/** This module's file: `import.meta.url` in ES modules, `__filename` in the CommonJS build. */
function currentFile(): string {
  return typeof __filename === "string" && __filename.length > 0 ? __filename : fileURLToPath(import.meta.url);
}

/**
 * The version of the installed @memcons/worker package, read at run time from its package.json
 * (the nearest one named @memcons/worker above this file: `dist/` when built, `src/` in the repository).
 */
export function workerVersion(from: string = currentFile()): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
      if (manifest.name === PACKAGE_NAME && typeof manifest.version === "string") return manifest.version;
    }
    if (dirname(dir) === dir) throw new Error(`No package.json of ${PACKAGE_NAME} above ${from}`);
  }
}
