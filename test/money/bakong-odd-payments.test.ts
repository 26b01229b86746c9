import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLookup } from "../../src/admin/lookup.js";
import type { ProviderName } from "../../src/config/config.js";
import type { TopUp } from "../../src/generated/sqlite/client.js";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import type { PaymentProvider } from "../../src/payments/provider.js";
import { createBakongProvider } from "../../src/payments/providers/bakong/bakong.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { startBakongSimulator, type BakongPayment, type BakongSimulator } from "../../sandbox/providers/bakong-simulator.js";
import { eventually, silentLog, startCore, userFor, type Core } from "../support/core.js";
import { dialects, type TestDatabase } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID, forMerchant } from "../../src/db/merchant-scope.js";

/**
 * Bakong through the payment core and its poller, over loopback: a payment on one of our QRs is
 * recorded whatever Bakong says about it (an odd one HELD for an admin, with both notes), it does
 * not hold up the others polled with it, and the receiving account is compared without regard to
 * letter case.
 */

const TOKEN = "bakong-odd-token-0123456789";
const ACCOUNT = "odd_shop@aclb";
const PANEL_KEY = "bakong-odd-panel-key";
const LOGIN = "bakong_odd";

for (const dialect of dialects) {
  describe.runIf(dialect.enabled)(`Bakong payments are never dropped (${dialect.name})`, () => {
    let database: TestDatabase;
    let sim: BakongSimulator;
    let panelSim: PanelSimulator;
    let core: Core;
    let telegramId = 72_000_000n;

    beforeAll(async () => {
      database = await dialect.fresh();
      sim = await startBakongSimulator({ token: TOKEN });
      panelSim = await startPerfectPanelSimulator({ apiKey: PANEL_KEY, users: { [LOGIN]: 0 } });
      const bakong = createBakongProvider({ apiUrl: sim.url, token: TOKEN, accountId: ACCOUNT }, { log: silentLog, merchantName: "Odd Shop", merchantCity: "Phnom Penh" });
      const providers = new Map<ProviderName, PaymentProvider>([["bakong", bakong]]);
      const panel = createPanelClient({ type: "perfectpanel", url: panelSim.url, apiKey: PANEL_KEY, paymentMethod: "KHQR", currency: "USD" });
      core = await startCore({ database, providers, panel });
    }, 60_000);

    afterAll(async () => {
      await core?.stop();
      await sim?.close();
      await panelSim?.close();
      await database?.drop();
    });

    async function newTopUp(amountMinor: number): Promise<TopUp> {
      const userId = await userFor(database, LOGIN, telegramId++);
      const started = await core.topUps.start({ userId, chatId: telegramId, amountMinor, provider: "bakong" });
      if (!started.ok) throw new Error(`top-up not started: ${started.reason}`);
      return started.topUp;
    }

    const pay = (t: TopUp, extra: Partial<BakongPayment> = {}) => sim.pay({ reference: t.reference, qr: t.qr, ...extra });
    const statusOf = async (t: TopUp) => (await database.db.topUp.findUniqueOrThrow({ where: { id: t.id } })).status;
    const credited = (t: TopUp) => eventually(async () => (await statusOf(t)) === "CREDITED", `top-up ${t.reference} credited`);
    const paymentOf = (t: TopUp, hash: string) =>
      eventually(() => database.db.payment.findFirst({ where: { provider: "bakong", providerTxnId: hash, topUpId: t.id } }), `payment ${hash} recorded`);

    it("odd payments polled in one batch with good ones are recorded and HELD with both notes; the good ones are credited", async () => {
      const good = await newTopUp(1000);
      const elsewhere = await newTopUp(1100);
      const inexact = await newTopUp(1200);
      const later = await newTopUp(1300);
      await pay(good);
      const toOther = await pay(elsewhere, { toAccountId: "someone_else@wing" });
      const odd = await pay(inexact, { odd: { amountJson: "12.005" } });
      await pay(later);

      await credited(good);
      await credited(later);
      await expectHeld(elsewhere, toOther.providerTxnId, 1100, `Bakong reports this QR paid to someone_else@wing, not to our account ${ACCOUNT}`);
      await expectHeld(inexact, odd.providerTxnId, 1200, "Bakong reports the amount 12.005, which is not an exact USD amount");
    });

    /** Recorded, flagged for review, credit HELD with the reason, both notes queued, in /pending and /find, nothing on the panel. */
    async function expectHeld(t: TopUp, hash: string, amountMinor: number, reason: string) {
      const payment = await paymentOf(t, hash);
      expect(payment).toMatchObject({ amountMinor, currency: "USD", flag: "REVIEW" });
      await eventually(async () => (await statusOf(t)) === "HELD", `top-up ${t.reference} held`);
      const credit = await database.db.credit.findFirstOrThrow({ where: { paymentId: payment.id } });
      expect(credit).toMatchObject({ status: "HELD", lastError: reason });
      const notes = await database.db.notification.findMany({ where: { dedupeKey: { in: [`payment:${payment.id}@-100`, `held-payment:${payment.id}@${t.chatId}`] } } });
      expect(notes.map((n) => `${n.chatId} ${n.kind}`).sort()).toEqual(["-100 admin.flagged", `${t.chatId} topup.held`].sort());
      const lookup = createLookup({ database: forMerchant(database, DEFAULT_MERCHANT_ID) });
      expect((await lookup.pending()).heldCredits.map((c) => c.reference)).toContain(t.reference);
      const found = await lookup.find(t.reference);
      expect(found.kind === "topup" && found.timeline.find((e) => e.event === "held")?.detail).toBe(reason);
      // /find by the QR's md5 (what Bakong knows the payment by) reaches the same top-up, through which its payments are read.
      const byMd5 = await lookup.find(t.md5!);
      expect(byMd5.kind === "topup" && byMd5.topUp.id).toBe(t.id);
      expect(panelSim.payments.filter((p) => p.memo.includes(t.reference))).toHaveLength(0);
    }

    it("an account id in other letter case is our account: credited", async () => {
      const t = await newTopUp(1400);
      const paid = await pay(t, { toAccountId: ACCOUNT.toUpperCase() });
      await credited(t);
      expect(await paymentOf(t, paid.providerTxnId)).toMatchObject({ amountMinor: 1400 });
    });

    it("an unreadable answer for one QR leaves it pending and polled again, and does not stop the others", async () => {
      const stuck = await newTopUp(1500);
      const fine = await newTopUp(1600);
      await pay(stuck, { odd: { unreadable: true } });
      await pay(fine);
      await credited(fine);
      const before = (await database.db.topUp.findUniqueOrThrow({ where: { id: stuck.id } })).pollCount;
      await eventually(async () => (await database.db.topUp.findUniqueOrThrow({ where: { id: stuck.id } })).pollCount > before, "the unreadable one polled again");
      const row = await database.db.topUp.findUniqueOrThrow({ where: { id: stuck.id } });
      expect(row.status).toBe("PENDING");
      expect(row.nextPollAt).not.toBeNull();
      expect(await database.db.payment.count({ where: { topUpId: stuck.id } })).toBe(0);
    });
  });
}
