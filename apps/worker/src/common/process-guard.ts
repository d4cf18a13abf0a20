import { isTransientDbError } from "@memcons/models";
import type { AppLogger } from "./logger.js";

/** How long readiness fails after an unexpected database driver error. */
export const DRIVER_FAULT_HOLD_MS = 10_000;

/** Keeps a process alive through database driver errors nobody caught; readiness reports them. */
export interface ProcessGuard {
  /** A message for /readyz while a recent driver fault should fail readiness, else null. */
  fault(): string | null;
  /** Removes the process handlers. */
  uninstall(): void;
}

/**
 * Installs uncaughtException / unhandledRejection handlers: an error thrown by the database driver
 * (or a lost connection) is logged and fails readiness for a while instead of killing the process;
 * anything else is logged and ends the process with exit code 1, as Node would.
 */
export function installProcessGuard(logger: AppLogger, exit: (code: number) => void = process.exit): ProcessGuard {
  let lastFault = 0;
  const onError = (error: unknown, origin: string) => {
    if (isDriverError(error)) {
      lastFault = Date.now();
      logger.error({ err: error, origin }, "unexpected database driver error; the process keeps running");
      return;
    }
    logger.error({ err: error, origin }, "uncaught error; exiting");
    logger.flush();
    exit(1);
  };
  const onException = (error: unknown) => onError(error, "uncaughtException");
  const onRejection = (error: unknown) => onError(error, "unhandledRejection");
  process.on("uncaughtException", onException);
  process.on("unhandledRejection", onRejection);
  return {
    fault() {
      if (lastFault === 0 || Date.now() - lastFault > DRIVER_FAULT_HOLD_MS) return null;
      return `unexpected database driver error at ${new Date(lastFault).toISOString()}`;
    },
    uninstall() {
      process.off("uncaughtException", onException);
      process.off("unhandledRejection", onRejection);
    },
  };
}

/** Whether an error comes from the database driver or a lost database connection. */
export function isDriverError(error: unknown): boolean {
  if (isTransientDbError(error)) return true;
  const stack = error instanceof Error ? (error.stack ?? "") : "";
  return /[\\/]node_modules[\\/](\.pnpm[\\/][^\\/]+[\\/]node_modules[\\/])?postgres[\\/]/.test(stack);
}
