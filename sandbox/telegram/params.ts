import { badRequest } from "./errors.js";
import { boundaryOf, parseMultipart, type UploadedFile } from "./multipart.js";

export type Params = Record<string, unknown>;

export interface ApiRequest {
  params: Params;
  files: Map<string, UploadedFile>;
}

// Form bodies carry everything as strings; these are decoded the way Telegram does.
const JSON_FIELDS = new Set([
  "reply_markup", "entities", "caption_entities", "media", "commands", "scope", "allowed_updates",
  "link_preview_options", "reply_parameters", "menu_button",
]);
const INT_FIELDS = new Set([
  "offset", "limit", "timeout", "message_id", "reply_to_message_id", "cache_time", "max_connections",
  "user_id", "message_thread_id",
]);
const BOOL_FIELDS = new Set([
  "show_alert", "drop_pending_updates", "disable_notification", "protect_content", "has_spoiler",
  "show_caption_above_media", "allow_sending_without_reply", "disable_content_type_detection",
]);

export async function readApiRequest(req: Request): Promise<ApiRequest> {
  const url = new URL(req.url);
  const raw: Record<string, unknown> = Object.fromEntries(url.searchParams);
  let files = new Map<string, UploadedFile>();
  const type = (req.headers.get("content-type") ?? "").toLowerCase();
  if (req.method !== "GET" && req.method !== "HEAD") {
    const body = new Uint8Array(await req.arrayBuffer());
    if (body.length > 0) {
      if (type.startsWith("application/json")) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(Buffer.from(body).toString("utf8"));
        } catch {
          throw badRequest("can't parse JSON body");
        }
        if (parsed && typeof parsed === "object") Object.assign(raw, parsed);
      } else if (type.startsWith("multipart/form-data")) {
        const boundary = boundaryOf(type);
        if (!boundary) throw badRequest("multipart boundary is missing");
        const parsed = parseMultipart(body, boundary);
        Object.assign(raw, parsed.fields);
        files = parsed.files;
      } else {
        Object.assign(raw, Object.fromEntries(new URLSearchParams(Buffer.from(body).toString("utf8"))));
      }
    }
  }
  return { params: normalize(raw), files };
}

function normalize(raw: Record<string, unknown>): Params {
  const out: Params = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || value === undefined) continue;
    if (typeof value !== "string") {
      out[key] = value;
    } else if (JSON_FIELDS.has(key)) {
      out[key] = parseJsonField(key, value);
    } else if (INT_FIELDS.has(key) || (key === "chat_id" && /^-?\d+$/.test(value))) {
      out[key] = Number(value);
    } else if (BOOL_FIELDS.has(key)) {
      out[key] = value === "true" || value === "1";
    } else {
      out[key] = value;
    }
  }
  return out;
}

function parseJsonField(key: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    if (key === "reply_markup") throw badRequest("can't parse reply keyboard markup JSON object");
    if (key.endsWith("entities")) throw badRequest("can't parse entities JSON object");
    throw badRequest(`can't parse ${key} JSON object`);
  }
}

// Typed accessors used by the method handlers.
export function int(params: Params, key: string): number | undefined {
  const value = params[key];
  if (value === undefined || value === "") return undefined;
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isInteger(n)) throw badRequest(`invalid ${key} specified`);
  return n;
}

export function requireInt(params: Params, key: string): number {
  const n = int(params, key);
  if (n === undefined) throw badRequest(`${key} is empty`);
  return n;
}

export function str(params: Params, key: string): string | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : String(value);
}

export function bool(params: Params, key: string): boolean {
  const value = params[key];
  return value === true || value === "true" || value === 1;
}
