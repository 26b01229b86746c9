import { GrammyError } from "grammy";

/**
 * For cosmetic calls (removing buttons, deleting an old message): Telegram's refusals ("message is not
 * modified", "message to delete not found") are fine; network errors are not and propagate.
 */
export function ignoreRefusal(err: unknown): void {
  if (!(err instanceof GrammyError)) throw err;
}
