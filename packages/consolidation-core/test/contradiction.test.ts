import { describe, expect, it } from "vitest";
import { type ContradictionKind, describeContradiction, findContradiction } from "../src/index.js";

/** Pairs the guard must keep apart, with the kind it must report. */
const SEPARATED: Array<[string, string, ContradictionKind]> = [
  ["You should do it.", "You should never do it.", "negation"],
  ["Run the migrations before deploying.", "Do not run the migrations before deploying.", "negation"],
  ["Use the connection pool for batch jobs.", "Don't use the connection pool for batch jobs.", "negation"],
  ["The tests pass with the cache.", "The tests pass without the cache.", "negation"],
  ["A man is playing the guitar.", "A man is not playing the guitar.", "negation"],
  ["There is no man smiling.", "The man is smiling.", "negation"],
  ["Retry the request when it times out.", "Never retry the request when it times out.", "negation"],
  ["Commit the lockfile.", "You can't commit the lockfile.", "negation"],
  ["Enable strict mode in the tsconfig.", "Disable strict mode in the tsconfig.", "toggle"],
  ["The feature flag is enabled in staging.", "The feature flag is disabled in staging.", "toggle"],
  ["Always rebase before merging.", "Never rebase before merging.", "toggle"],
  ["Increase the pool size when load grows.", "Decrease the pool size when load grows.", "toggle"],
  ["Add the header to every request.", "Remove the header from every request.", "toggle"],
  ["Allow cross-origin requests from the console.", "Deny cross-origin requests from the console.", "toggle"],
  ["Set the flag to true in CI.", "Set the flag to false in CI.", "toggle"],
  ["Run the seed script before the migration.", "Run the seed script after the migration.", "toggle"],
  ["Use port 5432 for the test database.", "Use port 5433 for the test database.", "port"],
  ["Set the request timeout to 30 s.", "Set the request timeout to 300 s.", "duration"],
  ["The job timeout is 30s.", "The job timeout is 30ms.", "duration"],
  ["Pin typescript to 5.4.2 in the workspace.", "Pin typescript to 5.5.0 in the workspace.", "version"],
  ["Upgrade the client to v2.", "Upgrade the client to v3.", "version"],
  ["Keep at most 10 connections per worker.", "Keep at most 100 connections per worker.", "number"],
  ["Keep two replicas running.", "Keep 3 replicas running.", "number"],
  ["Read the DATABASE_URL variable at startup.", "Read the POSTGRES_URL variable at startup.", "identifier"],
  ["The handler lives in src/api/users.ts now.", "The handler lives in src/api/accounts.ts now.", "identifier"],
  ["Call `flushQueue` before shutdown.", "Call `drainQueue` before shutdown.", "identifier"],
  ["Use pnpm to install the dependencies.", "Use npm to install the dependencies.", "term"],
  ["Cache the session tokens in Redis.", "Cache the session tokens in Memcached.", "term"],
  ["A woman is singing into a microphone.", "A man is singing into a microphone.", "toggle"],
  ["A man is measuring a woman.", "A man is measuring a man.", "term"],
  ["A cat is looking at a store counter.", "A dog is looking at a store counter.", "term"],
  ["A person is cutting an onion.", "A person is eating a cut onion.", "term"],
  ["Two dogs are sitting side by side on the grass.", "Two dogs are running side by side on the grass.", "term"],
  ["A small dog is lying on the bed.", "A small dog is lying under the bed.", "toggle"],
  ["The elephant is being ridden by the woman.", "The elephant is being ridden over a woman.", "relation"],
  ["A boy is spanking a man with a sword.", "A man is spanking a boy with a sword.", "order"],
  ["The military officer is barking at the recruits.", "The recruits are barking at the military officer.", "order"],
  ["There is no woman dancing.", "Some women are dancing.", "negation"],
  ["Nobody is riding the horse.", "A man is riding the horse.", "negation"],
  ["Three men and a woman are posing for a picture.", "A woman is posing for three men for a picture.", "order"],
];

/** Pairs that say the same thing (paraphrases, extra detail on one side): the guard must not fire. */
const ALLOWED: Array<[string, string]> = [
  ["it 's not a good idea .", "it is not a good idea ."],
  ["It isn't a good idea.", "It is not a good idea."],
  ["2 french journalists killed in mali", "two french journalists killed in mali"],
  ["Never call the API from a transaction.", "Do not call the API from a transaction."],
  ["Don't use eval in the parser.", "Avoid eval in the parser."],
  ["Fixed the login timeout by awaiting the commit.", "Resolved the login timeout by awaiting the commit. It took 20 minutes."],
  ["Use port 5432 for the test database.", "The test database uses port 5432."],
  ["The job timeout is 30 seconds.", "The job timeout is 30s."],
  ["Enabled strict mode in the tsconfig.", "Strict mode is enabled in the tsconfig."],
  ["Read the DATABASE_URL variable at startup.", "At startup, read the DATABASE_URL variable."],
  ["The tests pass without the cache.", "Without the cache the tests pass."],
  ["A group of kids is playing in a yard.", "A group of children is playing in a yard."],
  ["Edited src/api/users.ts to add paging.", "Added paging in src/api/users.ts."],
  ["The build failed without the lockfile.", "The build failed."],
  ["A man is slicing an onion.", "An onion is being cut by a man."],
  ["A man is dancing on a roof.", "A person is dancing on a roof."],
  ["A horse is being ridden by a man.", "A man is riding a horse."],
  ["A black dog is running in the grass.", "A dog, which is black, is running in the grass."],
  ["The men are fighting in a cattle pen.", "Two men are fighting in a pen for cattle."],
  ["Some children are playing.", "Some kids are playing."],
  ["The lady is peeling a potato.", "A woman is peeling a potato."],
  ["Found out the cache was stale.", "Discovered the cache was stale."],
  ["Decided to use prisma rather than raw SQL.", "Chose to use prisma instead of raw SQL."],
  ["The API returns 404 when the user is missing.", "When the user is missing, the API returns 404."],
  ["Deploy the API with docker compose.", "Deploy the API using docker compose."],
  ["Use a connection pool for the database.", "Use a pool of connections for the database."],
];

describe("contradiction guard", () => {
  it.each(SEPARATED)("separates %j and %j (%s)", (a, b, kind) => {
    const reason = findContradiction(a, b);
    expect(reason?.kind).toBe(kind);
    // Symmetric: the same kind is found with the texts swapped.
    expect(findContradiction(b, a)?.kind).toBe(kind);
  });

  it.each(ALLOWED)("lets %j and %j merge", (a, b) => {
    expect(findContradiction(a, b)).toBeNull();
    expect(findContradiction(b, a)).toBeNull();
  });

  it("names the differing terms of each text", () => {
    const reason = findContradiction("Use port 5432 for tests.", "Use port 5433 for tests.");
    expect(reason).toEqual({ kind: "port", a: "5432", b: "5433" });
    expect(describeContradiction(reason as NonNullable<typeof reason>)).toBe('port: "5432" vs "5433"');
    expect(findContradiction("Do it.", "Never do it.")).toEqual({ kind: "negation", a: "do", b: "not do" });
  });

  it("never separates a text from itself", () => {
    for (const [a, b] of SEPARATED) {
      expect(findContradiction(a, a)).toBeNull();
      expect(findContradiction(b, b)).toBeNull();
    }
  });
});
