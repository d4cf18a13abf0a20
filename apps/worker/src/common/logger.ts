import type { Logger } from "@memcons/models";
import { pino } from "pino";

/** A pino logger that also satisfies the models `Logger` interface and can make child loggers. */
export type AppLogger = Logger & { child(bindings: Record<string, unknown>): AppLogger; flush(): void };

/** Creates a JSON logger at `level` writing to stdout (fd 1) or stderr (fd 2). */
export function createLogger(level: string, options: { fd?: 1 | 2; name?: string } = {}): AppLogger {
  const logger = pino(
    {
      level,
      base: { service: options.name ?? "memcons", pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ fd: options.fd ?? 1, sync: true }),
  );
  return wrap(logger);
}

function wrap(logger: pino.Logger): AppLogger {
  return {
    debug: (fields, message) => logger.debug(fields, message),
    info: (fields, message) => logger.info(fields, message),
    warn: (fields, message) => logger.warn(fields, message),
    error: (fields, message) => logger.error(normalizeError(fields), message),
    child: (bindings) => wrap(logger.child(bindings)),
    flush: () => logger.flush(),
  };
}

/** pino serializes errors only under `err`; move an `error` field there so stacks are kept. */
function normalizeError(fields: Record<string, unknown>): Record<string, unknown> {
  if (fields.error instanceof Error && fields.err === undefined) {
    const { error, ...rest } = fields;
    return { ...rest, err: error };
  }
  return fields;
}
