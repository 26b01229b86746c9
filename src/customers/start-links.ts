import { createHmac } from "node:crypto";
import type { Db } from "../db/database.js";

/** What Telegram allows in a `start` parameter (Bot API: deep linking). */
const START_PARAMETER = /^[A-Za-z0-9_-]{1,64}$/;
/** A short code: `k_` and 20 characters of an HMAC of the login. */
const CODE = /^k_[A-Za-z0-9_-]{20}$/;
const KEY_PREFIX = "start-link:";

/**
 * Links that open the bot with a panel login (`https://t.me/<bot>?start=<payload>`), for the panel's
 * "Add funds" page. A login Telegram can carry is the payload itself; any other login gets a short code,
 * an HMAC of the login under a key derived from BOT_TOKEN (stable, unguessable), stored with its login so
 * that it keeps working after a token change.
 */
export function createStartLinks(db: Db, botToken: string) {
  const key = createHmac("sha256", botToken).update("khqr-start-link").digest();
  const codeOf = (login: string) => `k_${createHmac("sha256", key).update(login).digest("base64url").slice(0, 20)}`;
  return {
    /** The start payload for `login`; a short code is stored on first use. */
    async payloadFor(login: string): Promise<string> {
      if (START_PARAMETER.test(login) && !CODE.test(login)) return login;
      const code = codeOf(login);
      await db.keyValue.upsert({ where: { key: KEY_PREFIX + code }, create: { key: KEY_PREFIX + code, value: login }, update: { value: login } });
      return code;
    },

    /** The login a start payload names: a stored short code's login, else the payload as typed. */
    async loginFor(payload: string): Promise<string | undefined> {
      if (!START_PARAMETER.test(payload)) return undefined;
      if (CODE.test(payload)) {
        const row = await db.keyValue.findUnique({ where: { key: KEY_PREFIX + payload } });
        if (row) return row.value;
      }
      return payload;
    },
  };
}

export type StartLinks = ReturnType<typeof createStartLinks>;

/** `https://t.me/<bot>?start=<payload>`. */
export function startLink(botUsername: string, payload: string): string {
  return `https://t.me/${botUsername}?start=${payload}`;
}
