// Fails when a publishable package declares a runtime dependency that neither its source imports
// nor a workspace dependency asks for as a peer, or imports a package it does not declare.
// (tsup bundles imports listed only in devDependencies, so those need no runtime dependency; so does vite for
// the API's console in apps/api/ui, whose libraries are devDependencies.)
import { readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";

const root = new URL("../", import.meta.url).pathname;
const packageDirs = ["packages", "apps"].flatMap((group) =>
  readdirSync(join(root, group)).map((name) => join(root, group, name)),
);
const manifests = new Map(
  packageDirs.map((dir) => {
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    return [manifest.name, manifest];
  }),
);
const IMPORTS = [
  /^\s*(?:import|export)\s[^;'"]*?\bfrom\s*["']([^"'.][^"']*)["']/gm, // import … from "x", export … from "x"
  /^\s*import\s*["']([^"'.][^"']*)["']/gm, // import "x"
  /\bimport\(\s*["']([^"'.][^"']*)["']\s*\)/g, // import("x")
  /\.resolve\(\s*["']([^"'.][^"']*)["']\s*\)/g, // require.resolve("x/…"): files of x read at run time
];

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|cts)$/.test(name) ? [path] : [];
  });
}

function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

let problems = 0;
for (const dir of packageDirs) {
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  if (manifest.private) continue;
  const declared = new Set(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }));
  const bundled = new Set(Object.keys(manifest.devDependencies ?? {}));
  const peersOfWorkspace = new Set(
    Object.keys(manifest.dependencies ?? {})
      .filter((name) => manifests.has(name))
      .flatMap((name) => Object.keys(manifests.get(name).peerDependencies ?? {})),
  );
  const imported = new Set();
  for (const file of sourceFiles(join(dir, "src"))) {
    const text = readFileSync(file, "utf8");
    for (const match of IMPORTS.flatMap((pattern) => [...text.matchAll(pattern)])) {
      const specifier = match[1];
      if (specifier.startsWith("node:") || builtinModules.includes(specifier)) continue;
      imported.add(packageName(specifier));
    }
  }
  const unused = [...declared].filter((name) => !imported.has(name) && !peersOfWorkspace.has(name));
  const undeclared = [...imported].filter((name) => !declared.has(name) && !bundled.has(name));
  for (const name of unused) console.error(`${manifest.name}: declares ${name} but never imports it`);
  for (const name of undeclared) console.error(`${manifest.name}: imports ${name} without declaring it`);
  problems += unused.length + undeclared.length;
  if (unused.length + undeclared.length === 0) console.log(`${manifest.name}: dependencies match imports`);
}
process.exit(problems === 0 ? 0 : 1);
