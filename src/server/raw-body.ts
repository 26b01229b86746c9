import type { Context } from "hono";
import type { IncomingMessage } from "node:http";

/** `aborted`: the client went away mid-body (nobody reads the answer; not an error of ours). */
export type RawBody = { ok: true; body: Buffer } | { ok: false; status: 400 | 413; aborted?: true };

/**
 * Reads a request body as bytes, at most `maxBytes`: straight from Node's request when served by
 * @hono/node-server (no WHATWG Request is built), else through the Fetch API (app.request in tests).
 * A declared Content-Length over the cap is refused before reading anything.
 */
export async function readRawBody(c: Context, maxBytes: number): Promise<RawBody> {
  const declared = c.req.header("content-length");
  if (declared !== undefined) {
    if (!/^\d+$/.test(declared.trim())) return { ok: false, status: 400 };
    if (Number(declared) > maxBytes) return { ok: false, status: 413 };
  }
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming && !incoming.readableDidRead) return readIncoming(incoming, maxBytes);
  const body = Buffer.from(await c.req.arrayBuffer());
  return body.length > maxBytes ? { ok: false, status: 413 } : { ok: true, body };
}

function readIncoming(incoming: IncomingMessage, maxBytes: number): Promise<RawBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      // Over the cap: stop keeping it (the rest is discarded as it arrives) and answer at once.
      incoming.off("data", onData);
      incoming.off("end", onEnd);
      incoming.resume();
      resolve({ ok: false, status: 413 });
    };
    const onEnd = () => resolve({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
    incoming.on("data", onData);
    incoming.once("end", onEnd);
    incoming.once("error", () => resolve({ ok: false, status: 400, aborted: true }));
  });
}
