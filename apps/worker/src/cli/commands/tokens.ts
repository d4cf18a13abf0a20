import { createApiToken, listApiTokens, revokeApiToken } from "@memcons/api";
import { loadConfig } from "../../common/config.js";
import { formatTable, json } from "../format.js";
import type { CliIo } from "../io.js";
import type { Command } from "../parse.js";
import { openCliDatabase } from "./shared.js";

/** `memcons tokens create`: stores a new API token and prints it, the only time it is shown. */
export async function tokensCreateCommand(cmd: Extract<Command, { name: "tokens create" }>, io: CliIo): Promise<number> {
  const db = await openCliDatabase(loadConfig(io.env));
  try {
    const { token, info } = await createApiToken(db, {
      name: cmd.tokenName,
      scopes: cmd.scopes,
      projectIds: cmd.projectIds,
      expiresInDays: cmd.expiresInDays ?? null,
      createdBy: "cli",
    });
    if (cmd.json) {
      io.stdout.write(json({ ...info, token }));
    } else {
      io.stdout.write(`${token}\n`);
      const projects = info.project_ids ? `projects ${info.project_ids.join(", ")}` : "every project";
      const expiry = info.expires_at ? `, expires ${info.expires_at}` : "";
      io.stderr.write(
        `memcons: created token '${info.name}' (${info.scopes.join(", ")}; ${projects}${expiry}). ` +
          "It is shown only this once: store it now.\n",
      );
    }
    return 0;
  } finally {
    await db.close();
  }
}

/** `memcons tokens list`: every stored token (active, revoked, expired) as a table or JSON, never their values. */
export async function tokensListCommand(cmd: Extract<Command, { name: "tokens list" }>, io: CliIo): Promise<number> {
  const db = await openCliDatabase(loadConfig(io.env));
  try {
    const tokens = await listApiTokens(db);
    if (cmd.json) {
      io.stdout.write(json(tokens));
      return 0;
    }
    if (tokens.length === 0) {
      io.stdout.write("No tokens.\n");
      return 0;
    }
    const day = (iso: string | null) => (iso ? iso.replace(/\.\d+Z$/, "Z") : "-");
    io.stdout.write(
      formatTable(
        ["NAME", "STATUS", "SCOPES", "PROJECTS", "CREATED", "LAST USED", "EXPIRES"],
        tokens.map((t) => [
          t.name,
          t.status,
          t.scopes.join(","),
          t.project_ids ? t.project_ids.join(",") : "all",
          day(t.created_at),
          day(t.last_used_at),
          day(t.expires_at),
        ]),
      ),
    );
    return 0;
  } finally {
    await db.close();
  }
}

/** `memcons tokens revoke <name>`: revokes a token and prints it as JSON. */
export async function tokensRevokeCommand(cmd: Extract<Command, { name: "tokens revoke" }>, io: CliIo): Promise<number> {
  const db = await openCliDatabase(loadConfig(io.env));
  try {
    io.stdout.write(json(await revokeApiToken(db, cmd.tokenName)));
    return 0;
  } finally {
    await db.close();
  }
}
