import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

/** Where `memcons start` keeps its generated admin token: next to an embedded database directory. */
export function localTokenFile(databaseUrl: string): string | null {
  const match = /^pglite:\/\/(.+)$/i.exec(databaseUrl);
  const location = match?.[1];
  if (!location || location === "memory") return null;
  return `${resolve(location)}.admin-token`;
}

/** Reads the local admin token, or generates one (kept in `file` with mode 0600 when a file is given). */
export function localAdminToken(file: string | null): { token: string; stored: boolean } {
  if (file && existsSync(file)) {
    const token = readFileSync(file, "utf8").trim();
    if (token.length >= 16) return { token, stored: true };
  }
  const token = randomBytes(24).toString("base64url");
  if (!file) return { token, stored: false };
  try {
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    return { token, stored: true };
  } catch {
    return { token, stored: false };
  }
}
