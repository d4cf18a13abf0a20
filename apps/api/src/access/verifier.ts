import { createHash, timingSafeEqual } from "node:crypto";
import { type ApiScope, ApiScope as Scopes, type ApiToken, type Database, type Logger } from "@memcons/models";
import { UnauthorizedError } from "./errors.js";
import type { Principal } from "./principal.js";
import { findApiTokenByHash, hashApiToken, touchApiToken } from "./token-store.js";

/** Stored tokens are looked up again after this long, so a revocation reaches every process within it. */
export const DEFAULT_TOKEN_CACHE_MS = 250;
/** `last_used_at` is written at most this often per token and process. */
const TOUCH_INTERVAL_MS = 60_000;
/** The cache is emptied when it holds more entries than this (random tokens must not grow it without bound). */
const MAX_CACHED = 10_000;

/** Short, non-reversible name of a token for audit fields (`admin:<fingerprint>`). */
export function tokenFingerprint(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex").slice(0, 12);
}

const ADMIN_SCOPES: ReadonlySet<ApiScope> = new Set([Scopes.Admin]);

/** Turns bearer tokens into principals: configured admin tokens first, then stored tokens by hash. */
export class TokenVerifier {
  readonly #db: Database;
  readonly #logger: Logger;
  readonly #adminDigests: Buffer[];
  readonly #cacheMs: number;
  readonly #cache = new Map<string, { row: ApiToken | undefined; fetchedAt: number }>();
  readonly #touched = new Map<string, number>();

  constructor(db: Database, adminTokens: readonly string[], o: { logger: Logger; cacheMs?: number }) {
    this.#db = db;
    this.#logger = o.logger;
    this.#adminDigests = adminTokens.filter((token) => token.length > 0).map((token) => Buffer.from(hashApiToken(token), "hex"));
    this.#cacheMs = o.cacheMs ?? DEFAULT_TOKEN_CACHE_MS;
  }

  /** The principal of a bearer token; throws UnauthorizedError when it is unknown, revoked or expired. */
  async verify(token: string): Promise<Principal> {
    const hash = hashApiToken(token);
    const presented = Buffer.from(hash, "hex");
    let admin = false;
    // Compare against every admin token so the time taken does not reveal which one matched.
    for (const candidate of this.#adminDigests) admin = timingSafeEqual(candidate, presented) || admin;
    if (admin) {
      return {
        actor: `admin:${hash.slice(0, 12)}`,
        kind: "admin",
        tokenName: null,
        tokenHash: null,
        scopes: ADMIN_SCOPES,
        projectIds: null,
      };
    }
    const row = await this.#lookup(hash);
    // The row was found by its hash; comparing again in constant time costs nothing and guards the lookup.
    if (!row || !timingSafeEqual(Buffer.from(row.tokenHash, "hex"), presented)) {
      throw new UnauthorizedError("Invalid bearer token");
    }
    const now = Date.now();
    if (row.revokedAt) throw new UnauthorizedError(`The token '${row.name}' was revoked`);
    if (row.expiresAt && row.expiresAt.getTime() <= now) throw new UnauthorizedError(`The token '${row.name}' has expired`);
    this.#touch(row, now);
    return {
      actor: `token:${row.name}`,
      kind: "stored",
      tokenName: row.name,
      tokenHash: hash,
      scopes: new Set(row.scopes),
      projectIds: row.projectIds ? new Set(row.projectIds.map((id) => id.toLowerCase())) : null,
    };
  }

  /** True while a stored token is still valid (for long-lived requests such as event streams). */
  async stillValid(principal: Principal): Promise<boolean> {
    if (principal.tokenHash === null) return true;
    const row = await this.#lookup(principal.tokenHash);
    return !!row && !row.revokedAt && !(row.expiresAt && row.expiresAt.getTime() <= Date.now());
  }

  async #lookup(hash: string): Promise<ApiToken | undefined> {
    const now = Date.now();
    const cached = this.#cache.get(hash);
    if (cached && now - cached.fetchedAt < this.#cacheMs) return cached.row;
    const row = await findApiTokenByHash(this.#db, hash);
    if (this.#cache.size >= MAX_CACHED) this.#cache.clear();
    this.#cache.set(hash, { row, fetchedAt: now });
    return row;
  }

  #touch(row: ApiToken, now: number): void {
    const last = this.#touched.get(row.id);
    if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return;
    this.#touched.set(row.id, now);
    touchApiToken(this.#db, row.id, new Date(now)).catch((error: unknown) => {
      this.#logger.warn({ err: error, token_name: row.name }, "recording a token's last use failed");
    });
  }
}
