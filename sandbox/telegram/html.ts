import type { MessageEntity } from "grammy/types";
import { badRequest } from "./errors.js";

// Telegram's parse_mode "HTML": supported tags become entities; anything else is rejected
// with the same "can't parse entities" errors Telegram returns.
const TAGS: Record<string, MessageEntity["type"]> = {
  b: "bold", strong: "bold", i: "italic", em: "italic", u: "underline", ins: "underline",
  s: "strikethrough", strike: "strikethrough", del: "strikethrough", "tg-spoiler": "spoiler",
  span: "spoiler", a: "text_link", code: "code", pre: "pre", blockquote: "blockquote",
  "tg-emoji": "custom_emoji",
};
const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'", nbsp: "\u00a0" };

interface Open {
  name: string;
  offset: number;
  attrs: Map<string, string>;
  language?: string;
}

export function parseHtml(input: string): { text: string; entities: MessageEntity[] } {
  const fail: (what: string, at: number) => never = (what, at) => {
    throw badRequest(`can't parse entities: ${what} at byte offset ${Buffer.byteLength(input.slice(0, at))}`);
  };
  const entities: MessageEntity[] = [];
  const stack: Open[] = [];
  let text = "";
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (ch === "&") {
      const m = /^&(#x[0-9a-f]+|#\d+|[a-z]+);/i.exec(input.slice(i, i + 12));
      const decoded = m ? decodeEntity(m[1]!) : undefined;
      text += decoded ?? "&";
      i += decoded === undefined ? 1 : m![0].length;
      continue;
    }
    if (ch !== "<") {
      text += ch;
      i++;
      continue;
    }
    const close = input.indexOf(">", i);
    if (close === -1) fail("Unclosed start tag", i);
    const inner = input.slice(i + 1, close);
    if (inner.startsWith("/")) {
      const name = inner.slice(1).trim().toLowerCase();
      const top = stack.pop();
      if (!top) fail("Unexpected end tag", i);
      if (name !== "" && name !== top.name) fail(`Unmatched end tag, expected "</${top.name}>", found "</${name}>"`, i);
      finish(top, text.length, stack, entities);
    } else {
      const name = (/^[a-z0-9-]+/i.exec(inner)?.[0] ?? "").toLowerCase();
      const attrs = parseAttrs(inner.slice(name.length));
      const supported = name in TAGS && (name !== "span" || attrs.get("class") === "tg-spoiler");
      if (!supported) fail(`Unsupported start tag "${name}"`, i);
      stack.push({ name, offset: text.length, attrs });
    }
    i = close + 1;
  }
  const unclosed = stack.pop();
  if (unclosed) throw badRequest(`can't parse entities: Can't find end tag corresponding to start tag "${unclosed.name}"`);
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text, entities };
}

function finish(tag: Open, end: number, stack: Open[], out: MessageEntity[]): void {
  const parent = stack[stack.length - 1];
  const language = /^language-(.+)$/.exec(tag.attrs.get("class") ?? "")?.[1];
  // <pre><code class="language-x"> is one pre entity with a language, not two entities.
  if (tag.name === "code" && parent?.name === "pre" && language) {
    parent.language = language;
    return;
  }
  const length = end - tag.offset;
  if (length <= 0) return;
  const base = { offset: tag.offset, length };
  const type = TAGS[tag.name]!;
  if (type === "text_link") out.push({ ...base, type, url: tag.attrs.get("href") ?? "" });
  else if (type === "pre") out.push({ ...base, type, ...(tag.language ? { language: tag.language } : {}) });
  else if (type === "custom_emoji") out.push({ ...base, type, custom_emoji_id: tag.attrs.get("emoji-id") ?? "" });
  else if (type === "blockquote" && tag.attrs.has("expandable")) out.push({ ...base, type: "expandable_blockquote" });
  else out.push({ ...base, type } as MessageEntity);
}

function parseAttrs(source: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const m of source.matchAll(/([a-z][a-z0-9-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/gi)) {
    attrs.set(m[1]!.toLowerCase(), decodeAll(m[2] ?? m[3] ?? m[4] ?? ""));
  }
  return attrs;
}

function decodeAll(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, body: string) => decodeEntity(body) ?? all);
}

function decodeEntity(body: string): string | undefined {
  if (!body.startsWith("#")) return NAMED[body.toLowerCase()];
  const code = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : Number(body.slice(1));
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}
