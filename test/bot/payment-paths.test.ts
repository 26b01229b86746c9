import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderName } from "../../src/config/config.js";
import { ProviderError, type PaymentProvider } from "../../src/payments/provider.js";
import { TopUpStatus } from "../../src/ledger/states.js";
import type { ChatMessage } from "../../sandbox/telegram/index.js";
import { ADMIN_CHAT, ADMIN_ID, buttons, nextMessage, startHarness, textOf, topUpShownBy, type Harness } from "./harness.js";

let h: Harness;
const VANNA = 701;

function reply(action: () => unknown, match: Parameters<typeof nextMessage>[2], timeoutMs?: number): Promise<ChatMessage> {
  const waiting = nextMessage(h.driver, VANNA, match, timeoutMs);
  action();
  return waiting;
}
const say = (text: string, match: Parameters<typeof nextMessage>[2]) => reply(() => h.driver.sendText(VANNA, text), match);
const click = (m: ChatMessage, data: string, match: Parameters<typeof nextMessage>[2]) => reply(() => h.driver.clickButton(VANNA, m.message_id, data), match);

beforeAll(async () => {
  h = await startHarness({ withAhnajak: true, panelUsers: { vanna: 0 } });
  h.driver.addUser({ id: VANNA, first_name: "Vanna", username: "vanna", language_code: "en" });
  h.startWorkers();
  h.startBot();
  await say("/link", "username");
  await say("vanna", "Linked");
});

afterAll(async () => {
  await h?.close();
});

describe("several providers", () => {
  it("asks how to pay, by friendly names, and shows a 'Pay in ABA Mobile' link for a checkout provider", async () => {
    await say("/topup", "How much");
    const choice = await say("15", "How would you like to pay?");
    expect(buttons(choice).map((b) => b.text)).toEqual(["💳 ABA Pay", "🏦 KHQR · Bakong", "✖️ Cancel"]);
    const checkout = await click(choice, "c:prov:ahnajak", "Tap “Pay in ABA Mobile”");
    const topUp = await topUpShownBy(h, checkout);
    expect(topUp).toMatchObject({ provider: "ahnajak", amountMinor: 1500 });
    expect(textOf(checkout)).toContain("Top-up 15.00 USD");
    expect(textOf(checkout)).toContain(topUp.reference);
    const pay = buttons(checkout).find((b) => b.text === "💳 Pay in ABA Mobile");
    expect(pay?.url).toBe(topUp.checkoutUrl);
    expect(pay?.url).toContain(h.ahnajak!.url);
    expect(checkout.photo).toBeUndefined();

    const cancelled = await click(checkout, `tu:cancel:${topUp.id}`, "cancelled");
    expect(textOf(cancelled)).toContain(topUp.reference);
    expect(h.driver.chat(VANNA).find((m) => m.message_id === checkout.message_id)?.deleted).toBe(true);
  });

  it("turns a provider failure into a plain apology, never the provider's message", async () => {
    const providers = h.providers as Map<ProviderName, PaymentProvider>;
    const real = providers.get("ahnajak")!;
    providers.set("ahnajak", { ...real, create: async () => { throw new ProviderError("ahnajak", "unavailable", "Ahnajak answered 503 for profile prof-1"); } });
    try {
      await say("/topup", "How much");
      const choice = await say("8", "How would you like to pay?");
      const apology = await click(choice, "c:prov:ahnajak", "payment service is not responding");
      expect(textOf(apology)).not.toContain("503");
      expect(h.driver.chat(VANNA).some((m) => textOf(m).includes("prof-1"))).toBe(false);
      expect(await h.database.db.topUp.count({ where: { amountMinor: 800 } })).toBe(0);
    } finally {
      providers.set("ahnajak", real);
    }
  });
});

describe("a payment that needs a look", () => {
  it("tells the customer honestly when an underpayment is held, and flags it to the admins", async () => {
    await say("/topup", "How much");
    const choice = await say("20", "How would you like to pay?");
    const card = await click(choice, "c:prov:bakong", (m) => m.photo !== undefined);
    const topUp = await topUpShownBy(h, card);

    const held = nextMessage(h.driver, VANNA, "Our team needs to check it", 15_000);
    await h.bakong.pay({ reference: topUp.reference, qr: topUp.qr, amountMinor: 1500 });
    const message = await held;
    expect(textOf(message)).toContain(`your payment of 15.00 USD (reference ${topUp.reference})`);
    expect(textOf(message)).toContain("you don't need to pay again");
    expect(h.driver.chat(VANNA).find((m) => m.message_id === card.message_id)?.deleted).toBe(true);

    const note = await h.driver.waitFor(ADMIN_CHAT, (m) => textOf(m).includes("Payment HELD (UNDERPAID)"));
    expect(textOf(note)).toContain("paid 15.00 USD, ordered 20.00 USD");
    expect(textOf(note)).toContain(topUp.reference);
    expect((await h.database.db.topUp.findUniqueOrThrow({ where: { id: topUp.id } })).status).toBe(TopUpStatus.HELD);
    expect(h.panel.balanceOf("vanna")).toBe(0);
  });

  it("lets an admin see the held credit and release it; the customer gets a receipt for what was paid", async () => {
    const topUp = await h.database.db.topUp.findFirstOrThrow({ where: { status: TopUpStatus.HELD } });
    const adminSay = (text: string, match: string) => {
      const waiting = nextMessage(h.driver, ADMIN_ID, match);
      h.driver.sendText(ADMIN_ID, text);
      return waiting;
    };
    const pending = await adminSay("/pending", "Held credits (1)");
    expect(textOf(pending)).toContain(`${topUp.reference} 15.00 USD → vanna`);
    expect(textOf(pending)).toContain("paid 15.00 USD, less than the 20.00 USD ordered");

    const receipt = nextMessage(h.driver, VANNA, "Top-up successful", 15_000);
    await adminSay(`/recredit ${topUp.reference} customer confirmed`, "queued again");
    expect(textOf(await receipt)).toContain("Paid: 15.00 USD\nCredited to vanna: 15.00 USD");
    expect(h.panel.balanceOf("vanna")).toBe(1500);
    const audit = await h.database.db.auditLog.findMany({ where: { actorId: BigInt(ADMIN_ID) } });
    expect(audit.map((a) => a.reason)).toContain("customer confirmed");
  });
});
