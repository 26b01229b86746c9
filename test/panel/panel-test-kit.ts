import { inspect } from "node:util";
import { Hono } from "hono";
import { expect } from "vitest";
import { PanelError, type PanelErrorKind } from "../../src/panel/panel-client.js";
import { serveApp } from "../../sandbox/serve.js";

export const API_KEY = "sk-live-7f3a9c1e5b2d4f60";
export const FAST = { readMs: 400, writeMs: 400 };

/** Awaits a call that must fail with a PanelError of `kind`, and checks the API key is nowhere in it or its causes. */
export async function expectPanelError(call: Promise<unknown>, kind: PanelErrorKind, message?: RegExp | string): Promise<PanelError> {
  const err = await call.then(
    (value) => {
      throw new Error(`expected a PanelError, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PanelError);
  const panelError = err as PanelError;
  expect(panelError.kind, panelError.message).toBe(kind);
  if (message !== undefined) expect(panelError.message).toMatch(message);
  // The whole error as a logger would print it, causes included.
  const everything = inspect(panelError, { depth: 10 });
  expect(everything).not.toContain(API_KEY);
  expect(everything).not.toContain(encodeURIComponent(API_KEY));
  return panelError;
}

export interface StubRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

export interface StubAnswer {
  status?: number;
  body: string;
  contentType?: string;
}

/** A server that records every request and answers whatever the test says: for shapes no simulator speaks. */
export async function startStub(answer: (req: StubRequest) => StubAnswer) {
  const requests: StubRequest[] = [];
  let current = answer;
  const app = new Hono();
  app.all("*", async (c) => {
    const url = new URL(c.req.url);
    const req: StubRequest = {
      method: c.req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(c.req.raw.headers),
      body: await c.req.text(),
    };
    requests.push(req);
    const a = current(req);
    return new Response(a.body, { status: a.status ?? 200, headers: { "content-type": a.contentType ?? "application/json" } });
  });
  const server = await serveApp(app);
  return {
    url: server.url,
    requests,
    answer(next: (req: StubRequest) => StubAnswer) {
      current = next;
    },
    close: server.close,
  };
}

export const json = (value: unknown, status = 200): StubAnswer => ({ status, body: JSON.stringify(value) });
export const html = (status = 200, text = "<html><body>Site under construction</body></html>"): StubAnswer => ({
  status,
  body: text,
  contentType: "text/html",
});

/** An address where nothing listens: a server that was started and closed. */
export async function closedPortUrl(): Promise<string> {
  const server = await serveApp(new Hono());
  await server.close();
  return server.url;
}
