import type { UploadedFile } from "./multipart.js";
import type { Params } from "./params.js";
import type { BotState } from "./state.js";

export interface MethodContext {
  bot: BotState;
  params: Params;
  files: Map<string, UploadedFile>;
  /** Aborted when the HTTP client goes away (ends a long poll early). */
  signal: AbortSignal;
}

export type Handler = (ctx: MethodContext) => unknown;

/** Key-order-independent JSON, to compare message content the way Telegram does. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
