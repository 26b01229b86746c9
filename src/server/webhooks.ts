import { Hono } from "hono";
import { createHash } from "node:crypto";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ProviderName } from "../config/config.js";
import type { Database } from "../db/database.js";
import type { Logger } from "../logger.js";
import { webhookRejectionReason, type Metrics } from "../metrics.js";
import { enqueueNotification } from "../ledger/outbox.js";
import { recordPayment, type LedgerDeps } from "../ledger/record-payment.js";
import type { PaymentProvider, WebhookRequest, WebhookResult } from "../payments/provider.js";
import { PROVIDERS } from "../payments/providers/index.js";
import type { Providers, TopUpService } from "../payments/topups.js";
import { readRawBody } from "./raw-body.js";

/** One merchant's webhooks: its providers, and its ledger (whose `merchantId` every payment and note is recorded under). */
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
 * Anything not verified is answered 4xx and changes nothing; anything verified is recorded and 200.
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
  if (result.kind === "rejected") return reject(result.status, result.reason);
  const answer = await handleVerified(deps, provider, result);
  if (answer.status >= 400) return reject(answer.status, String(answer.body.error));
  deps.metrics.webhooksAccepted.inc({ provider: name });
  return answer;
}

/** Whatever a verified webhook says is kept (a payment row or an admin note) and answered 200. */
async function handleVerified(deps: WebhookDeps, provider: PaymentProvider, result: Exclude<WebhookResult, { kind: "rejected" }>): Promise<Answer> {
  const unknownOrder: Answer = { status: 404, body: { ok: false, error: "unknown order" } };
  const ours = async (reference: string | undefined) => {
    const topUp = reference ? await deps.database.db.topUp.findUnique({ where: { reference, merchantId: deps.ledger.merchantId } }) : null;
    return topUp && topUp.provider === provider.name ? topUp : null;
  };
  switch (result.kind) {
    case "ignored":
      if (result.adminNote) {
        // Unsigned notifications are verified only by naming an order of ours.
        if (!provider.capabilities.signedWebhook && !(await ours(result.adminNote.reference))) return unknownOrder;
        await noticeForAdmins(deps, provider.name, result.adminNote);
      }
      return { status: 200, body: { ok: true, ignored: result.reason } };
    case "signal": {
      const topUp = await ours(result.reference);
      if (!topUp) {
        if (!provider.capabilities.signedWebhook) return unknownOrder;
        await noticeForAdmins(deps, provider.name, { reference: result.reference, detail: "a payment signal for a reference that is not one of our top-ups with this provider" });
        return { status: 200, body: { ok: true, ignored: "unknown order" } };
      }
      // Only a hint: the provider's status API decides, and may not say "paid" yet.
      await deps.topUps.check(topUp, "webhook").catch((err) => deps.log.warn({ err, provider: provider.name }, "confirming a webhook signal failed; the poller will retry"));
      return { status: 200, body: { ok: true } };
    }
    case "observed": {
      let unverified = 0;
      for (const obs of result.observations) {
        const recorded = await recordPayment(deps.ledger, obs, { source: "webhook", signed: provider.capabilities.signedWebhook });
        if (recorded.outcome === "unverified") unverified++;
      }
      if (unverified > 0 && unverified === result.observations.length) return unknownOrder;
      return { status: 200, body: { ok: true } };
    }
  }
}

const NOTICE_DETAIL_MAX = 500;
/** Provider notifications are a few hundred bytes; anything near this is not one. */
export const MAX_WEBHOOK_BYTES = 64 * 1024;

/** One admin note per (provider, reference, detail), however many times the provider repeats it. */
async function noticeForAdmins(deps: WebhookDeps, provider: ProviderName, note: { reference?: string; detail: string }): Promise<void> {
  const detail = note.detail.slice(0, NOTICE_DETAIL_MAX);
  const reference = note.reference?.slice(0, 100) ?? null;
  const digest = createHash("sha256").update(`${reference ?? ""}\n${detail}`).digest("hex").slice(0, 32);
  await enqueueNotification(deps.database.db, deps.ledger.merchantId, deps.ledger.adminChats, `notice:${provider}:${digest}`, { kind: "admin.notice", provider, reference, detail });
  deps.ledger.wakeup.notify("notifications");
}

export function webhookRoutes(deps: WebhookDeps): Hono {
  const app = new Hono();
  const run = async (c: import("hono").Context, name: string, pathToken?: string) => {
    const read = await readRawBody(c, MAX_WEBHOOK_BYTES);
    if (!read.ok && read.aborted) deps.log.debug({ provider: name }, "webhook client went away mid-body");
    if (!read.ok) return c.json({ ok: false, error: read.status === 413 ? "body too large" : "bad Content-Length" }, read.status, { Connection: "close" });
    const answer = await handleWebhook(deps, name, { headers: c.req.header(), rawBody: read.body, pathToken });
    return c.json(answer.body, answer.status);
  };
  for (const d of PROVIDERS) {
    if (d.webhookRoute) app.post(d.webhookRoute, (c) => run(c, d.name, c.req.param("token")));
  }
  // Any other name is answered (and counted) as an unknown endpoint; a provider whose route carries a token
  // is not reached without one.
  const elsewhere = new Set<string>(PROVIDERS.filter((d) => d.webhookRoute !== undefined && d.webhookRoute !== `/${d.name}`).map((d) => d.name));
  app.post("/:provider", (c) => {
    const name = c.req.param("provider");
    return elsewhere.has(name) ? c.json({ ok: false, error: "unknown endpoint" }, 404) : run(c, name);
  });
  return app;
}
