import type { Api } from "grammy";
import { createAdminNotes } from "../admin/notes.js";
import { parsePeriod } from "../admin/period.js";
import { createReports } from "../admin/reports.js";
import type { Config } from "../config/config.js";
import { createCustomers } from "../customers/customers.js";
import { createReceipts } from "../customers/receipts.js";
import type { MerchantDatabase } from "../db/merchant-scope.js";
import type { LedgerDatabase } from "../ledger/hot-path.js";
import type { Logger } from "../logger.js";
import type { Deliver } from "../jobs/notifier.js";
import type { NotificationPayload } from "../ledger/outbox.js";
import type { PanelClient } from "../panel/panel-client.js";
import { CreditStatus, TopUpStatus } from "../ledger/states.js";
import { adminTranslator } from "./admin-locale.js";
import { reportText } from "./features/admin-report.js";
import { customerLabel, money } from "./format.js";
import { translator, type Translate } from "./i18n.js";
import { testPaymentSummary } from "./test-payment-summary.js";
import { testPaymentReceiptSent } from "../platform/test-payments.js";
import { actionSigner, heldKeyboard } from "./keyboards/held-actions.js";
import { newTopUpButton } from "./keyboards/main-menu.js";
import { retireCard } from "./payment-card.js";

export interface DeliveryDeps {
  /** The merchant whose bot delivers: its view of the database (src/db/merchant-scope.ts), with the ledger's hot path. */
  database: LedgerDatabase & MerchantDatabase;
  panel: PanelClient;
  config: Config;
  log: Logger;
}


type Payload<K extends NotificationPayload["kind"]> = Extract<NotificationPayload, { kind: K }>;
/** A digest lists held payments one by one up to this many (Telegram caps a message at 4096 characters). */
const DIGEST_HELD_LINES = 25;

/**
 * Renders each queued notification from the database, in the recipient's stored language (see admin-locale.ts for admin chats).
 * Throwing makes the notifier try again later, so every step tolerates having run before.
 */
