import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";

/** A running HTTP server. */
export interface ApiServer {
  /** Base URL, e.g. http://127.0.0.1:3000. */
  readonly url: string;
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** Stops accepting connections, calls `onClose` (which ends event streams), lets in-flight requests
   *  finish for up to `graceMs` (default 10,000), then ends what is left and resolves when closed. */
  close(o?: { graceMs?: number }): Promise<void>;
}

/** Serves a fetch handler (e.g. createApiApp's app) over HTTP on Node; resolves once listening. */
export function startApiServer(o: {
  app: { fetch: (request: Request) => Response | Promise<Response> };
  port: number;
  hostname?: string;
  /** Called once when close() begins (e.g. to abort the app's `shutdown` signal). */
  onClose?: () => void;
}): Promise<ApiServer> {
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: (request) => o.app.fetch(request), port: o.port, ...(o.hostname ? { hostname: o.hostname } : {}) },
      (info: AddressInfo) => {
        server.off("error", reject);
        const host = !o.hostname || o.hostname === "0.0.0.0" || o.hostname === "::" ? "127.0.0.1" : o.hostname;
        const shown = host.includes(":") ? `[${host}]` : host;
        resolve({
          url: `http://${shown}:${info.port}`,
          port: info.port,
          close: (c) => {
            o.onClose?.();
            return closeServer(server as Server, c?.graceMs ?? 10_000);
          },
        });
      },
    );
    server.once("error", reject);
  });
}

function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    // Event streams never go idle; end whatever is still open after the grace period.
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close((error) => {
      clearTimeout(force);
      if (error && (error as NodeJS.ErrnoException).code !== "ERR_SERVER_NOT_RUNNING") reject(error);
      else resolve();
    });
    server.closeIdleConnections();
  });
}
