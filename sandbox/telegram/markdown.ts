import type { MessageEntity } from "grammy/types";
import { badRequest } from "./errors.js";

// parse_mode "MarkdownV2" (strict: unescaped reserved characters are an error, as on Telegram)
// and legacy "Markdown" (no nesting, no reserved characters).
const RESERVED = "_*[]()~`>#+-=|{}.!";
const NAMES: Record<string, string> = {
  bold: "Bold", italic: "Italic", underline: "Underline", strikethrough: "Strikethrough",
  spoiler: "Spoiler", text_link: "TextUrl", code: "Code", pre: "Pre", custom_emoji: "CustomEmoji",
};

interface Open {
  type: MessageEntity["type"];
  offset: number;
  at: number;
}

export function parseMarkdown(input: string, v2: boolean): { text: string; entities: MessageEntity[] } {
  const bytes = (at: number) => Buffer.byteLength(input.slice(0, at));
  const fail: (what: string) => never = (what) => {
    throw badRequest(`can't parse entities: ${what}`);
  };
  const entities: MessageEntity[] = [];
  const stack: Open[] = [];
  let text = "";
  let quote: number | undefined;
  let i = 0;
  const push = (e: MessageEntity) => {
    if (e.length > 0) entities.push(e);
  };
  const toggle = (type: MessageEntity["type"], width: number) => {
    const index = stack.findIndex((o) => o.type === type);
    if (index === -1) stack.push({ type, offset: text.length, at: i });
    else {
      const open = stack.splice(index, 1)[0]!;
      push({ type, offset: open.offset, length: text.length - open.offset } as MessageEntity);
    }
    i += width;
  };
  while (i < input.length) {
    const ch = input[i]!;
    const next = input[i + 1];
    const lineStart = i === 0 || input[i - 1] === "\n";
    if (v2 && lineStart) {
      if (ch === ">") {
        quote ??= text.length;
        i++;
        continue;
      }
      if (quote !== undefined) {
        push({ type: "blockquote", offset: quote, length: text.length - 1 - quote });
        quote = undefined;
      }
    }
    const legacyTop = !v2 ? stack[stack.length - 1] : undefined;
    if (ch === "\\" && next !== undefined && (v2 ? next.charCodeAt(0) <= 126 : "_*`[".includes(next))) {
      text += next;
      i += 2;
    } else if (legacyTop && !(ch === "]" ? legacyTop.type === "text_link" : markerOf(legacyTop.type) === ch)) {
      text += ch;
      i++;
    } else if (ch === "`") {
      i = readCode(input, i, v2, (content, language) => {
        const type = language === undefined ? "code" : "pre";
        push({ type, offset: text.length, length: content.length, ...(language ? { language } : {}) } as MessageEntity);
        text += content;
      }, () => fail(v2 ? `Can't find end of ${input.startsWith("```", i) ? "Pre" : "Code"} entity at byte offset ${bytes(i)}` : `Can't find end of the entity starting at byte offset ${bytes(i)}`));
    } else if (ch === "*") toggle("bold", 1);
    else if (ch === "_" && v2 && next === "_") toggle("underline", 2);
    else if (ch === "_") toggle("italic", 1);
    else if (v2 && ch === "~") toggle("strikethrough", 1);
    else if (v2 && ch === "|" && next === "|") toggle("spoiler", 2);
    else if (ch === "[" || (v2 && ch === "!" && next === "[")) {
      const type = ch === "!" ? "custom_emoji" : "text_link";
      stack.push({ type, offset: text.length, at: i });
      i += ch === "!" ? 2 : 1;
    } else if (ch === "]" && stack.some((o) => o.type === "text_link" || o.type === "custom_emoji")) {
      const index = stack.findLastIndex((o) => o.type === "text_link" || o.type === "custom_emoji");
      const open = stack.splice(index, 1)[0]!;
      const url = readUrl(input, i + 1);
      if (url === undefined) {
        if (v2) fail(`Can't find end of ${NAMES[open.type]} entity at byte offset ${bytes(open.at)}`);
        text += "]";
        i++;
        continue;
      }
      const base = { offset: open.offset, length: text.length - open.offset };
      if (open.type === "custom_emoji") push({ ...base, type: "custom_emoji", custom_emoji_id: /id=(\d+)/.exec(url.value)?.[1] ?? "" });
      else push({ ...base, type: "text_link", url: url.value });
      i = url.end;
    } else if (v2 && RESERVED.includes(ch)) {
      fail(`Character '${ch}' is reserved and must be escaped with the preceding '\\'`);
    } else {
      text += ch;
      i++;
    }
  }
  if (quote !== undefined) push({ type: "blockquote", offset: quote, length: text.length - quote });
  const open = stack[0];
  if (open) {
    fail(v2 ? `Can't find end of ${NAMES[open.type] ?? open.type} entity at byte offset ${bytes(open.at)}` : `Can't find end of the entity starting at byte offset ${bytes(open.at)}`);
  }
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text, entities };
}

function markerOf(type: MessageEntity["type"]): string {
  return type === "bold" ? "*" : type === "italic" ? "_" : "";
}

/** Reads inline code or a ``` block starting at `start`; returns the index after it. */
function readCode(
  input: string,
  start: number,
  v2: boolean,
  emit: (content: string, language: string | undefined) => void,
  unclosed: () => never,
): number {
  const fence = input.startsWith("```", start) ? "```" : "`";
  let i = start + fence.length;
  let content = "";
  while (i < input.length && !input.startsWith(fence, i)) {
    if (v2 && input[i] === "\\" && i + 1 < input.length) {
      content += input[i + 1];
      i += 2;
    } else {
      content += input[i];
      i++;
    }
  }
  if (i >= input.length) unclosed();
  let language: string | undefined;
  if (fence === "```") {
    const newline = content.indexOf("\n");
    const first = newline === -1 ? "" : content.slice(0, newline);
    language = /^[\w+-]+$/.test(first) ? first : "";
    if (language) content = content.slice(newline + 1);
    else if (newline === 0) content = content.slice(1);
  }
  emit(content, language);
  return i + fence.length;
}

function readUrl(input: string, start: number): { value: string; end: number } | undefined {
  if (input[start] !== "(") return undefined;
  let value = "";
  for (let i = start + 1; i < input.length; i++) {
    const ch = input[i]!;
    if (ch === "\\" && i + 1 < input.length) value += input[++i];
    else if (ch === ")") return { value, end: i + 1 };
    else value += ch;
  }
  return undefined;
}
