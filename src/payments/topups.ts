import type { Config, ProviderName } from "../config/config.js";
import type { Currency } from "../money/money.js";
import type { MerchantDatabase } from "../db/merchant-scope.js";
import type { TopUp } from "../generated/sqlite/client.js";
import { attachTopUpMessage, cancelTopUp, expireTopUp, openTopUp } from "../ledger/top-up-records.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import type { RecordOutcome } from "../ledger/observation.js";
import { recordPayment, type LedgerDeps } from "../ledger/record-payment.js";
import { ProviderError, type CreatedPayment, type PaymentProvider, type TopUpRef } from "./provider.js";
import { newReference } from "../ledger/reference.js";
import { OPEN_OR_LATE, TopUpStatus, type ObservationSource } from "../ledger/states.js";
import { isUniqueViolation } from "../db/unique-violation.js";

export type Providers = ReadonlyMap<ProviderName, PaymentProvider>;

/**
 * A test payment's amount (issue 23): one cent in USD; in KHR 100 riel, the smallest riel note, which every bank
 * app pays (no provider here names a smaller minimum).
 */
export const TEST_PAYMENT_MINOR: Readonly<Record<Currency, number>> = { USD: 1, KHR: 100 };

export type StartResult =
  | { ok: true; topUp: TopUp; payment: CreatedPayment }
  | { ok: false; reason: "pending_exists"; topUp: TopUp }
  | { ok: false; reason: "amount_out_of_range" | "not_linked" | "unknown_provider" }
  | { ok: false; reason: "provider_error"; error: ProviderError };

export type CheckResult = { state: TopUpStatus; recorded: RecordOutcome[] };

export interface TopUpServiceDeps {
  /** The merchant's view of the database: its customers' top-ups only. */
  database: MerchantDatabase;
  providers: Providers;
  ledger: LedgerDeps;
  topup: Config["topup"];
  metrics: Metrics;
  log: Logger;
  now?: () => Date;
}

export function topUpRef(t: TopUp): TopUpRef {
  return {
    reference: t.reference, amountMinor: t.amountMinor, currency: t.currency as TopUpRef["currency"], panelLogin: t.panelLogin,
    createdAt: t.createdAt, expiresAt: t.expiresAt, providerRef: t.providerRef, md5: t.md5, qr: t.qr,
  };
}

