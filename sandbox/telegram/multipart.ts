// Own parser because undici's FormData parser rejects grammY's compact part headers
// (`content-disposition:form-data;name="x";filename=photo.jpg`), which Telegram accepts.

export interface UploadedFile {
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

export interface MultipartBody {
  fields: Record<string, string>;
  files: Map<string, UploadedFile>;
}

export function boundaryOf(contentType: string): string | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

export function parseMultipart(body: Uint8Array, boundary: string): MultipartBody {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiter = Buffer.from(`--${boundary}`);
  const result: MultipartBody = { fields: {}, files: new Map() };
  let pos = buf.indexOf(delimiter);
  while (pos !== -1) {
    let start = pos + delimiter.length;
    if (buf.subarray(start, start + 2).toString() === "--") break; // closing delimiter
    if (buf.subarray(start, start + 2).toString() === "\r\n") start += 2;
    const next = buf.indexOf(delimiter, start);
    if (next === -1) break;
    // The CRLF before the next delimiter belongs to the delimiter, not the content.
    const end = buf[next - 2] === 0x0d && buf[next - 1] === 0x0a ? next - 2 : next;
    addPart(result, buf.subarray(start, end));
    pos = next;
  }
  return result;
}

function addPart(result: MultipartBody, part: Buffer): void {
  const split = part.indexOf("\r\n\r\n");
  if (split === -1) return;
  const headers = new Map<string, string>();
  for (const line of part.subarray(0, split).toString("utf8").split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const disposition = dispositionParams(headers.get("content-disposition") ?? "");
  const name = disposition.get("name");
  if (name === undefined) return;
  const content = part.subarray(split + 4);
  const filename = disposition.get("filename");
  if (filename === undefined) {
    result.fields[name] = content.toString("utf8");
    return;
  }
  result.files.set(name, {
    filename,
    contentType: headers.get("content-type") ?? "application/octet-stream",
    bytes: new Uint8Array(content),
  });
}

function dispositionParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const match of value.matchAll(/;\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g)) {
    const raw = (match[2] ?? "").trim();
    const unquoted = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, "$1") : raw;
    params.set((match[1] ?? "").toLowerCase(), unquoted);
  }
  const star = params.get("filename*");
  if (star) params.set("filename", decodeURIComponent(star.replace(/^[^']*'[^']*'/, "")));
  return params;
}
