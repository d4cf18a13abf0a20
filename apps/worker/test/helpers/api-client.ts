/** A tiny JSON client for the memcons HTTP API used by the process tests. */
export function apiClient(baseUrl: string, token: string) {
  async function call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T, headers: response.headers };
  }
  return {
    call,
    get: <T = Record<string, unknown>>(path: string) => call<T>("GET", path),
    post: <T = Record<string, unknown>>(path: string, body: unknown) => call<T>("POST", path, body),
  };
}

/** Near-duplicate memories: `themes` lessons written `copies` times each, with small variations. */
export function nearDuplicateMemories(themes: number, copies: number, salt = "") {
  const topics: Array<[string, string]> = [
    ["auth", "the login test failed because the session cookie was read before the token refresh resolved; awaiting refreshToken fixed it"],
    ["db", "the server ran out of PostgreSQL connections because every handler created its own pool; one shared pool fixed it"],
    ["ci", "caching the pnpm store keyed by the lockfile hash cut the install step from four minutes to forty seconds"],
    ["search", "the search endpoint did a sequential scan because the query lower-cased the title; an index on lower(title) fixed it"],
    ["webhooks", "webhooks were delivered twice after a retry; an idempotency key and a delivered-events table stopped the duplicates"],
    ["dates", "the nightly report skipped a day after the DST change; storing UTC and converting only for display fixed it"],
  ];
  const extras = ["", " Verified locally.", " CI is green again.", " Took two attempts."];
  const out = [];
  for (let t = 0; t < themes; t++) {
    const [tag, text] = topics[t % topics.length]!;
    for (let c = 0; c < copies; c++) {
      out.push({
        task_id: `T-${salt}${t}-${c}`,
        memory_type: "error_fix",
        execution_summary: `In ${tag}${t >= topics.length ? ` module ${t}` : ""}: ${text}.${extras[c % extras.length]}`,
        goal: `Fix the ${tag} problem${t >= topics.length ? ` in module ${t}` : ""}`,
        result: "Fixed and verified.",
        tags: [tag, c % 2 ? "bugfix" : "fix"],
        file_paths: [`src/${tag}/index.ts`],
        reused_count: 5,
      });
    }
  }
  return out;
}
