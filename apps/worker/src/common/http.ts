import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { MemconsError } from "@memcons/models";

/** A running HTTP server. */
export interface HttpServer {
  /** Base URL, e.g. http://127.0.0.1:9090 (a wildcard host is shown as 127.0.0.1). */
  readonly url: string;
  /** The bound port (useful when 0 was asked for). */
  readonly port: number;
  /** Stops accepting connections, ends open ones, and resolves once closed. */
  close(): Promise<void>;
}

/** The port is taken or the host cannot be bound. */
export class ListenError extends MemconsError {
  constructor(what: string, host: string, port: number, cause: unknown) {
    const code = (cause as { code?: string } | null)?.code;
    const reason = code === "EADDRINUSE" ? "the port is already in use" : String(cause);
    super("listen_error", `Cannot start the ${what} on ${host}:${port}: ${reason}`, { cause });
  }
}

/** Serves a fetch handler (a Hono app) over HTTP on host:port. */
export async function listenHttp(
  what: string,
  fetch: (request: Request) => Response | Promise<Response>,
  port: number,
  host: string,
): Promise<HttpServer> {
  const server = createAdaptorServer({ fetch: (request) => fetch(request) });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: unknown) => reject(new ListenError(what, host, port, error));
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${bound}`,
    port: bound,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        const s = server as { closeIdleConnections?: () => void; closeAllConnections?: () => void };
        s.closeIdleConnections?.();
        setTimeout(() => s.closeAllConnections?.(), 1000).unref();
      });
      return closing;
    },
  };
}
