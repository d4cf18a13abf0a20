// Vocabulary of the synthetic agent-memory generator: slot values, sentence templates and paraphrases.

export const AREAS = [
  "auth", "billing", "search", "payments", "notifications", "ingest", "reporting", "scheduler",
  "gateway", "profile", "checkout", "inventory", "analytics", "export", "importer", "sync", "cache",
  "storage", "admin", "webhooks", "onboarding", "audit", "pricing", "shipping", "catalog",
];
export const COMPONENTS = [
  "client", "service", "controller", "repository", "worker", "middleware", "router", "validator",
  "serializer", "adapter", "queue", "store", "handler", "resolver", "mapper", "poller", "limiter",
];
export const VERBS = [
  "load", "save", "parse", "validate", "sync", "fetch", "render", "compute", "resolve", "normalize",
  "retry", "flush", "merge", "export", "import", "refresh", "encode", "decode", "schedule", "archive",
];
export const NOUNS = [
  "Session", "Invoice", "Token", "Order", "Config", "Schema", "Payload", "Batch", "Report", "Cursor",
  "Webhook", "Profile", "Ledger", "Snapshot", "Index", "Coupon", "Shipment", "Tenant", "Quota", "Receipt",
];
export const ERRORS = [
  "a TypeError on an undefined property", "ECONNRESET from the upstream", "a deadlock between two writers",
  "a timeout after 30 seconds", "a unique constraint violation", "an out of memory crash",
  "a stale cache entry", "a race between two requests", "an invalid UTF-8 sequence", "a 401 from the identity provider",
  "a 429 rate limit response", "a CORS preflight failure", "a migration checksum mismatch", "a flaky snapshot test",
  "an off-by-one error in pagination", "clock drift between hosts", "a floating point rounding error",
  "a missing database index", "an N+1 query pattern", "a leaked file descriptor", "a zombie child process",
  "a circular import", "an unhandled promise rejection", "a double-charged retry",
];
export const LIBRARIES = [
  "postgres.js", "drizzle", "zod", "fastify", "vitest", "pino", "redis", "kafkajs", "prisma", "express",
  "react", "next.js", "webpack", "esbuild", "tsup", "undici", "luxon", "dayjs", "p-retry", "croner",
];
export const CAUSES = [
  "the connection pool being exhausted under load", "a missing await before the commit",
  "an outdated lockfile entry", "the default timezone of the container", "an unbounded in-memory buffer",
  "retries without jitter", "the cache key ignoring the tenant", "a shared mutable default argument",
  "a regex that backtracks catastrophically", "a transaction held open during an HTTP call",
  "an environment variable read at import time", "reading the whole file into memory",
  "the feature flag defaulting to on", "a schema change deployed before the code",
  "a test depending on execution order", "a header lost by the proxy",
];
export const FIXES = [
  "adding a bounded queue with backpressure", "awaiting the write before returning",
  "pinning the dependency to the previous minor version", "passing an explicit UTC timezone",
  "streaming the rows with a cursor", "adding exponential backoff with jitter",
  "including the tenant id in the cache key", "copying the defaults per call",
  "replacing the regex with a small parser", "moving the HTTP call out of the transaction",
  "reading configuration lazily at startup", "splitting the work into batches of 500",
  "guarding the code path behind the flag check", "shipping the migration in two steps",
  "isolating the test fixtures per file", "forwarding the header explicitly",
];
export const DETAILS = [
  "Verified the change locally with {lib}.", "It took about {n} minutes to track down.",
  "Also checked {file} for the same pattern.", "The issue first showed up in build {n}.",
  "Logged the details in the team channel.", "A reviewer confirmed the approach.",
  "The on-call engineer reproduced it on staging.", "Left a comment in {file} explaining it.",
];

/** Templates per memory type: summary sentences, goal, result, feedback. */
export const TEMPLATES: Record<string, { summary: string[]; goal: string; result: string; feedback: string }[]> = {
  error_fix: [
    {
      summary: [
        "Fixed {error} in {fn} of the {area} {component}.",
        "The root cause was {cause}.",
        "Resolved it by {fix}.",
      ],
      goal: "Make {fn} in {file} work again after the {lib} upgrade.",
      result: "The {area} tests pass and the error rate dropped to {n} per hour.",
      feedback: "Check {fn} first when {area} requests fail.",
    },
    {
      summary: [
        "Tracked down {error} that broke {fn} during {area} deploys.",
        "It was caused by {cause}.",
        "The fix was {fix} in {file}.",
      ],
      goal: "Stop the {area} {component} from failing in production.",
      result: "No failures of {fn} in the last {n} runs.",
      feedback: "Watch out for {cause} in the {component} code.",
    },
  ],
  discovery: [
    {
      summary: [
        "Discovered that {fn} in the {area} {component} depends on {lib}.",
        "Calling it twice triggers {error}.",
        "The code in {file} assumes {cause}.",
      ],
      goal: "Understand why {fn} behaves differently in the {area} module.",
      result: "Documented the dependency between {fn} and {lib}.",
      feedback: "Read {file} before touching {fn}.",
    },
  ],
  decision: [
    {
      summary: [
        "Decided to use {lib} for the {area} {component} instead of a custom implementation.",
        "The main reason was {cause}.",
        "Migration plan: {fix}.",
      ],
      goal: "Choose how the {area} {component} should implement {fn}.",
      result: "The team agreed on {lib} and recorded it in {file}.",
      feedback: "Revisit the {lib} decision if load grows beyond {n} requests per second.",
    },
  ],
  learning: [
    {
      summary: [
        "Learned that {lib} handles {fn} differently from what the docs suggest.",
        "Symptoms look like {error}.",
        "The workaround is {fix}.",
      ],
      goal: "Get {fn} in the {area} {component} to behave consistently.",
      result: "{fn} now passes {n} consecutive runs.",
      feedback: "Always test {fn} against {lib} with realistic data.",
    },
  ],
  warning: [
    {
      summary: [
        "Never call {fn} from the {area} {component} inside a transaction.",
        "Doing so leads to {error}.",
        "The danger comes from {cause}.",
      ],
      goal: "Warn other agents about {fn} in {file}.",
      result: "Added a guard to {fn} and a note in {file}.",
      feedback: "Avoid {cause} anywhere near the {area} code.",
    },
  ],
  codebase_knowledge: [
    {
      summary: [
        "The {area} {component} lives in {file} and exposes {fn}.",
        "It talks to {lib} through a thin adapter.",
        "Configuration for it is read at startup, with a default of {n}.",
      ],
      goal: "Map out where {fn} is implemented.",
      result: "Wrote down the structure of the {area} {component}.",
      feedback: "Start from {file} when changing {fn}.",
    },
  ],
};

/** Phrase swaps a paraphrasing agent would plausibly make (both directions are used). */
export const SYNONYMS: Array<[string, string]> = [
  ["Fixed", "Resolved"],
  ["root cause", "underlying cause"],
  ["Resolved it by", "Solved it by"],
  ["was caused by", "came from"],
  ["The fix was", "The solution was"],
  ["tests pass", "test suite passes"],
  ["Discovered", "Found out"],
  ["Decided", "Chose"],
  ["Learned", "Figured out"],
  ["workaround", "fix"],
  ["Never call", "Do not call"],
  ["leads to", "results in"],
  ["Documented", "Wrote down"],
  ["Always test", "Make sure to test"],
  ["Avoid", "Stay away from"],
  ["Check", "Look at"],
  ["Watch out for", "Be careful about"],
  ["Wrote down", "Documented"],
  ["instead of", "rather than"],
  ["The main reason was", "The key reason was"],
];
