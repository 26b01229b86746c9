import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * The only values of khqr_webhook_rejections_total{reason}: one code per answer status. A label never
 * takes text from a request (a Content-Type, a field name, an amount), so unauthenticated callers
 * cannot grow the registry; the log line keeps the detailed reason.
 */
export const WEBHOOK_REJECTION_REASONS = {
  400: "malformed",
  401: "unauthenticated",
  403: "bad_signature",
  404: "not_found",
  413: "too_large",
  415: "content_type",
  422: "mismatch",
} as const satisfies Record<number, string>;
export type WebhookRejectionReason = (typeof WEBHOOK_REJECTION_REASONS)[keyof typeof WEBHOOK_REJECTION_REASONS] | "other";

export function webhookRejectionReason(status: number): WebhookRejectionReason {
  return Object.hasOwn(WEBHOOK_REJECTION_REASONS, status) ? WEBHOOK_REJECTION_REASONS[status as keyof typeof WEBHOOK_REJECTION_REASONS] : "other";
}

/** Every Prometheus metric the program exports, on its own registry (no globals). */
export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    topUpsCreated: new Counter({ name: "khqr_topups_created_total", help: "Top-ups created", labelNames: ["provider"], registers }),
    topUpsPaid: new Counter({ name: "khqr_topups_paid_total", help: "Payments recorded", labelNames: ["provider", "flag", "source"], registers }),
    topUpsCredited: new Counter({ name: "khqr_topups_credited_total", help: "Credits applied on the panel", registers }),
    topUpsExpired: new Counter({ name: "khqr_topups_expired_total", help: "Top-ups that expired unpaid", labelNames: ["provider"], registers }),
    creditsHeld: new Counter({ name: "khqr_credits_held_total", help: "Credits held for an admin", labelNames: ["reason"], registers }),
    creditLatency: new Histogram({
      name: "khqr_credit_latency_seconds",
      help: "From a verified payment observation to the panel accepting the credit",
      buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
    providerErrors: new Counter({ name: "khqr_provider_errors_total", help: "Provider call failures", labelNames: ["provider", "kind"], registers }),
    panelErrors: new Counter({ name: "khqr_panel_errors_total", help: "Panel call failures", labelNames: ["kind"], registers }),
    webhookRejections: new Counter({ name: "khqr_webhook_rejections_total", help: "Webhooks refused", labelNames: ["provider", "reason"], registers }),
    webhooksAccepted: new Counter({ name: "khqr_webhooks_accepted_total", help: "Webhooks verified and handled", labelNames: ["provider"], registers }),
    pollCalls: new Counter({ name: "khqr_poll_calls_total", help: "Status calls made by the poller", labelNames: ["provider"], registers }),
    /** Labelled by audience only: customers | admins. */
    notificationQueueDepth: new Gauge({ name: "khqr_notification_queue_depth", help: "Messages queued, by audience (customers: receipts)", labelNames: ["audience"], registers }),
    notificationQueueLag: new Gauge({
      name: "khqr_notification_queue_oldest_seconds",
      help: "How long the longest-waiting queued message has been due, by audience (0 when none is due)",
      labelNames: ["audience"],
      registers,
    }),
    crediterConcurrencyLimit: new Gauge({
      name: "khqr_crediter_concurrency_limit",
      help: "Panel credit calls the crediter lets run at once: adaptive up to PANEL_MAX_CONNECTIONS, or CREDIT_CONCURRENCY when set",
      registers,
    }),
    deeplinks: new Counter({ name: "khqr_deeplinks_total", help: "Open-in-bank-app links asked for, by outcome (ok|error|timeout|none)", labelNames: ["provider", "outcome"], registers }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
