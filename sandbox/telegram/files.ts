import { randomBytes } from "node:crypto";
import type { Document, PhotoSize } from "grammy/types";
import { ApiError, badRequest } from "./errors.js";
import { imageSize } from "./image-size.js";
import type { UploadedFile } from "./multipart.js";

export interface StoredFile {
  kind: "photo" | "document";
  file_id: string;
  file_unique_id: string;
  file_size: number;
  /** The uploaded bytes; absent when the bot sent a URL (the fake never fetches it). */
  bytes?: Uint8Array;
  url?: string;
  file_name?: string;
  mime_type?: string;
  width: number;
  height: number;
  /** Photo sizes as Telegram returns them, smallest first; the last one is the original. */
  sizes: PhotoSize[];
}

/** A file given as upload (attach:// or a part named like the field), URL or file_id. */
export type FileInput = { upload: UploadedFile } | { url: string } | { fileId: string };

const MIME: Record<string, string> = {
  png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", webp: "image/webp",
  pdf: "application/pdf", txt: "text/plain", csv: "text/csv", json: "application/json", zip: "application/zip",
};

const id = (prefix: string, size = 24) => prefix + randomBytes(size).toString("base64url");

export function fileInput(value: unknown, files: Map<string, UploadedFile>, field: string): FileInput {
  if (value === undefined && files.has(field)) return { upload: files.get(field)! };
  if (typeof value !== "string" || value === "") throw badRequest(`there is no ${field} in the request`);
  if (value.startsWith("attach://")) {
    const upload = files.get(value.slice("attach://".length));
    if (!upload) throw badRequest("wrong file identifier/HTTP URL specified");
    return { upload };
  }
  if (/^https?:\/\//i.test(value)) return { url: value };
  return { fileId: value };
}

export class FileStore {
  private readonly byId = new Map<string, StoredFile>();

  get(fileId: string): StoredFile | undefined {
    return this.byId.get(fileId);
  }

  photo(input: FileInput): StoredFile {
    if ("fileId" in input) return this.existing(input.fileId, "photo");
    if ("url" in input) return this.add({ kind: "photo", url: input.url, file_size: 0, width: 0, height: 0 });
    const { bytes } = input.upload;
    if (bytes.length > 10 * 1024 * 1024) throw new ApiError(413, "Request Entity Too Large");
    const size = imageSize(bytes);
    if (!size || size.width === 0 || size.height === 0) throw badRequest("IMAGE_PROCESS_FAILED");
    const { width, height, mime } = size;
    if (width + height > 10000 || Math.max(width, height) / Math.min(width, height) > 20) {
      throw badRequest("PHOTO_INVALID_DIMENSIONS");
    }
    return this.add({ kind: "photo", bytes, mime_type: mime, file_size: bytes.length, width, height });
  }

  document(input: FileInput): StoredFile {
    if ("fileId" in input) return this.existing(input.fileId, "document");
    if ("url" in input) {
      const file_name = decodeURIComponent(new URL(input.url).pathname.split("/").pop() ?? "") || "file";
      return this.add({ kind: "document", url: input.url, file_name, mime_type: mimeOf(file_name), file_size: 0, width: 0, height: 0 });
    }
    const { bytes, filename } = input.upload;
    if (bytes.length === 0) throw badRequest("file must be non-empty");
    return this.add({
      kind: "document", bytes, file_name: filename, mime_type: mimeOf(filename), file_size: bytes.length, width: 0, height: 0,
    });
  }

  private existing(fileId: string, kind: StoredFile["kind"]): StoredFile {
    const file = this.byId.get(fileId);
    if (!file) throw badRequest("wrong file identifier/HTTP URL specified");
    if (file.kind !== kind) throw badRequest(`can't use file of type ${title(file.kind)} as ${title(kind)}`);
    return file;
  }

  private add(file: Omit<StoredFile, "file_id" | "file_unique_id" | "sizes">): StoredFile {
    const stored: StoredFile = {
      ...file,
      file_id: id(file.kind === "photo" ? "AgACAgIAAxkDAA" : "BQACAgIAAxkDAA"),
      file_unique_id: id("AQAD", 9),
      sizes: [],
    };
    if (stored.kind === "photo") stored.sizes = this.photoSizes(stored);
    this.byId.set(stored.file_id, stored);
    return stored;
  }

  private photoSizes(file: StoredFile): PhotoSize[] {
    const longest = Math.max(file.width, file.height);
    const sizes: PhotoSize[] = [];
    for (const limit of [90, 320, 800]) {
      if (longest <= limit) break;
      const scale = limit / longest;
      const thumb: PhotoSize = {
        file_id: id("AgACAgIAAxkDAA"),
        file_unique_id: id("AQAD", 9),
        width: Math.round(file.width * scale),
        height: Math.round(file.height * scale),
        file_size: Math.max(1, Math.round(file.file_size * scale * scale)),
      };
      this.byId.set(thumb.file_id, file);
      sizes.push(thumb);
    }
    sizes.push({ file_id: file.file_id, file_unique_id: file.file_unique_id, width: file.width, height: file.height, file_size: file.file_size });
    return sizes;
  }
}

export function documentObject(file: StoredFile): Document {
  return {
    file_id: file.file_id,
    file_unique_id: file.file_unique_id,
    file_size: file.file_size,
    ...(file.file_name ? { file_name: file.file_name } : {}),
    ...(file.mime_type ? { mime_type: file.mime_type } : {}),
  };
}

function mimeOf(filename: string): string {
  return MIME[filename.split(".").pop()?.toLowerCase() ?? ""] ?? "application/octet-stream";
}

function title(kind: string): string {
  return kind[0]!.toUpperCase() + kind.slice(1);
}