export function createDelivery(api: Api, deps: DeliveryDeps): Deliver {
  const customers = createCustomers(deps.database);
  const receipts = createReceipts(deps.database);
  const notes = createAdminNotes(deps.database);
  const panelCurrency = deps.config.panel.currency;
  const { adminIds, adminChatId } = deps.config.bot;
  const adminChats = (adminChatId !== undefined ? [adminChatId] : adminIds).map(BigInt);
  const sign = actionSigner(deps.config.bot.token).data;
  const adminT = (chatId: number) => adminTranslator(customers, chatId, adminIds);
  const reports = createReports({ database: deps.database, currency: deps.config.topup.currency, panelCurrency });

  async function topUpWithUser(id: number) {
    const topUp = await receipts.topUpWithCustomer(id);
    if (!topUp) deps.log.error({ topUpId: id }, "notification for a top-up that does not exist");
    return topUp;
  }

  /** The balance right after the credit: from the panel's answer, else asked from the panel now. */
  async function balanceAfter(balanceMinor: number | null | undefined, login: string, userId: number): Promise<number | undefined> {
    if (typeof balanceMinor === "number") return balanceMinor;
    if (!deps.panel.capabilities.findUser || !deps.panel.findUser) return undefined;
    try {
      const found = await deps.panel.findUser(login);
      if (found?.balanceMinor === undefined) return undefined;
      await customers.rememberBalance(userId, login, found.balanceMinor);
      return found.balanceMinor;
    } catch (err) {
      deps.log.warn({ msg: (err as Error).message }, "no balance for the receipt: panel lookup failed");
      return undefined;
    }
  }

  /** The receipt: what it shows is read in one statement on the ledger's hot path (receipts go out at Telegram's pace, under load). */
  async function credited(chatId: number, p: Payload<"topup.credited">): Promise<void> {
    const facts = await deps.database.hot.notifications.receipt(p.topUpId);
    if (!facts) {
      deps.log.error({ topUpId: p.topUpId }, "notification for a top-up that does not exist");
      return;
    }
    const t = translator(facts.language);
    const { credit } = facts;
    if (credit && facts.recredited) await notes.noteRecreditLanded(credit.id, facts.reference, adminChats);
    // The login the money went to: the credit keeps it, whatever the customer linked since.
    const login = credit?.panelLogin ?? facts.panelLogin;
    const balance = await balanceAfter(credit?.balanceMinor, login, facts.userId);
    // What was actually paid (an under- or overpayment an admin released differs from the order).
    const paid = credit?.paid ?? facts;
    const lines = [
      t(p.late ? "receipt-title-late" : "receipt-title"),
      t("receipt-body", {
        paid: money(paid.amountMinor, paid.currency),
        credited: credit ? money(credit.amountMinor, credit.currency) : money(facts.amountMinor, facts.currency),
        login,
        reference: facts.reference,
      }),
      ...(facts.bonusMinor > 0 ? [t("receipt-bonus", { bonus: money(facts.bonusMinor, panelCurrency) })] : []),
      ...(balance === undefined ? [] : [t("receipt-balance", { balance: money(balance, panelCurrency) })]),
      ...(p.late ? [t("receipt-late")] : []),
    ];
    await retireCard(api, chatId, facts.messageId, t("card-retired"));
    await api.sendMessage(chatId, lines.join("\n"), { reply_markup: newTopUpButton(t) });
    if (facts.testPayment) await testPaymentDone(chatId, facts.topUpId, t);
  }

  /** A test payment's receipt went out: its shop is verified (once) and its admin sees each step's time. */
  async function testPaymentDone(chatId: number, topUpId: number, t: Translate): Promise<void> {
    const tested = await testPaymentReceiptSent(deps.database.db, deps.database.merchantId, topUpId, new Date());
    if (!tested) return;
    const text = [testPaymentSummary(t, tested.steps), t("testpay-verified")].join("\n\n");
    // The receipt is out: a failed summary is not worth sending the receipt again (a retry would).
    await api.sendMessage(chatId, text).catch((err: unknown) => deps.log.warn({ topUpId, msg: (err as Error).message }, "test payment summary not sent"));
  }

  async function held(chatId: number, p: Payload<"topup.held">): Promise<void> {
    const topUp = await topUpWithUser(p.topUpId);
    if (!topUp) return;
    const t = translator(topUp.user.language);
    const paid = (await receipts.heldPayment(topUp.id, p.paymentId)) ?? topUp;
    await retireCard(api, chatId, topUp.messageId, t("card-retired"));
    await api.sendMessage(chatId, t("topup-held", { amount: money(paid.amountMinor, paid.currency), reference: topUp.reference }));
  }

  async function expired(chatId: number, p: Payload<"topup.expired">): Promise<void> {
    const topUp = await topUpWithUser(p.topUpId);
    // A payment that arrived meanwhile has its own message; "expired" would only confuse.
    if (!topUp || topUp.status !== TopUpStatus.EXPIRED) return;
    const t = translator(topUp.user.language);
    await retireCard(api, chatId, topUp.messageId, t("card-retired"));
    await api.sendMessage(chatId, t("topup-expired", { amount: money(topUp.amountMinor, topUp.currency), reference: topUp.reference }), {
      reply_markup: newTopUpButton(t),
    });
  }

  type PaymentNote = "admin-note-payment" | "admin-note-repeat" | "admin-note-flagged";

  async function payment(chatId: number, paymentId: number, note: PaymentNote): Promise<void> {
    const row = await notes.paymentWithTopUp(paymentId);
    if (!row) return;
    const topUp = row.topUp;
    const t = await adminT(chatId);
    const held = row.credit?.status === CreditStatus.HELD ? row.credit : null;
    await api.sendMessage(
      chatId,
      t(note, {
        amount: money(row.amountMinor, row.currency),
        ordered: topUp ? money(topUp.amountMinor, topUp.currency) : "-",
        flag: row.flag,
        provider: row.provider,
        reference: topUp?.reference ?? "-",
        login: topUp?.panelLogin ?? "-",
        who: topUp ? customerLabel(topUp.user) : "-",
        // Only a payer the provider named: no "payer -" when it named none.
        payer: row.payer ? ` · ${t("admin-note-payer", { payer: row.payer })}` : "",
        reason: row.credit?.lastError ?? "-",
      }),
      held ? { reply_markup: heldKeyboard(sign, t, held.id, topUp !== null) } : {},
    );
  }

  async function orphan(chatId: number, p: Payload<"admin.orphan">): Promise<void> {
    const row = await notes.payment(p.paymentId);
    if (!row) return;
    await api.sendMessage(
      chatId,
      (await adminT(chatId))("admin-note-orphan", { amount: money(row.amountMinor, row.currency), provider: row.provider, txn: row.providerTxnId, reference: row.reference ?? "-", reason: p.reason }),
    );
  }

  /** Many payment notes at once: totals, then each payment that waits for an admin on its own line. */
  async function digest(chatId: number, p: Payload<"admin.digest">): Promise<void> {
    const rows = await notes.digestPayments(p.paymentIds);
    if (rows.length === 0) return;
    const sums = new Map<string, number>();
    for (const r of rows) sums.set(r.currency, (sums.get(r.currency) ?? 0) + r.amountMinor);
    const minutes = Math.max(1, Math.ceil((rows.at(-1)!.observedAt.getTime() - rows[0]!.observedAt.getTime()) / 60_000));
    const held = rows.filter((r) => r.topUpId === null || r.credit?.status === CreditStatus.HELD);
    const t = await adminT(chatId);
    const lines = [
      t("admin-digest", { count: rows.length, total: [...sums].map(([currency, sum]) => money(sum, currency)).join(" + "), minutes, held: held.length }),
      ...held.slice(0, DIGEST_HELD_LINES).map((r) =>
        t("admin-digest-held-line", {
          reference: r.topUp?.reference ?? r.reference ?? r.providerTxnId,
          amount: money(r.amountMinor, r.currency),
          provider: r.provider,
          reason: r.credit?.lastError ?? "no top-up of ours",
        }),
      ),
      ...(held.length > DIGEST_HELD_LINES ? [t("admin-digest-more", { count: held.length - DIGEST_HELD_LINES })] : []),
    ];
    await api.sendMessage(chatId, lines.join("\n"));
  }

  async function creditHeld(chatId: number, p: Payload<"admin.held">): Promise<void> {
    const { credit, topUp } = await notes.creditWithTopUp(p.creditId);
    if (!credit) return;
    const t = await adminT(chatId);
    await api.sendMessage(
      chatId,
      t("admin-note-held", {
        id: credit.id,
        amount: money(credit.amountMinor, credit.currency),
        login: credit.panelLogin,
        reference: topUp?.reference ?? credit.memo,
        reason: credit.lastError ?? "-",
      }),
      // Released meanwhile (e.g. by /recredit): the note stays, its buttons would only answer "nothing held".
      credit.status === CreditStatus.HELD ? { reply_markup: heldKeyboard(sign, t, credit.id, topUp !== null) } : {},
    );
  }

  async function afterRefund(chatId: number, p: Payload<"admin.after-refund">): Promise<void> {
    const { credit, topUp } = await notes.creditWithTopUp(p.creditId);
    if (!credit) return;
    const t = await adminT(chatId);
    await api.sendMessage(chatId, t("admin-note-after-refund", { id: credit.id, amount: money(credit.amountMinor, credit.currency), login: credit.panelLogin, reference: topUp?.reference ?? credit.memo }));
  }

  async function recredited(chatId: number, p: Payload<"admin.recredited">): Promise<void> {
    const { credit, topUp } = await notes.creditWithTopUp(p.creditId);
    if (!credit) return;
    const t = await adminT(chatId);
    await api.sendMessage(chatId, t("admin-note-recredited", { id: credit.id, amount: money(credit.amountMinor, credit.currency), login: credit.panelLogin, reference: topUp?.reference ?? credit.memo }));
  }

  async function refunded(chatId: number, p: Payload<"topup.refunded">): Promise<void> {
    const refund = await receipts.refundWithCustomer(p.refundId);
    if (!refund) return;
    const t = translator(refund.topUp.user.language);
    await api.sendMessage(chatId, t("topup-refunded", { amount: money(refund.amountMinor, refund.currency), reference: refund.topUp.reference }));
  }

  async function daily(chatId: number, p: Payload<"admin.daily">): Promise<void> {
    const period = parsePeriod(`${p.date}..${p.date}`);
    if (!period) return;
    const t = await adminT(chatId);
    await api.sendMessage(chatId, `${t("admin-daily-title")}\n${reportText(await reports.report(period), t)}`.slice(0, 4000));
  }

  return async (chat, payload) => {
    const chatId = Number(chat);
    switch (payload.kind) {
      case "topup.credited":
        return credited(chatId, payload);
      case "topup.held":
        return held(chatId, payload);
      case "topup.expired":
        return expired(chatId, payload);
      case "admin.payment":
        return payment(chatId, payload.paymentId, "admin-note-payment");
      case "admin.repeat":
        return payment(chatId, payload.paymentId, "admin-note-repeat");
      case "admin.flagged":
        return payment(chatId, payload.paymentId, "admin-note-flagged");
      case "admin.orphan":
        return orphan(chatId, payload);
      case "admin.digest":
        return digest(chatId, payload);
      case "admin.notice":
        return void (await api.sendMessage(chatId, (await adminT(chatId))("admin-note-notice", { provider: payload.provider, reference: payload.reference ?? "-", detail: payload.detail })));
      case "admin.held":
        return creditHeld(chatId, payload);
      case "admin.after-refund":
        return afterRefund(chatId, payload);
      case "admin.outage":
        await api.sendMessage(chatId, (await adminT(chatId))("admin-note-outage", { component: payload.component, state: payload.state, detail: payload.detail }));
        return;
      case "topup.refunded":
        return refunded(chatId, payload);
      case "admin.recredited":
        return recredited(chatId, payload);
      case "admin.daily":
        return daily(chatId, payload);
    }
  };
}