/** One merchant's top-up state machine: create, cancel, expire, check. Payment state lives here, never in a chat. */
export function createTopUpService(deps: TopUpServiceDeps) {
  const { db, merchantId } = deps.database;
  if (deps.ledger.merchantId !== merchantId) throw new Error(`the top-up service of merchant ${merchantId} records payments as merchant ${deps.ledger.merchantId}`);
  const now = () => deps.now?.() ?? new Date();

  async function pendingFor(userId: number): Promise<TopUp | null> {
    return db.topUp.findFirst({ where: { userId, status: TopUpStatus.PENDING, expiresAt: { gt: now() } }, orderBy: { id: "desc" } });
  }

  async function find(id: number): Promise<TopUp | null> {
    return db.topUp.findUnique({ where: { id } });
  }

  /** The top-up with this id if the Telegram user it belongs to is this one. */
  async function findOwned(id: number, telegramId: number): Promise<TopUp | null> {
    const topUp = await db.topUp.findUnique({ where: { id }, include: { user: { select: { telegramId: true } } } });
    return topUp && topUp.user.telegramId === BigInt(telegramId) ? topUp : null;
  }

  /** A customer's newest top-ups, newest first. */
  async function recentFor(userId: number, take: number): Promise<TopUp[]> {
    return db.topUp.findMany({ where: { userId }, orderBy: { id: "desc" }, take });
  }

  async function start(input: { userId: number; chatId: bigint; amountMinor: number; provider: ProviderName }): Promise<StartResult> {
    return open(input, { test: false });
  }

  /**
   * The shop's test payment (issue 23): TEST_PAYMENT_MINOR of the shop's currency, the one top-up allowed below
   * TOPUP_MIN; marked a test payment in the transaction that opens it. An ordinary top-up in the ledger otherwise.
   */
  async function startTestPayment(input: { userId: number; chatId: bigint; provider: ProviderName }): Promise<StartResult> {
    return open({ ...input, amountMinor: TEST_PAYMENT_MINOR[deps.topup.currency] }, { test: true });
  }

  /** The test payment's KHQR card was sent (its summary's first step). */
  async function testPaymentShown(topUpId: number): Promise<void> {
    await db.testPayment.updateMany({ where: { topUpId, merchantId, shownAt: null }, data: { shownAt: now() } });
  }

  async function open(input: { userId: number; chatId: bigint; amountMinor: number; provider: ProviderName }, opts: { test: boolean }): Promise<StartResult> {
    const provider = deps.providers.get(input.provider);
    if (!provider) return { ok: false, reason: "unknown_provider" };
    if (!opts.test && (input.amountMinor < deps.topup.minMinor || input.amountMinor > deps.topup.maxMinor)) return { ok: false, reason: "amount_out_of_range" };
    const user = await db.user.findUniqueOrThrow({ where: { id: input.userId } });
    if (!user.panelLogin) return { ok: false, reason: "not_linked" };
    const pending = await pendingFor(user.id);
    if (pending) return { ok: false, reason: "pending_exists", topUp: pending };

    const createdAt = now();
    const expiresAt = new Date(createdAt.getTime() + deps.topup.ttlSeconds * 1000);
    for (let attempt = 0; ; attempt++) {
      const reference = newReference(createdAt);
      if (await db.topUp.findUnique({ where: { reference }, select: { id: true } })) continue;
      const ref: TopUpRef = { reference, amountMinor: input.amountMinor, currency: deps.topup.currency, panelLogin: user.panelLogin, createdAt, expiresAt };
      let payment: CreatedPayment;
      try {
        payment = await provider.create(ref);
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        deps.metrics.providerErrors.inc({ provider: input.provider, kind: err.kind });
        deps.log.warn({ provider: input.provider, kind: err.kind, code: err.opts.code, msg: err.message }, "provider could not create a payment");
        return { ok: false, reason: "provider_error", error: err };
      }
      try {
        const record = {
          merchantId: user.merchantId, reference, userId: user.id, chatId: input.chatId, provider: input.provider, currency: deps.topup.currency,
          amountMinor: input.amountMinor, panelLogin: user.panelLogin,
          qr: payment.qr ?? null, md5: payment.md5 ?? null, checkoutUrl: payment.checkoutUrl ?? null, providerRef: payment.providerRef ?? null,
          expiresAt: payment.expiresAt ?? expiresAt, nextPollAt: provider.capabilities.statusApi ? createdAt : null, createdAt,
        };
        const topUp = opts.test
          ? await db.$transaction(async (tx) => {
              const opened = await openTopUp(tx, record);
              await tx.testPayment.create({ data: { topUpId: opened.id, merchantId, requestedAt: createdAt } });
              return opened;
            })
          : await openTopUp(db, record);
        deps.metrics.topUpsCreated.inc({ provider: input.provider });
        return { ok: true, topUp, payment };
      } catch (err) {
        if (!isUniqueViolation(err) || attempt >= 3) throw err;
      }
    }
  }

  async function attachMessage(topUpId: number, messageId: number): Promise<void> {
    await attachTopUpMessage(db, topUpId, messageId);
  }

  /** Customer cancelled. A payment that still arrives is credited all the same. */
  async function cancel(topUpId: number): Promise<TopUp | null> {
    const changed = await cancelTopUp(db, topUpId, now());
    const topUp = await db.topUp.findUnique({ where: { id: topUpId } });
    if (changed && topUp) await closeAtProvider(topUp);
    return changed ? topUp : null;
  }

  async function closeAtProvider(topUp: TopUp): Promise<void> {
    const provider = deps.providers.get(topUp.provider as ProviderName);
    if (!provider?.cancel) return;
    try {
      await provider.cancel(topUpRef(topUp));
    } catch (err) {
      // The order may have been paid meanwhile; the poller keeps checking through the grace period.
      deps.log.warn({ topUpId: topUp.id, provider: topUp.provider, msg: (err as Error).message }, "could not close the order at the provider");
    }
  }

  /** Marks unpaid top-ups past their expiry; each customer is told once. */
  async function expireDue(limit = 200): Promise<number> {
    const at = now();
    const due = await db.topUp.findMany({ where: { status: TopUpStatus.PENDING, expiresAt: { lte: at } }, take: limit });
    let expired = 0;
    for (const topUp of due) {
      if (!(await expireTopUp(db, topUp, at))) continue;
      expired++;
      deps.metrics.topUpsExpired.inc({ provider: topUp.provider });
      await closeAtProvider(topUp);
    }
    if (expired > 0) deps.ledger.wakeup.notify("notifications");
    return expired;
  }

  /** Asks the provider now (the customer's "check" button, or a webhook that is only a signal). */
  async function check(topUp: TopUp, source: ObservationSource): Promise<CheckResult> {
    const provider = deps.providers.get(topUp.provider as ProviderName);
    const recorded: RecordOutcome[] = [];
    if (provider?.checkStatus && OPEN_OR_LATE.includes(topUp.status)) {
      deps.metrics.pollCalls.inc({ provider: topUp.provider });
      const [result] = await provider.checkStatus([topUpRef(topUp)]);
      if (result?.state === "paid") {
        for (const obs of result.observations) recorded.push(await recordPayment(deps.ledger, obs, { source, signed: true }));
      }
    }
    const fresh = await db.topUp.findUniqueOrThrow({ where: { id: topUp.id } });
    return { state: fresh.status as TopUpStatus, recorded };
  }

  return { start, startTestPayment, testPaymentShown, pendingFor, find, findOwned, recentFor, attachMessage, cancel, expireDue, check };
}

export type TopUpService = ReturnType<typeof createTopUpService>;
