import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { MemconsError } from "@memcons/models";

/** Another live process has the embedded database directory open. */
export class DatabaseInUseError extends MemconsError {
  constructor(directory: string, pid: number, lockFile: string) {
    super(
      "database_in_use",
      `The embedded database ${directory} is in use by process ${pid} (is 'pnpm start' running?). ` +
        `Stop it first, use the HTTP API instead, or delete ${lockFile} if that process is gone.`,
    );
  }
}

/**
 * An embedded PGlite directory must be opened by one process at a time; this takes a lock file next
 * to it (`<dir>.lock` holding the pid) and returns its release function. Stale locks of dead
 * processes are taken over. Returns null for URLs that are not PGlite directories.
 */
export function lockEmbeddedDatabase(databaseUrl: string): (() => void) | null {
  const match = /^pglite:\/\/(.+)$/i.exec(databaseUrl);
  const location = match?.[1];
  if (!location || location === "memory") return null;
  const directory = resolve(location);
  const lockFile = `${directory}.lock`;
  mkdirSync(dirname(directory), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile, `${process.pid}\n`, { flag: "wx" });
      return () => {
        try {
          if (readFileSync(lockFile, "utf8").trim() === String(process.pid)) unlinkSync(lockFile);
        } catch {
          // Already gone.
        }
      };
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
      const owner = Number.parseInt(readFileSafe(lockFile), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new DatabaseInUseError(directory, owner, lockFile);
      }
      // A stale lock (its process died) or our own: take it over.
      try {
        unlinkSync(lockFile);
      } catch {
        // Someone else removed it; retry.
      }
    }
  }
  throw new DatabaseInUseError(directory, Number.parseInt(readFileSafe(lockFile), 10) || 0, lockFile);
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return "";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}
