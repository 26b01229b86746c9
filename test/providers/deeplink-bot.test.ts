import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DeepLinker } from "../../src/bot/deps.js";
import { createMetrics } from "../../src/metrics.js";
import { createDeepLinker, deepLinkApp } from "../../src/payments/deeplink.js";
import type { ChatMessage } from "../../sandbox/telegram/index.js";
import { buttons, nextMessage, startHarness, textOf, topUpShownBy, type Harness } from "../bot/harness.js";
import { silentLog } from "../support/core.js";

/**
 * Issue 14 end to end: the real deep-linker, wired as the composition root wires it, against the
 * Bakong simulator's generate_deeplink_by_qr, under the bot's KHQR card in the fake Telegram.
 */

const metrics = createMetrics();
let real: DeepLinker | undefined;
/** The harness builds the Bakong configuration, so the real deep-linker is made once it exists. */
const deepLinks: DeepLinker = { linkFor: (input) => real!.linkFor(input) };

let h: Harness;
let nextUser = 1_901;

beforeAll(async () => {
  h = await startHarness({ deepLinks, panelUsers: { dara: 0 } });
  real = createDeepLinker({
    bakong: h.config.providers.bakong,
    app: () => deepLinkApp(h.config.bot, h.bot.botInfo),
    log: silentLog,
    metrics,
    // The product's default: a loaded CI machine got no answer from the simulator within 400 ms; the hanging case
    // waits it out within the harness's wait for the card.
    timeoutMs: 1_500,
    secrets: [h.config.bot.token],
  });
  h.startWorkers();
  h.startBot();
});

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  h.bakong.deeplinkMode = "ok";
});

function say(userId: number, text: string, match: Parameters<typeof nextMessage>[2]): Promise<ChatMessage> {
  const waiting = nextMessage(h.driver, userId, match);
  h.driver.sendText(userId, text);
  return waiting;
}

async function cardFor(): Promise<ChatMessage> {
  const id = nextUser++;
  h.driver.addUser({ id, first_name: `User${id}`, language_code: "en" });
  await say(id, "/link", (m) => m.text !== undefined);
  await say(id, "dara", "dara");
  await say(id, "/topup", (m) => m.text !== undefined);
  return say(id, "5", (m) => m.photo !== undefined);
}

const bankButton = (m: ChatMessage) => buttons(m).find((b) => b.url !== undefined);
const outcomes = async () => Object.fromEntries((await metrics.deeplinks.get()).values.map((v) => [`${v.labels.provider}/${v.labels.outcome}`, v.value]));

describe("Open in bank app, through Bakong's generate_deeplink_by_qr", () => {
  it("the card carries the simulator's link for its QR; Bakong was told the bot's name, picture and chat", async () => {
    const shown = await cardFor();
    const topUp = await topUpShownBy(h, shown);
    const url = new URL(bankButton(shown)!.url!);
    expect(url.protocol).toBe("https:");
    expect(url.searchParams.get("reference")).toBe(topUp.reference);
    const me = h.bot.botInfo;
    expect(h.bakong.deeplinks.get(url.pathname.slice(1))).toEqual({
      qr: topUp.qr,
      md5: topUp.md5,
      reference: topUp.reference,
      appName: me.first_name,
      appIconUrl: `https://t.me/i/userpic/320/${me.username}.jpg`,
      callback: `https://t.me/${me.username}`,
    });
    expect(url.href).not.toContain("bakong-test-token");
    expect(url.href).not.toContain(h.config.bot.token);
    expect(textOf(shown)).toContain("On this phone, tap “Open in bank app”");
    expect((await outcomes())["bakong/ok"]).toBeGreaterThanOrEqual(1);
  });

  it("Bakong refusing the link: the card still comes, without the button, and says how to pay from this phone", async () => {
    h.bakong.deeplinkMode = "error";
    const before = (await outcomes())["bakong/error"] ?? 0;
    const shown = await cardFor();
    expect(bankButton(shown)).toBeUndefined();
    expect(textOf(shown)).toContain("scan from gallery");
    expect((await outcomes())["bakong/error"]).toBe(before + 1);
  });

  it("Bakong not answering: the card comes after the deep-linker's short timeout, without the button", async () => {
    const before = (await outcomes())["bakong/timeout"] ?? 0;
    h.bakong.deeplinkMode = "hang";
    const shown = await cardFor();
    expect(bankButton(shown)).toBeUndefined();
    expect((await outcomes())["bakong/timeout"]).toBe(before + 1);
  });
});
