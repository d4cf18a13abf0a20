/** A URL with its password replaced by `***`, safe to log or show (`postgres://u:***@host/db`). */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, "//$1:***@");
}
