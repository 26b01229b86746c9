import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage } from "../../sandbox/telegram/index.js";
import { ADMIN_ID, buttonData, eventually, nextMessage, startHarness, textOf, topUpShownBy, type Harness } from "./harness.js";

let h: Harness;
const DARA = 601;
let paidReference = "";
let openReference = "";

function reply(chatId: number, action: () => unknown, match: Parameters<typeof nextMessage>[2]): Promise<ChatMessage> {
  const waiting = nextMessage(h.driver, chatId, match);
  action();
  return waiting;
}
const say = (userId: number, text: string, match: Parameters<typeof nextMessage>[2]) => reply(userId, () => h.driver.sendText(userId, text), match);
const admin = (text: string, match: Parameters<typeof nextMessage>[2]) => say(ADMIN_ID, text, match);

beforeAll(async () => {
  h = await startHarness({ panelUsers: { dara: 1000 } });
  h.driver.addUser({ id: DARA, first_name: "Dara", username: "dara_kh", language_code: "en" });
  h.startWorkers();
  h.startBot();

  await say(DARA, "/link", "username");
  await say(DARA, "dara", "Linked");
  const prompt = await say(DARA, "/topup", "How much");
  const card = await reply(DARA, () => h.driver.clickButton(DARA, prompt.message_id, "c:amt:1000"), (m) => m.photo !== undefined);
  const paid = await topUpShownBy(h, card);
  paidReference = paid.reference;
  const receipt = nextMessage(h.driver, DARA, "Top-up successful", 15_000);
  await h.bakong.pay({ reference: paid.reference, qr: paid.qr });
  await receipt;

  await say(DARA, "/topup", "How much");
  openReference = (await topUpShownBy(h, await say(DARA, "3", (m) => m.photo !== undefined))).reference;
  await say(ADMIN_ID, "/start", "Hello Sophea");
});

afterAll(async () => {
  await h?.close();
});

