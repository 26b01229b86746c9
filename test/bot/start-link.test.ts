import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage } from "../../sandbox/telegram/index.js";
import { ADMIN_ID, buttons, nextMessage, startHarness, textOf, type Harness } from "./harness.js";
import { DEFAULT_MERCHANT_ID } from "../../src/db/merchant-scope.js";

/** Issue 20, item 5: https://t.me/<bot>?start=<login> from the panel's "Add funds" page. */
let h: Harness;
let nextUser = 2001;
const LONG_LOGIN = "sokha.meas@example.com";

beforeAll(async () => {
  h = await startHarness({ panelUsers: { dara: 1234, [LONG_LOGIN]: 500 } });
  h.driver.addUser({ id: ADMIN_ID, first_name: "Sophea", language_code: "en" });
  h.startBot();
});

afterAll(async () => {
  await h?.close();
});

function customer(): number {
  const id = nextUser++;
  h.driver.addUser({ id, first_name: `User${id}`, language_code: "en" });
  return id;
}

function say(userId: number, text: string, match: Parameters<typeof nextMessage>[2]): Promise<ChatMessage> {
  const waiting = nextMessage(h.driver, userId, match);
  h.driver.sendText(userId, text);
  return waiting;
}

const linkedLogin = async (userId: number) => (await h.database.db.user.findUnique({ where: { merchantId_telegramId: { merchantId: DEFAULT_MERCHANT_ID, telegramId: BigInt(userId) } } }))?.panelLogin ?? null;

describe("a start link with a login", () => {
  it("greets, links the login without showing anything of the account, and offers the amounts", async () => {
    const user = customer();
    const amounts = nextMessage(h.driver, user, /How much would you like to top up/);
    const greeting = await say(user, "/start dara", /linked/);
    expect(textOf(greeting)).toContain(`Hello User${user}`);
    expect(textOf(greeting)).toContain("dara is linked");
    expect(textOf(greeting)).not.toMatch(/12[.,]34/);
    const prompt = await amounts;
    expect(buttons(prompt).map((b) => b.text)).toEqual(expect.arrayContaining(["5.00 USD", "10.00 USD", "20.00 USD"]));
    expect(await linkedLogin(user)).toBe("dara");
  });

  it("keeps the balance hidden until this Telegram user has paid into the login", async () => {
    const user = customer();
    await say(user, "/start dara", /linked/);
    const balance = await say(user, "/balance", /dara/);
    expect(textOf(balance)).toContain("after your first top-up");
    expect(textOf(balance)).not.toMatch(/12[.,]34/);
  });

  it("links nothing for a login the panel does not know", async () => {
    const user = customer();
    const answer = await say(user, "/start nosuchlogin", /could not find/);
    expect(textOf(answer)).toContain("nothing was linked");
    expect(await linkedLogin(user)).toBeNull();
  });

  it("without a payload is the plain greeting", async () => {
    const user = customer();
    const answer = await say(user, "/start", /Hello/);
    expect(textOf(answer)).toContain("link your panel account");
  });
});

describe("/link_for: a short code for a login a start parameter cannot carry", () => {
  it("gives an admin the plain link for a login Telegram can carry", async () => {
    const answer = await say(ADMIN_ID, "/link_for dara", /t\.me/);
    expect(textOf(answer)).toContain("https://t.me/khqr_topup_bot?start=dara");
  });

  it("gives a signed code for any other login (also typed as /link-for), and the code links that login", async () => {
    const answer = await say(ADMIN_ID, `/link-for ${LONG_LOGIN}`, /t\.me/);
    const link = /https:\/\/t\.me\/khqr_topup_bot\?start=(\S+)/.exec(textOf(answer));
    expect(link?.[1]).toMatch(/^k_[A-Za-z0-9_-]{20}$/);
    const again = await say(ADMIN_ID, `/link_for ${LONG_LOGIN}`, /t\.me/);
    expect(textOf(again)).toContain(link![0]);

    const user = customer();
    const greeting = await say(user, `/start ${link![1]}`, /linked/);
    expect(textOf(greeting)).toContain(`${LONG_LOGIN} is linked`);
    expect(await linkedLogin(user)).toBe(LONG_LOGIN);
  });

  it("does not exist for customers: /link-for is just /link to them", async () => {
    const user = customer();
    const answer = await say(user, `/link-for dara`, (m) => m.text !== undefined);
    expect(textOf(answer)).not.toContain("t.me");
  });
});
