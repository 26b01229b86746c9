import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage } from "../../sandbox/telegram/index.js";
import { nextMessage, startHarness, textOf, topUpShownBy, type Harness } from "./harness.js";
import { DEFAULT_MERCHANT_ID } from "../../src/db/merchant-scope.js";

/**
 * Issue 11: typing a login proves nothing, so linking reveals nothing about the account and its balance
 * is shown only to a customer who has paid into it through the bot.
 */
let h: Harness;
const OWNER = 601;
const STRANGER = 602;
const DARA_BALANCE = 250;

beforeAll(async () => {
  h = await startHarness({ panelUsers: { dara: DARA_BALANCE, vanna: 1234 } });
  h.driver.addUser({ id: OWNER, first_name: "Dara", language_code: "en" });
  h.driver.addUser({ id: STRANGER, first_name: "Mallory", language_code: "en" });
  h.driver.addUser({ id: 603, first_name: "Sokha", language_code: "km" });
  h.startWorkers();
  h.startBot();
});

afterAll(async () => {
  await h?.close();
});

function say(userId: number, text: string, match: string | RegExp | ((m: ChatMessage) => boolean)): Promise<ChatMessage> {
  const waiting = nextMessage(h.driver, userId, match);
  h.driver.sendText(userId, text);
  return waiting;
}

const money = (minor: number) => `${(minor / 100).toFixed(2)} USD`;
const PRIVATE = "will be shown here after your first top-up";

async function link(userId: number, login: string): Promise<ChatMessage> {
  await say(userId, "/link", "username (login)");
  return say(userId, login, "Linked to");
}

async function payTopUp(userId: number, amount: string): Promise<ChatMessage> {
  await say(userId, "/topup", "How much");
  const card = await say(userId, amount, (m) => m.photo !== undefined);
  const topUp = await topUpShownBy(h, card);
  const receipt = nextMessage(h.driver, userId, "Top-up successful", 15_000);
  await h.bakong.pay({ reference: topUp.reference, qr: topUp.qr });
  return receipt;
}

describe("customers' accounts are private", () => {
  it("linking someone else's login confirms it exists and shows nothing else", async () => {
    const linked = await link(STRANGER, "dara");
    expect(textOf(linked)).toBe("✅ Linked to the panel account dara.");
    const user = await h.database.db.user.findUniqueOrThrow({ where: { merchantId_telegramId: { merchantId: DEFAULT_MERCHANT_ID, telegramId: BigInt(STRANGER) } } });
    expect(user).toMatchObject({ panelLogin: "dara", lastBalanceMinor: null });
  });

  it("/balance of a login never paid into says it shows after the first top-up, panel up or down", async () => {
    const answer = await say(STRANGER, "/balance", PRIVATE);
    expect(textOf(answer)).toBe("The balance of dara will be shown here after your first top-up to it through this bot.");
    // A panel that is down changes nothing: the answer does not depend on it.
    h.panel.setFault("http500");
    expect(textOf(await say(STRANGER, "/balance", PRIVATE))).not.toContain(money(DARA_BALANCE));
    h.panel.resetFaults();
  });

  it("in Khmer too", async () => {
    await say(603, "/link", "ឈ្មោះអ្នកប្រើ");
    await say(603, "vanna", "vanna");
    const answer = await say(603, "/balance", "vanna");
    expect(textOf(answer)).toContain("ក្រោយការបញ្ចូលទឹកប្រាក់លើកដំបូង");
    expect(textOf(answer)).not.toContain("12.34");
  });

  it("a top-up that was started and cancelled is no payment", async () => {
    await say(STRANGER, "/topup", "How much");
    await say(STRANGER, "3", (m) => m.photo !== undefined);
    await say(STRANGER, "/cancel", "cancelled");
    expect(textOf(await say(STRANGER, "/balance", PRIVATE))).not.toContain(money(DARA_BALANCE));
  });

  it("the payer sees the new balance on the receipt and, from then on, with /balance", async () => {
    await link(OWNER, "dara");
    await say(OWNER, "/balance", PRIVATE);
    const receipt = await payTopUp(OWNER, "5");
    const after = DARA_BALANCE + 500;
    expect(textOf(receipt)).toContain(`New balance: ${money(after)}`);
    expect(textOf(await say(OWNER, "/balance", "Balance of dara"))).toContain(money(after));
  });

  it("someone else's payment into the login does not open it to a stranger", async () => {
    const answer = await say(STRANGER, "/balance", PRIVATE);
    expect(textOf(answer)).not.toContain(money(DARA_BALANCE + 500));
  });

  it("relinking to another login hides the balance again; relinking back shows it", async () => {
    await link(OWNER, "vanna");
    const hidden = await say(OWNER, "/balance", PRIVATE);
    expect(textOf(hidden)).not.toMatch(/\d+\.\d\d USD/);
    await link(OWNER, "dara");
    expect(textOf(await say(OWNER, "/balance", "Balance of dara"))).toContain(money(DARA_BALANCE + 500));
  });
});
