import { type AddressInfo, type Server, type Socket, createServer, connect } from "node:net";

/** A TCP proxy in front of PostgreSQL that tests use to cut, refuse or stall database traffic. */
export interface FaultProxy {
  /** The port the proxy listens on (127.0.0.1). */
  readonly port: number;
  /** Client connections open now. */
  readonly openConnections: number;
  /** Client connections accepted since the start (refused ones not counted). */
  readonly acceptedConnections: number;
  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string;
  /** Destroys every open connection (both sides), as a server crash or network cut would. */
  cutAll(): void;
  /** Refuses new connections (the port stops listening: ECONNREFUSED) for `ms` milliseconds (until allow() when omitted). */
  refuse(ms?: number): void;
  /** Accepts new connections again (listens on the same port). */
  allow(): void;
  /** Stops forwarding bytes in both directions for `ms` milliseconds (until flow() when omitted). */
  stall(ms?: number): void;
  /** Forwards bytes again after a stall. */
  flow(): void;
  /** An outage: cuts every connection and refuses new ones for `ms` milliseconds. */
  outage(ms: number): void;
  /** Stops listening and destroys every connection. */
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  server: Socket;
}

/** Starts a fault-injection proxy on 127.0.0.1 (a free port) forwarding to `target` (a postgres:// URL). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const parsed = new URL(target);
  const targetHost = parsed.hostname || "127.0.0.1";
  const targetPort = Number(parsed.port || 5432);
  const pairs = new Set<Pair>();
  let refusing = false;
  let stalled = false;
  let accepted = 0;
  let closed = false;
  let refuseTimer: ReturnType<typeof setTimeout> | undefined;
  let stallTimer: ReturnType<typeof setTimeout> | undefined;

  const server: Server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    accepted++;
    const upstream = connect(targetPort, targetHost);
    const pair: Pair = { client, server: upstream };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
    if (stalled) pause(pair);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  // A failed re-listen after refuse() shows up as connections that never succeed, not as a crash.
  server.on("error", () => {});

  function pause(pair: Pair): void {
    pair.client.pause();
    pair.server.pause();
  }

  const proxy: FaultProxy = {
    port,
    get openConnections() {
      return pairs.size;
    },
    get acceptedConnections() {
      return accepted;
    },
    urlFor(url) {
      const u = new URL(url);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    cutAll() {
      for (const pair of [...pairs]) {
        pairs.delete(pair);
        pair.client.destroy();
        pair.server.destroy();
      }
    },
    refuse(ms) {
      clearTimeout(refuseTimer);
      if (!refusing) {
        refusing = true;
        if (server.listening) server.close();
      }
      if (ms !== undefined) refuseTimer = setTimeout(() => proxy.allow(), ms);
    },
    allow() {
      clearTimeout(refuseTimer);
      if (!refusing) return;
      refusing = false;
      if (!server.listening && !closed) server.listen(port, "127.0.0.1");
    },
    stall(ms) {
      stalled = true;
      for (const pair of pairs) pause(pair);
      clearTimeout(stallTimer);
      if (ms !== undefined) stallTimer = setTimeout(() => proxy.flow(), ms);
    },
    flow() {
      clearTimeout(stallTimer);
      stalled = false;
      for (const pair of pairs) {
        pair.client.resume();
        pair.server.resume();
      }
    },
    outage(ms) {
      proxy.refuse(ms);
      proxy.cutAll();
    },
    async close() {
      closed = true;
      clearTimeout(refuseTimer);
      clearTimeout(stallTimer);
      proxy.cutAll();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
