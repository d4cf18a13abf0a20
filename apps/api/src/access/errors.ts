import { MemconsError } from "@memcons/models";

/** The bearer token is missing, unknown, revoked or expired (HTTP 401). */
export class UnauthorizedError extends MemconsError {
  constructor(message: string) {
    super("unauthorized", message);
  }
}

/** The token is valid but lacks the scope or the project a request needs (HTTP 403). */
export class ForbiddenError extends MemconsError {
  constructor(message: string) {
    super("forbidden", message);
  }
}

/** No stored API token has the given name. */
export class TokenNotFoundError extends MemconsError {
  readonly tokenName: string;

  constructor(name: string) {
    super("not_found", `No API token is named '${name}'`);
    this.tokenName = name;
  }
}

/** A stored API token with this name already exists (names are never reused, so audit rows stay unambiguous). */
export class TokenNameTakenError extends MemconsError {
  readonly tokenName: string;

  constructor(name: string) {
    super("conflict", `An API token named '${name}' already exists (revoked tokens keep their names); choose another name`);
    this.tokenName = name;
  }
}
