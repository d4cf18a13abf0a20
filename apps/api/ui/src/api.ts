/** Where the admin token lives for this browser tab: session storage, never the URL. */
const TOKEN_KEY = "memcons.adminToken";

/** The signed-in token, or null. */
export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Keeps the token for this tab. */
export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

/** Forgets the token (sign out). */
export function clearToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** A failed API call: the HTTP status and the API's `{error, message}`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

/**
 * The path the API is mounted under ("" at the root, "/memcons" under a basePath): the console is always served
 * at <that path>/ui/ and routes by the URL's hash, so the page's own path tells.
 */
export function apiRoot(): string {
  const path = window.location.pathname;
  const ui = path.lastIndexOf("/ui");
  return ui >= 0 ? path.slice(0, ui) : "";
}

/** Calls the memcons API with the bearer token; resolves with the JSON body or throws ApiError. */
export async function api<T>(method: string, path: string, body?: unknown, token = storedToken()): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(`${apiRoot()}${path}`, { method, headers, body: body === undefined ? null : JSON.stringify(body) });
  } catch (error) {
    throw new ApiError(0, "network_error", `The API did not answer: ${String(error)}`);
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const err = (parsed ?? {}) as { error?: string; message?: string };
    if (response.status === 401 && token === storedToken()) window.dispatchEvent(new Event("memcons:unauthorized"));
    throw new ApiError(response.status, err.error ?? "http_error", err.message ?? `HTTP ${response.status}`);
  }
  return parsed as T;
}

/** Query string from defined, non-empty values. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "" || value === false) continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
