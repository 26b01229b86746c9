import type { MessageEntity } from "grammy/types";
import { badRequest } from "./errors.js";
import { parseHtml } from "./html.js";
import { parseMarkdown } from "./markdown.js";

export interface Formatted {
  text: string;
  entities?: MessageEntity[];
}

/** Applies `parse_mode` (or explicit entities) the way Telegram does before storing text. */
export function formatText(raw: string, parseMode: string | undefined, entities: unknown): Formatted {
  let result: Formatted;
  switch (parseMode?.toLowerCase()) {
    case undefined:
    case "":
      result = { text: raw, ...(Array.isArray(entities) ? { entities: entities as MessageEntity[] } : {}) };
      break;
    case "html":
      result = parseHtml(raw);
      break;
    case "markdownv2":
      result = parseMarkdown(raw, true);
      break;
    case "markdown":
      result = parseMarkdown(raw, false);
      break;
    default:
      throw badRequest(`unsupported parse_mode`);
  }
  if (result.entities?.length === 0) delete result.entities;
  return result;
}

export function messageText(raw: string | undefined, parseMode: string | undefined, entities: unknown): Formatted {
  const formatted = formatText(raw ?? "", parseMode, entities);
  if (formatted.text.trim() === "") throw badRequest("message text is empty");
  if (formatted.text.length > 4096) throw badRequest("message is too long");
  return formatted;
}

export function captionText(raw: string | undefined, parseMode: string | undefined, entities: unknown): Formatted | undefined {
  if (raw === undefined || raw === "") return undefined;
  const formatted = formatText(raw, parseMode, entities);
  if (formatted.text.length > 1024) throw badRequest("message caption is too long");
  return formatted;
}

/** bot_command entities, as Telegram adds them to incoming text. */
export function commandEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  for (const m of text.matchAll(/(^|\s)(\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?)/g)) {
    entities.push({ type: "bot_command", offset: m.index + m[1]!.length, length: m[2]!.length });
  }
  return entities;
}
