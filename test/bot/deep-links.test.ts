import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeepLinker } from "../../src/bot/deps.js";
import type { ProviderName } from "../../src/config/config.js";
import type { PaymentProvider } from "../../src/payments/provider.js";
import type { ChatMessage } from "../../sandbox/telegram/index.js";
import { buttons, nextMessage, startHarness, textOf, topUpShownBy, type Harness } from "./harness.js";

/** Issue 14, bot side: the "Open in bank app" button under a KHQR card, from a deep-linker that may fail or hang. */
type LinkInput = Parameters<DeepLinker["linkFor"]>[0];
type Mode = "link" | "none" | "fail" | "throw" | "hang" | "custom-scheme";

const linker: DeepLinker & { mode: Mode; calls: LinkInput[] } = {
  mode: "link",
  calls: [],
  linkFor(input: LinkInput): Promise<string | undefined> {
    linker.calls.push(input);
    switch (linker.mode) {
      case "link":
        return Promise.resolve(`https://bank.example/pay/${input.qr?.slice(-4) ?? "none"}`);
      case "none":
        return Promise.resolve(undefined);
      case "fail":
        return Promise.reject(new Error("deeplink endpoint answered 500"));
      case "throw":
        throw new Error("a deep-linker that breaks its promise and throws at once");
      case "hang":
        return new Promise<undefined>(() => undefined);
      case "custom-scheme":
        return Promise.resolve("bankapp://pay?qr=1");
    }
  },
};

let h: Harness;
let nextUser = 801;
/** The customer of the first test, whose card is then paid. */
let payer = 0;

beforeAll(async () => {
  h = await startHarness({ deepLinks: linker, panelUsers: { dara: 0, sokha: 0 } });
  h.startWorkers();
  h.startBot();
});

afterAll(async () => {
  await h?.close();
});

function say(userId: number, text: string, match: Parameters<typeof nextMessage>[2]): Promise<ChatMessage> {
  const waiting = nextMessage(h.driver, userId, match);
  h.driver.sendText(userId, text);
  return waiting;
}

/** A new customer, linked to `login`. */
async function customer(language = "en", login = "dara"): Promise<number> {
  const id = nextUser++;
  h.driver.addUser({ id, first_name: `User${id}`, language_code: language });
  await say(id, "/link", (m) => m.text !== undefined);
  await say(id, login, login);
  return id;
}

const isPhoto = (m: ChatMessage) => m.photo !== undefined;

async function card(userId: number, mode: Mode, amount = "5"): Promise<ChatMessage> {
  linker.mode = mode;
  await say(userId, "/topup", (m) => m.text !== undefined);
  return say(userId, amount, isPhoto);
}

const bankButton = (m: ChatMessage) => buttons(m).find((b) => b.url !== undefined);

