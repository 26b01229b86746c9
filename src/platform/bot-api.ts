import { OutboundError, send } from "../http/outbound.js";
import type { BotIdentity } from "./merchant-store.js";

/** Telegram refused or could not be asked; the message never carries the token (it is in the request URL). */
export class BotApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BotApiError";
  }
}

type Answer = { ok: boolean; result?: unknown; description?: string; error_code?: number };

async function call(apiRoot: string, token: string, method: string, params: Record<string, unknown> = {}): Promise<unknown> {
  let answer: Answer;
  try {
    const res = await send(`${apiRoot}/bot${token}/${method}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(params), timeoutMs: 10_000 });
    answer = JSON.parse(res.text) as Answer;
  } catch (err) {
    throw new BotApiError(`${method}: cannot reach ${apiRoot} (${err instanceof OutboundError ? err.message : "the answer is not JSON"})`);
  }
  if (!answer.ok) {
    const hint = answer.error_code === 401 || answer.error_code === 404 ? ": BOT_TOKEN is wrong, copy it again from @BotFather" : "";
    throw new BotApiError(`${method} refused: ${answer.error_code ?? "?"} ${(answer.description ?? "no description").slice(0, 200)}${hint}`);
  }
  return answer.result;
}

/** getMe: the bot's id and username, and the whole answer to store. */
export async function getMe(apiRoot: string, token: string): Promise<BotIdentity> {
  const me = (await call(apiRoot, token, "getMe")) as { id?: unknown; username?: unknown };
  if (typeof me?.id !== "number" || typeof me.username !== "string") throw new BotApiError("getMe answered without a bot id and username");
  return { id: me.id, username: me.username, info: JSON.stringify(me) };
}

export async function setWebhook(apiRoot: string, token: string, webhook: { url: string; secretToken: string }): Promise<void> {
  await call(apiRoot, token, "setWebhook", { url: webhook.url, secret_token: webhook.secretToken });
}

export async function deleteWebhook(apiRoot: string, token: string): Promise<void> {
  await call(apiRoot, token, "deleteWebhook");
}
