import { GrammyError, HttpError } from "grammy";

/**
 * For cosmetic calls (removing buttons, deleting an old message): Telegram's refusals ("message is not
 * modified", "message to delete not found") are fine; network errors are not and propagate.
 */
export function ignoreRefusal(err: unknown): void {
  if (!(err instanceof GrammyError)) throw err;
}

/** What went wrong in an update, for the log: without payloads (message texts) or anything secret. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof GrammyError) return { kind: "telegram", method: error.method, code: error.error_code, msg: error.description };
  if (error instanceof HttpError) return { kind: "network", msg: error.message };
  if (error instanceof Error) return { kind: "error", msg: error.message, stack: error.stack };
  return { kind: "unknown", msg: String(error) };
}
