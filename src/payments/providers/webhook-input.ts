import type { WebhookRequest, WebhookResult } from "../provider.js";

/** Reading a webhook request: header lookup, content type, body, and the rejection answer. */

export type RejectStatus = Extract<WebhookResult, { kind: "rejected" }>["status"];

export function reject(status: RejectStatus, reason: string): WebhookResult {
  return { kind: "rejected", status, reason };
}

/** The first header whose name matches `name` (given in lower case) regardless of case. */
export function header(headers: WebhookRequest["headers"], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** `application/json`, parameters such as `; charset=utf-8` allowed. */
export function isJson(contentType: string | undefined): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === "application/json";
}

/** The body as strict UTF-8 JSON; undefined when it is not. */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body)) as unknown;
  } catch {
    return undefined;
  }
}
