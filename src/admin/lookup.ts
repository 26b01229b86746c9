import type { MerchantDatabase } from "../db/merchant-scope.js";
import type { Prisma } from "../generated/sqlite/client.js";
import { formatMoney, type Currency } from "../money/money.js";
import { looksLikeReference } from "../ledger/reference.js";
import { CreditStatus, PaymentFlag, TopUpStatus } from "../ledger/states.js";
import type { FindResult, PendingOverview, TimelineEvent } from "./admin-service.js";
import { byTransactionIdOrReference } from "./by-transaction-id.js";

/** Rows of each kind /pending lists; the rest is counted. */
const PENDING_SHOWN = 50;
/** Payments /find lists for one transaction id or reference. */
const FOUND_PAYMENTS = 20;

type TopUpWithRows = Prisma.TopUpGetPayload<{ include: { payments: true; refunds: true } }>;

export function createLookup(deps: { database: MerchantDatabase; now?: () => Date }) {
  const { db, merchantId } = deps.database;

  /** A top-up's story from the rows read with it (its payments and refunds) and its credits and audit entries. */
  async function timelineOf(topUp: TopUpWithRows): Promise<TimelineEvent[]> {
    const [credits, audits] = await Promise.all([
      db.credit.findMany({ where: { topUpId: topUp.id } }),
      db.auditLog.findMany({ where: { subject: topUp.reference }, orderBy: { createdAt: "asc" } }),
    ]);
    const currency = topUp.currency as Currency;
    const events: TimelineEvent[] = [{ at: topUp.createdAt, event: "created", detail: `${formatMoney(topUp.amountMinor, currency)} via ${topUp.provider} for ${topUp.panelLogin}` }];
    for (const p of topUp.payments) {
      events.push({ at: p.observedAt, event: "observed", detail: `${formatMoney(p.amountMinor, p.currency as Currency)} by ${p.source}, txn ${p.providerTxnId}, flag ${p.flag}` });
    }
    for (const c of credits) {
      if (c.status === CreditStatus.DONE && c.doneAt) events.push({ at: c.doneAt, event: "credited", detail: `${formatMoney(c.amountMinor, c.currency as Currency)} to ${c.panelLogin}, memo "${c.memo}"${c.panelPaymentId ? `, panel payment ${c.panelPaymentId}` : ""}` });
      if (c.status === CreditStatus.HELD) events.push({ at: c.createdAt, event: "held", detail: c.lastError ?? "held for review" });
    }
    if (topUp.closedAt && (topUp.status === TopUpStatus.EXPIRED || topUp.status === TopUpStatus.CANCELLED)) {
      events.push({ at: topUp.closedAt, event: topUp.status === TopUpStatus.EXPIRED ? "expired" : "cancelled", detail: "" });
    }
    for (const r of topUp.refunds) {
      events.push({ at: r.createdAt, event: "refunded", detail: `${formatMoney(r.amountMinor, r.currency as Currency)}: provider ${r.providerStatus}, panel ${r.panelStatus} (${r.reason})` });
    }
    for (const a of audits) events.push({ at: a.createdAt, event: "audit", detail: `${a.action} by ${a.actorId ?? "system"}${a.reason ? `: ${a.reason}` : ""}` });
    return events.sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  /** A reference, @username, Telegram id or panel login. */
  async function find(query: string): Promise<FindResult> {
    const q = query.trim();
    // One read of the top-up, by its reference or its QR's md5 (what a provider sends for it), with everything its
    // timeline shows but credits and audit entries. Its payments are found this way, not by the reference they carry.
    const topUp = await db.topUp.findFirst({ where: looksLikeReference(q) ? { reference: q } : { md5: q }, include: { user: true, payments: true, refunds: true }, orderBy: { id: "asc" } });
    if (topUp) {
      const { user, payments: _p, refunds: _r, ...plain } = topUp;
      return { kind: "topup", topUp: plain, user, timeline: await timelineOf(topUp) };
    }
    const payments = await byTransactionIdOrReference(
      (where) => db.payment.findMany({ where, include: { topUp: { select: { reference: true } } }, orderBy: { id: "asc" }, take: FOUND_PAYMENTS }),
      q,
      FOUND_PAYMENTS,
    );
    if (payments.length > 0) return { kind: "payments", payments: payments.map(({ topUp, ...p }) => ({ ...p, topUpReference: topUp?.reference ?? null })) };
    const user = q.startsWith("@")
      ? await db.user.findFirst({ where: { username: q.slice(1) } })
      : /^\d{1,16}$/.test(q)
        ? ((await db.user.findUnique({ where: { merchantId_telegramId: { merchantId, telegramId: BigInt(q) } } })) ?? (await db.user.findFirst({ where: { panelLogin: q } })))
        : await db.user.findFirst({ where: { panelLogin: q } });
    if (!user) return { kind: "none" };
    const topUps = await db.topUp.findMany({ where: { userId: user.id }, orderBy: { id: "desc" }, take: 10 });
    return { kind: "user", user, topUps };
  }

  /** What waits, at most PENDING_SHOWN of each kind, with the full counts so nothing is cut silently. */
  async function pending(): Promise<PendingOverview> {
    const now = deps.now?.() ?? new Date();
    const open = { status: TopUpStatus.PENDING, expiresAt: { gt: now } };
    const heldWhere = { status: CreditStatus.HELD };
    // An orphan an admin settled with /credit --orphan has its credit: it waits no more.
    const orphans = { topUpId: null, flag: PaymentFlag.ORPHAN, credit: { is: null } };
    const openTopUps = await db.topUp.findMany({ where: open, orderBy: { id: "asc" }, take: PENDING_SHOWN });
    const held = await db.credit.findMany({ where: heldWhere, orderBy: { id: "asc" }, take: PENDING_SHOWN });
    const refs = new Map((await db.topUp.findMany({ where: { id: { in: held.flatMap((c) => (c.topUpId === null ? [] : [c.topUpId])) } }, select: { id: true, reference: true } })).map((t) => [t.id, t.reference]));
    const orphanPayments = await db.payment.findMany({ where: orphans, orderBy: { id: "desc" }, take: PENDING_SHOWN });
    const count = async (shown: number, total: () => Promise<number>) => (shown < PENDING_SHOWN ? shown : total());
    return {
      openTopUps,
      heldCredits: held.map((c) => ({ ...c, reference: c.topUpId === null ? null : (refs.get(c.topUpId) ?? null) })),
      orphanPayments,
      totals: {
        openTopUps: await count(openTopUps.length, () => db.topUp.count({ where: open })),
        heldCredits: await count(held.length, () => db.credit.count({ where: heldWhere })),
        orphanPayments: await count(orphanPayments.length, () => db.payment.count({ where: orphans })),
      },
    };
  }

  return { find, pending };
}
