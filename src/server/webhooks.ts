import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ProviderName } from "../config/config.js";
import type { Database } from "../db/database.js";
import type { Logger } from "../logger.js";
import { webhookRejectionReason, type Metrics } from "../metrics.js";
import { recordPayment, type LedgerDeps } from "../payments/ledger.js";
import type { WebhookRequest } from "../payments/provider.js";
import type { Providers, TopUpService } from "../payments/topups.js";

export interface WebhookDeps {
  database: Database;
  providers: Providers;
  ledger: LedgerDeps;
  topUps: TopUpService;
  metrics: Metrics;
  log: Logger;
}

type Answer = { status: ContentfulStatusCode; body: Record<string, unknown> };

/**
 * Verifies a provider webhook over its raw body and hands what it vouches for to the ledger.
 * Anything not verified is answered 4xx and changes nothing.
 */
export async function handleWebhook(deps: WebhookDeps, name: string, req: WebhookRequest): Promise<Answer> {
  const provider = deps.providers.get(name as ProviderName);
  const reject = (status: ContentfulStatusCode, reason: string): Answer => {
    deps.metrics.webhookRejections.inc({ provider: provider ? name : "unknown", reason: webhookRejectionReason(status) });
    deps.log.warn({ provider: name, status, reason }, "webhook rejected");
    return { status, body: { ok: false, error: reason } };
  };
  if (!provider?.verifyWebhook) return reject(404, "unknown endpoint");

  const result = await provider.verifyWebhook(req);
  switch (result.kind) {
    case "rejected":
      return reject(result.status, result.reason);
    case "ignored":
      deps.metrics.webhooksAccepted.inc({ provider: name });
      return { status: 200, body: { ok: true, ignored: result.reason } };
    case "signal": {
      const topUp = await deps.database.db.topUp.findUnique({ where: { reference: result.reference } });
      if (!topUp || topUp.provider !== name) return reject(404, "unknown order");
      deps.metrics.webhooksAccepted.inc({ provider: name });
      // Only a hint: the provider's status API decides, and may not say "paid" yet.
      await deps.topUps.check(topUp, "webhook").catch((err) => deps.log.warn({ err, provider: name }, "confirming a webhook signal failed; the poller will retry"));
      return { status: 200, body: { ok: true } };
    }
    case "observed": {
      for (const obs of result.observations) {
        const outcome = await recordPayment(deps.ledger, obs, { source: "webhook", requireExactMatch: !provider.capabilities.signedWebhook });
        if (outcome.outcome === "unknown_order") return reject(404, "unknown order");
        if (outcome.outcome === "mismatch") return reject(422, "amount or currency does not match the order");
      }
      deps.metrics.webhooksAccepted.inc({ provider: name });
      return { status: 200, body: { ok: true } };
    }
  }
}

export function webhookRoutes(deps: WebhookDeps): Hono {
  const app = new Hono();
  const run = async (c: import("hono").Context, name: string, pathToken?: string) => {
    const rawBody = Buffer.from(await c.req.arrayBuffer());
    const answer = await handleWebhook(deps, name, { headers: c.req.header(), rawBody, pathToken });
    return c.json(answer.body, answer.status);
  };
  app.post("/payway/:token", (c) => run(c, "payway", c.req.param("token")));
  app.post("/:provider", (c) => {
    const name = c.req.param("provider");
    return name === "payway" ? c.json({ ok: false, error: "unknown endpoint" }, 404) : run(c, name);
  });
  return app;
}
