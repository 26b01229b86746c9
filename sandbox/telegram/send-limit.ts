import { tooManyRequests, type ApiError } from "./errors.js";

/** Methods that put a message into a chat: what Telegram's per-bot limit counts. */
const MESSAGE_METHODS = new Set(["sendmessage", "sendphoto", "senddocument"]);

/**
 * Telegram's per-bot limit on messages (about 30 a second to different chats): at most `perSecond`
 * messages in any 1-second window; one more is refused with 429 and retry_after, as Telegram does.
 */
export class SendLimit {
  private readonly sent: number[] = [];

  constructor(readonly perSecond: number) {}

  /** Counts a call of `method` at `now` (ms); the 429 to answer when it is over the limit. */
  take(method: string, now = Date.now()): ApiError | undefined {
    if (!MESSAGE_METHODS.has(method.toLowerCase())) return undefined;
    while (this.sent.length > 0 && this.sent[0]! <= now - 1000) this.sent.shift();
    if (this.sent.length >= this.perSecond) {
      const freeAt = (this.sent[0] ?? now) + 1000;
      return tooManyRequests(Math.max(1, Math.ceil((freeAt - now) / 1000)));
    }
    this.sent.push(now);
    return undefined;
  }
}
