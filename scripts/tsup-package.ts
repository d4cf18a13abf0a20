import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Options } from "tsup";

interface Manifest {
  name?: string;
  type?: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** What a package of this workspace builds: its entry points and which formats. */
export interface PackageBuild {
  /** Entry name → source file, e.g. `{ index: "src/index.ts" }`. */
  entry: Record<string, string>;
  /** Entries that get no type declarations (a CLI). */
  withoutTypes?: string[];
  /** Emit CommonJS next to ESM (default true). */
  cjs?: boolean;
}

/**
 * tsup options shared by every package: ESM and CommonJS with declarations, and each dependency
 * that ships only ES modules bundled into the output, since `require` cannot load it.
 */
export function packageBuild(build: PackageBuild, dir = process.cwd()): Options {
  const typed = Object.fromEntries(
    Object.entries(build.entry).filter(([name]) => !build.withoutTypes?.includes(name)),
  );
  return {
    entry: build.entry,
    format: build.cjs === false ? ["esm"] : ["esm", "cjs"],
    dts: { entry: typed },
    sourcemap: false,
    clean: true,
    target: "node20",
    splitting: false,
    noExternal: esmOnlyDependencies(dir),
  };
}

/** Runtime dependencies of the package in `dir` that `require` cannot load as CommonJS. */
export function esmOnlyDependencies(dir: string): string[] {
  const manifest = readManifest(join(dir, "package.json"));
  const require = createRequire(join(dir, "package.json"));
  const names = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies });
  return names.filter((name) => {
    let file: string;
    try {
      file = require.resolve(name);
    } catch {
      return true; // no entry point for the `require` condition
    }
    if (file.endsWith(".cjs")) return false;
    if (file.endsWith(".mjs")) return true;
    return nearestType(file) === "module";
  });
}

/** The `type` of the package.json closest to `file`. */
function nearestType(file: string): string | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) {
      const manifest = readManifest(candidate);
      if (manifest.type !== undefined || manifest.name !== undefined) return manifest.type;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function readManifest(file: string): Manifest {
  return JSON.parse(readFileSync(file, "utf8")) as Manifest;
}
