import { useState } from "preact/hooks";
import { ApiError, api, storeToken } from "../api.js";
import { Notice } from "../components.js";

/** The sign-in form: checks the admin token against the API before keeping it for this tab. */
export function SignIn({ onSignedIn, expired }: { onSignedIn: (token: string) => void; expired: boolean }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const value = token.trim();
    if (!value) {
      setError("Enter an admin token.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api("GET", "/api/v1/projects?limit=1", undefined, value);
      storeToken(value);
      onSignedIn(value);
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 401
          ? `That token was refused: ${e.message}. Check API_ADMIN_TOKENS (or the token pnpm start printed).`
          : `Could not sign in: ${e instanceof Error ? e.message : String(e)}`,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in" id="main">
      <h1>memcons console</h1>
      <form onSubmit={submit} aria-describedby="sign-in-help">
        <label for="token">Admin token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          required
        />
        <p id="sign-in-help" class="muted">
          The token is kept in this tab's session storage and sent as a bearer header.
        </p>
        {expired && !error ? <Notice kind="info">Your session ended: sign in again.</Notice> : null}
        {error ? <Notice>{error}</Notice> : null}
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