describe("admin commands", () => {
  it("lists open top-ups and held credits", async () => {
    const answer = await admin("/pending", "Open top-ups (1)");
    expect(textOf(answer)).toContain(openReference);
    expect(textOf(answer)).toContain("3.00 USD bakong → dara");
    expect(textOf(answer)).toContain("Held credits (0)");
  });

  it("finds a top-up with its timeline, a customer, and says when nothing matches", async () => {
    const topUp = await admin(`/find ${paidReference}`, `Top-up ${paidReference}: CREDITED`);
    expect(textOf(topUp)).toContain("10.00 USD via bakong to dara");
    expect(textOf(topUp)).toContain("@dara_kh (601)");
    expect(textOf(topUp)).toMatch(/created/);
    expect(textOf(topUp)).toMatch(/credited/);

    const user = await admin("/find @dara_kh", "Customer @dara_kh (601)");
    expect(textOf(user)).toContain("Panel login: dara");
    expect(textOf(user)).toContain(openReference);

    await admin("/find zzz_nobody", "Nothing found for “zzz_nobody”");
    await admin("/find", "Usage: /find");
  });

  it("reports a period: summary, CSV document and chart", async () => {
    const summary = await admin("/report today", "📊 Report");
    expect(textOf(summary)).toContain("Paid: 1 · 10.00 USD");
    expect(textOf(summary)).toContain("bakong: 1 · 10.00 USD");
    expect(textOf(summary)).toContain("CREDITED: 1");
    expect(textOf(summary)).toContain("@dara_kh (601) (dara): 1 · 10.00 USD");
    const csv = await h.driver.waitFor(ADMIN_ID, (m) => /^report-[\w.-]+\.csv$/.test(m.document?.file_name ?? ""));
    expect(Buffer.from(csv.document!.bytes!).toString("utf8")).toContain(paidReference);
    const chart = await h.driver.waitFor(ADMIN_ID, (m) => m.photo !== undefined && textOf(m).includes("Paid per hour"));
    expect(Buffer.from(chart.photo!.bytes!).subarray(1, 4).toString()).toBe("PNG");

    await admin("/report last-century", "Usage: /report");
  });

  it("refunds only after confirmation, honestly per path, with an audit row", async () => {
    const stale = await admin(`/refund ${paidReference} 4 customer asked`, `Refund plan for ${paidReference}`);
    const plan = await admin(`/refund ${paidReference} 4 customer asked`, `Refund plan for ${paidReference}`);
    expect(textOf(plan)).toContain("Refundable: 10.00 USD");
    expect(textOf(plan)).toContain("Refund now: 4.00 USD");
    expect(textOf(plan)).toContain("Reason: customer asked");
    // Bakong has no refund API: the plan says the refund stays pending, as the result will.
    expect(textOf(plan)).toContain("the refund stays pending until you press “Money returned”");

    // The newer plan took the older one's buttons away instead of leaving them to answer "expired".
    await eventually(() => {
      const old = h.driver.chat(ADMIN_ID).find((m) => m.message_id === stale.message_id)!;
      expect(old.reply_markup).toBeUndefined();
      expect(textOf(old)).toContain(`Replaced by a newer /refund plan for ${paidReference}`);
    });
    expect(await h.database.db.refund.count()).toBe(0);

    const outcome = await reply(ADMIN_ID, () => h.driver.clickButton(ADMIN_ID, plan.message_id, buttonData(plan, "Refund")), "Refund #");
    expect(textOf(outcome)).toContain(`4.00 USD for ${paidReference}`);
    expect(textOf(outcome)).toContain("Provider: return the money to the customer by hand");
    expect(textOf(outcome)).toMatch(/Panel: (4\.00 USD taken back|deduct 4\.00 USD by hand)/);
    expect(textOf(outcome)).toContain("Refund pending: return 4.00 USD to the customer by hand");
    await eventually(() => expect(h.driver.chat(ADMIN_ID).find((m) => m.message_id === plan.message_id)?.reply_markup).toBeUndefined());

    const refunds = await h.database.db.refund.findMany();
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ amountMinor: 400, reason: "customer asked", adminId: BigInt(ADMIN_ID), providerStatus: "MANUAL" });
    const audit = await h.database.db.auditLog.findMany({ where: { actorId: BigInt(ADMIN_ID), reason: "customer asked" } });
    expect(audit.length).toBeGreaterThan(0);
    // Pending: the customer has not been told anything yet.
    expect(h.driver.chat(DARA).some((m) => textOf(m).includes("has been refunded"))).toBe(false);

    // The admin returns the money by hand and says so: confirmed once, audited, the customer told.
    h.driver.clickButton(ADMIN_ID, outcome.message_id, buttonData(outcome, "Money returned"));
    const asking = await eventually(() => {
      const m = h.driver.chat(ADMIN_ID).find((x) => x.message_id === outcome.message_id)!;
      buttonData(m, "Yes, it is returned");
      return m;
    });
    const told = nextMessage(h.driver, DARA, "has been refunded");
    h.driver.clickButton(ADMIN_ID, outcome.message_id, buttonData(asking, "Yes, it is returned"));
    expect(textOf(await told)).toContain(`4.00 USD of your top-up ${paidReference} has been refunded`);
    await eventually(() => {
      const done = h.driver.chat(ADMIN_ID).find((x) => x.message_id === outcome.message_id)!;
      expect(textOf(done)).toContain("Money returned: 4.00 USD");
      expect(textOf(done)).toContain("@sophea_admin");
      expect(done.reply_markup).toBeUndefined();
    });
    expect(await h.database.db.refund.findFirstOrThrow()).toMatchObject({ providerStatus: "RETURNED" });
    expect(await h.database.db.auditLog.count({ where: { action: "refund_returned", subject: paidReference, actorId: BigInt(ADMIN_ID) } })).toBe(1);
  });

  it("keeps a refund that was not confirmed from happening", async () => {
    const plan = await admin(`/refund ${paidReference} 1 oops`, "Refund plan");
    const keep = buttonData(plan, "Keep");
    await reply(ADMIN_ID, () => h.driver.clickButton(ADMIN_ID, plan.message_id, keep), "not done");
    expect(await h.database.db.refund.count()).toBe(1);
    await admin("/refund 99999999999999", "No top-up with reference 99999999999999");
    await admin(`/refund ${openReference}`, "was never paid");
    await admin("/refund", "Usage: /refund");
  });

  it("recredit says what it did", async () => {
    await admin(`/recredit ${paidReference}`, `${paidReference} is already credited`);
    await admin("/recredit 12345678901234", "No top-up with reference 12345678901234");
  });

  it("credits a panel account by hand, audited, and the crediter applies it", async () => {
    const before = h.panel.balanceOf("dara")!;
    const queued = await admin("/credit dara 2.5 goodwill for the outage", "Manual credit #");
    expect(textOf(queued)).toContain("2.50 USD to dara");
    await eventually(() => expect(h.panel.balanceOf("dara")).toBe(before + 250));
    const audit = await h.database.db.auditLog.findMany({ where: { actorId: BigInt(ADMIN_ID), reason: "goodwill for the outage" } });
    expect(audit.length).toBeGreaterThan(0);

    const update = h.driver.sendText(ADMIN_ID, "/credit dara 1 redelivery test");
    await nextMessage(h.driver, ADMIN_ID, "Manual credit #");
    await h.bot.handleUpdate(update);
    await new Promise((r) => setTimeout(r, 300));
    expect(await h.database.db.credit.count({ where: { kind: "manual", amountMinor: 100 } })).toBe(1);

    await admin("/credit dara ten goodwill", "“ten” is not an amount I can read, so nothing was done. USD amounts are digits with at most 2 decimals");
    await admin("/credit dara -5 goodwill", "“-5” is not an amount I can read");
    await admin("/credit dara 5", "Usage: /credit");
  });

  it("a credit above TOPUP_MAX waits for a confirmation; a double tap credits once, Cancel credits nothing", async () => {
    const manual = (amountMinor: number) => h.database.db.credit.count({ where: { kind: "manual", amountMinor } });
    const ask = await admin("/credit dara 600 year-end bonus", "more than the largest top-up");
    expect(textOf(ask)).toContain("600.00 USD to dara is more than the largest top-up (500.00 USD). Credit it anyway?");
    expect(textOf(ask)).toContain("Reason: year-end bonus");
    expect(await manual(60_000)).toBe(0);

    const confirm = buttonData(ask, "Credit 600.00 USD");
    const queued = nextMessage(h.driver, ADMIN_ID, "Manual credit #");
    h.driver.clickButton(ADMIN_ID, ask.message_id, confirm);
    h.driver.clickButton(ADMIN_ID, ask.message_id, confirm);
    expect(textOf(await queued)).toContain("600.00 USD to dara");
    await eventually(() => expect(h.driver.callbackAnswers(ADMIN_ID).some((a) => a.text?.includes("This confirmation has expired"))).toBe(true));
    expect(await manual(60_000)).toBe(1);
    expect(await h.database.db.auditLog.count({ where: { actorId: BigInt(ADMIN_ID), reason: "year-end bonus" } })).toBeGreaterThan(0);

    const typo = await admin("/credit dara 7000 goodwill", "more than the largest top-up");
    await reply(ADMIN_ID, () => h.driver.clickButton(ADMIN_ID, typo.message_id, buttonData(typo, "Cancel")), "Credit of 7,000.00 USD to dara not done");
    expect(await manual(700_000)).toBe(0);
    // TOPUP_MAX itself needs no confirmation.
    await admin("/credit dara 500 goodwill", "Manual credit #");
  });

  it("/refund refuses an amount it cannot read instead of refunding everything", async () => {
    const refunds = await h.database.db.refund.count();
    for (const bad of ["-5", "10,5", "12.345", "$10", "1e3"]) {
      const answer = await admin(`/refund ${paidReference} ${bad} customer asked`, "is not an amount I can read");
      expect(textOf(answer), bad).toBe(`“${bad}” is not an amount I can read, so nothing was done. USD amounts are digits with at most 2 decimals, e.g. 10 or 10.50.`);
      expect(answer.reply_markup, bad).toBeUndefined();
    }
    expect(await h.database.db.refund.count()).toBe(refunds);
    // Words that are not amount-like are the reason, and the plan is for all that is left.
    const plan = await admin(`/refund ${paidReference} customer asked`, "Refund plan");
    expect(textOf(plan)).toContain("Reason: customer asked");
    await reply(ADMIN_ID, () => h.driver.clickButton(ADMIN_ID, plan.message_id, buttonData(plan, "Keep")), "not done");
  });

  it("shows admin help to admins only", async () => {
    await admin("/help", "Admin commands:");
    const customerHelp = await say(DARA, "/help", "How to top up");
    expect(textOf(customerHelp)).not.toContain("/refund");
    await new Promise((r) => setTimeout(r, 300));
    expect(h.driver.chat(DARA).some((m) => textOf(m).includes("Admin commands"))).toBe(false);
  });

  it("answers admin commands from a customer like unknown commands", async () => {
    const unknown = await say(DARA, "/nosuchthing", "don't know that command");
    for (const command of ["/pending", `/find ${paidReference}`, "/report today", "/recredit 1", "/credit dara 1 x"]) {
      const answer = await say(DARA, command, "don't know that command");
      expect(textOf(answer)).toBe(textOf(unknown));
    }
  });
});