describe("Open in bank app", () => {
  it("sits above check and cancel when a link exists; the caption says tap here, scan elsewhere", async () => {
    const user = (payer = await customer());
    const shown = await card(user, "link");
    const topUp = await topUpShownBy(h, shown);
    expect(buttons(shown)).toEqual([
      { text: "📱 Open in bank app", url: `https://bank.example/pay/${topUp.qr!.slice(-4)}` },
      { text: "✅ I have paid — check", callback_data: `tu:check:${topUp.id}` },
      { text: "✖️ Cancel this top-up", callback_data: `tu:cancel:${topUp.id}` },
    ]);
    expect(textOf(shown)).toContain("On this phone, tap “Open in bank app”; on another device, scan the QR code.");
    expect(linker.calls.at(-1)).toEqual({ provider: "bakong", qr: topUp.qr, callbackUrl: "https://t.me/khqr_topup_bot" });
  });

  it("disappears with the card once paid", async () => {
    const user = payer;
    const topUp = await h.database.db.topUp.findFirstOrThrow({ where: { user: { telegramId: BigInt(user) } }, orderBy: { id: "desc" } });
    const receipt = nextMessage(h.driver, user, "Top-up successful", 15_000);
    await h.bakong.pay({ reference: topUp.reference, qr: topUp.qr });
    await receipt;
    const old = h.driver.chat(user).find((m) => m.message_id === topUp.messageId)!;
    expect(old.deleted).toBe(true);
    expect(h.driver.chat(user).filter((m) => !m.deleted).some((m) => bankButton(m) !== undefined)).toBe(false);
  });

  it("disappears when a card that cannot be deleted is covered (cancelled)", async () => {
    const user = await customer();
    const shown = await card(user, "link");
    expect(bankButton(shown)).toBeDefined();
    h.driver.failNext("deleteMessage", 400);
    await say(user, "/cancel", "cancelled");
    const covered = h.driver.chat(user).find((m) => m.message_id === shown.message_id)!;
    expect(covered.deleted).toBe(false);
    expect(buttons(covered)).toEqual([]);
  });

  it("passes the provider's own link on to the deep-linker", async () => {
    const providers = h.providers as Map<ProviderName, PaymentProvider>;
    const real = providers.get("bakong")!;
    providers.set("bakong", { ...real, create: async (ref) => ({ ...(await real.create(ref)), deepLink: "https://provider.example/dl/abc" }) });
    try {
      const user = await customer();
      await card(user, "link");
      expect(linker.calls.at(-1)).toMatchObject({ provider: "bakong", deepLink: "https://provider.example/dl/abc" });
      await say(user, "/cancel", "cancelled");
    } finally {
      providers.set("bakong", real);
    }
  });

  it("is offered again with a card shown again", async () => {
    const user = await customer();
    await card(user, "link");
    const offer = await say(user, "/topup", "already have a top-up waiting");
    const topUp = await h.database.db.topUp.findFirstOrThrow({ where: { user: { telegramId: BigInt(user) } }, orderBy: { id: "desc" } });
    const again = nextMessage(h.driver, user, isPhoto);
    h.driver.clickButton(user, offer.message_id, `tu:show:${topUp.id}`);
    expect(bankButton(await again)?.url).toBe(`https://bank.example/pay/${topUp.qr!.slice(-4)}`);
    await say(user, "/cancel", "cancelled");
  });

  const failures: Record<Exclude<Mode, "link">, string> = {
    none: "has no link",
    fail: "fails",
    throw: "throws instead of rejecting",
    hang: "never answers",
    "custom-scheme": "answers a non-https link",
  };
  for (const [mode, what] of Object.entries(failures) as Array<[Mode, string]>) {
    it(`is left out, and the card still comes, when the deep-linker ${what}`, async () => {
      const user = await customer();
      const shown = await card(user, mode);
      const topUp = await topUpShownBy(h, shown);
      expect(buttons(shown).map((b) => b.callback_data)).toEqual([`tu:check:${topUp.id}`, `tu:cancel:${topUp.id}`]);
      expect(textOf(shown)).toContain("On this phone: save the picture, then use “scan from gallery” in your bank app.");
      expect(textOf(shown)).not.toContain("Open in bank app");
      await say(user, "/cancel", "cancelled");
    });
  }

  it("is dropped when Telegram refuses its URL, and the card is sent without it", async () => {
    const user = await customer();
    h.driver.failNext("sendPhoto", 400);
    const shown = await card(user, "link");
    expect(bankButton(shown)).toBeUndefined();
    expect(textOf(shown)).toContain("scan from gallery");
    await say(user, "/cancel", "cancelled");
  });

  it("speaks Khmer to a Khmer customer", async () => {
    const user = await customer("km", "sokha");
    const shown = await card(user, "link");
    expect(bankButton(shown)?.text).toBe("📱 បើកក្នុងកម្មវិធីធនាគារ");
    expect(textOf(shown)).toContain("នៅលើទូរសព្ទនេះ ចុច «បើកក្នុងកម្មវិធីធនាគារ»");
    await say(user, "/cancel", (m) => m.text !== undefined && m.message_id > shown.message_id);
    const plain = await card(user, "fail");
    expect(textOf(plain)).toContain("ស្កេនពីរូបភាព");
  });
});
