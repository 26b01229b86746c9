import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import type { Logger } from "../logger.js";
import { constantTimeEqual } from "../payments/providers/constant-time.js";
import type { Metrics } from "../metrics.js";
import { PROVIDERS } from "../payments/providers/index.js";
import { merchantWebhookRoutes, webhookRoutes, type WebhookDeps } from "./webhooks.js";

export const MAX_BODY_BYTES = 64 * 1024;

export interface HttpAppDeps {
  metrics: Metrics;
  log: Logger;
  /** The environment's shop: its webhooks at /webhooks/<provider>. A platform without one answers those 404. */
  shop?: WebhookDeps;
  /**
   * Database reachable, Telegram connected and workers running; `reason` says what is missing. `selfCheck`:
   * the start-up self-check's lines (src/startup/self-check.ts), shown for the operator; they do not decide `ok`.
   * `receipts`: whether customers' receipts are behind (detail only: a slow queue is not a reason to take the instance out).
   */
  ready(): Promise<{ ok: boolean; checks: Record<string, boolean>; reason?: string; selfCheck?: string[]; receipts?: { behind: boolean; shopsBehind: number; queued: number; lateSeconds: number } }>;
  /** METRICS_TOKEN: when set, /metrics answers only `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** Extra routes mounted by the composition root (Telegram webhook, sandbox pages). */
  mount?: (app: Hono) => void;
  /** A platform: its merchants' webhooks at /webhooks/<provider>/<routeKey>, by route key. */
  merchantWebhooks?: (routeKey: string) => WebhookDeps | undefined;
}

/** The HTTP surface: provider webhooks, health, readiness, metrics. */
export function createHttpApp(deps: HttpAppDeps): Hono {
  const app = new Hono();
  // A platform's merchants each configure their own providers: any this program knows may be one of them.
  const providerNames: readonly string[] = deps.merchantWebhooks ? PROVIDERS.map((d) => d.name) : [...(deps.shop?.providers.keys() ?? [])];
  app.use(requestId());
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    if (c.req.path !== "/healthz" && c.req.path !== "/metrics") {
      const line = { reqId: c.get("requestId"), method: c.req.method, path: c.req.routePath, status: c.res.status, ms: Math.round(performance.now() - started) };
      // One info line per provider webhook: the provider only when it is a configured one (never the raw path: PayWay's
      // holds a token, a platform's a merchant's route key; `path` is the route's pattern).
      const segment = c.req.path.startsWith("/webhooks/") ? c.req.path.split("/")[2] : undefined;
      if (segment !== undefined) deps.log.info({ ...line, provider: providerNames.find((name) => name === segment) ?? "unknown" }, "webhook");
      else deps.log.debug(line, "http");
    }
  });
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => c.json({ ok: false, error: "body too large" }, 413),
  });
  // Provider webhooks read and cap their raw body themselves (src/server/raw-body.ts). GET and HEAD routes read
  // no body: the limiter would build a full Request for each (/healthz answered about 4× slower with it).
  app.use((c, next) => (c.req.method === "GET" || c.req.method === "HEAD" || c.req.path.startsWith("/webhooks/") ? next() : limitBody(c, next)));
  app.onError((err, c) => {
    deps.log.error({ err, reqId: c.get("requestId"), path: c.req.path }, "request failed");
    return c.json({ ok: false, error: "internal error", requestId: c.get("requestId") }, 500);
  });
  app.notFound((c) => c.json({ ok: false, error: "not found" }, 404));

  app.get("/healthz", (c) => c.json({ ok: true }));
  app.get("/readyz", async (c) => {
    const r = await deps.ready();
    return c.json(r, r.ok ? 200 : 503);
  });
  app.get("/metrics", async (c) => {
    if (deps.metricsToken !== undefined && !constantTimeEqual(c.req.header("authorization") ?? "", `Bearer ${deps.metricsToken}`)) {
      return c.json({ ok: false, error: "unauthorized" }, 401, { "WWW-Authenticate": "Bearer" });
    }
    return c.text(await deps.metrics.registry.metrics(), 200, { "Content-Type": deps.metrics.registry.contentType });
  });
  if (deps.shop) app.route("/webhooks", webhookRoutes(deps.shop));
  if (deps.merchantWebhooks) app.route("/webhooks", merchantWebhookRoutes(deps.merchantWebhooks));
  deps.mount?.(app);
  return app;
}
