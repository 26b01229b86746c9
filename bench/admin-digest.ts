/**
 * A burst of 1,000 payments, each for a different customer: every customer gets a receipt, and the admin chat
 * should get a handful of digests instead of 1,000 notes, after the receipts. The whole application runs as in
 * production (notifier, grammY throttler) against the sandbox's fake Telegram, which records what arrives.
 */
import { SANDBOX_ADMIN_CHAT } from "../sandbox/start-sandbox.js";
import { paymentCredits } from "./support/credit-times.js";
import { references, seedTopUps, startBenchApp } from "./support/fixtures.js";
import { runLoad } from "./support/load.js";
import { num, sleep, type BenchResult } from "./support/result.js";
import { recordBotMessages, type SentMessage } from "./support/telegram-log.js";

const PAYMENTS = 1_000;
const RATE = 1_000;
const CONNECTIONS = 256;
/** Opened before the burst, as a provider's delivery pool keeps connections alive. */
const WARM_CONNECTIONS = 64;
/** Customer chat ids: FIRST_CHAT + i, clear of the sandbox's own users (700,000,001 and up). */
const FIRST_CHAT = 900_000_001n;
const WAIT_CAP_MS = 120_000;
/** After everything expected arrived: long enough to catch a late or duplicate message. */
const SETTLE_MS = 3_000;
const MAX_ADMIN_MESSAGES = 5;

const seconds = (millis: number) => `${num(millis / 1000, 2)} s`;
const count = (n: number) => n.toLocaleString("en-US");

/** How many payments an admin-chat message stands for: a digest's count from its first line, else one note. */
function digestSize(text: string): number | undefined {
  const found = /^🧾\D*([\d,]+)/u.exec(text);
  return found ? Number(found[1]!.replaceAll(",", "")) : undefined;
}

function tally(messages: readonly SentMessage[]) {
  const admin = messages.filter((m) => m.chatId === SANDBOX_ADMIN_CHAT);
  const digests = admin.flatMap((m) => {
    const size = digestSize(m.text);
    return size === undefined ? [] : [{ at: m.at, size }];
  });
  const receipts = messages.filter((m) => m.chatId !== SANDBOX_ADMIN_CHAT && m.text.startsWith("✅"));
  const covered = digests.reduce((s, d) => s + d.size, 0);
  return { admin, digests, singles: admin.length - digests.length, receipts, covered };
}

export async function run(): Promise<BenchResult> {
  const bench = await startBenchApp("digest", { providers: ["raksmeypay"] });
  const { sandbox, app, config, databaseUrl } = bench;
  const log = recordBotMessages(sandbox.bot);
  try {
    const refs = references(PAYMENTS);
    seedTopUps(databaseUrl, { provider: "raksmeypay", refs, amountMinor: 500, panelLogin: "dara", chatId: FIRST_CHAT, userPerTopUp: true });
    // Telegram only delivers to private chats that exist; the customers never write, so their chats are made directly.
    for (let i = 0; i < PAYMENTS; i++) sandbox.bot.state.privateChat({ id: Number(FIRST_CHAT) + i, is_bot: false, first_name: "Bench" });
    const rp = config.providers.raksmeypay!;
    const burstStart = Date.now();
    const hooks = await runLoad({
      kind: "webhooks", url: app.url, path: "/webhooks/raksmeypay", refs, profileId: rp.profileId, profileKey: rp.profileKey,
      webhookApiKey: rp.webhookApiKey, amount: "5.00", currency: "USD", connections: CONNECTIONS, warmConnections: WARM_CONNECTIONS,
      durationSec: PAYMENTS / RATE, evenRate: RATE,
    });
    let waited = tally(log.messages);
    while (Date.now() - burstStart < WAIT_CAP_MS && (waited.receipts.length < PAYMENTS || waited.covered + waited.singles < PAYMENTS)) {
      await sleep(250);
      waited = tally(log.messages);
    }
    await sleep(SETTLE_MS);
    log.stop();

    const payments = paymentCredits(databaseUrl);
    const firstPayment = Math.min(...payments.map((p) => p.observed));
    const { admin, digests, singles, receipts, covered } = tally(log.messages);
    const receiptChats = new Set(receipts.map((m) => m.chatId)).size;
    const otherCustomerMessages = log.messages.filter((m) => m.chatId !== SANDBOX_ADMIN_CHAT).length - receipts.length;
    const lastReceipt = Math.max(...receipts.map((m) => m.at));
    const firstReceipt = Math.min(...receipts.map((m) => m.at));
    const firstDigest = digests.length > 0 ? Math.min(...digests.map((d) => d.at)) : Number.NaN;
    const receiptsAfterDigest = receipts.filter((m) => m.at >= firstDigest).length;
    const adminBeforeLastReceipt = admin.filter((m) => m.at < lastReceipt).length;
    const refused = sandbox.bot.calls().filter((c) => c.status !== 200);
    const since = (at: number) => seconds(at - firstPayment);

    const allReceipts = receipts.length === PAYMENTS && receiptChats === PAYMENTS;
    const receiptsFirst = allReceipts && digests.length > 0 && receiptsAfterDigest === 0;
    const notes: string[] = [];
    if (hooks.count2xx !== PAYMENTS) notes.push(`Webhook answers by status: ${JSON.stringify(hooks.statusCodes)}; errors ${hooks.errors}.`);
    if (singles > 0) notes.push(`${count(singles)} admin-chat message(s) were single payment notes, not digests: the notifier sends admin notes one by one when fewer than 4 wait for the chat at the moment it looks (src/jobs/notifier.ts, DIGEST_FROM).`);
    if (adminBeforeLastReceipt > 0) {
      notes.push(
        `${count(adminBeforeLastReceipt)} admin-chat message(s) arrived before the last receipt. The notifier puts customers first only within one pass: a pass that finds fewer customer messages due than its batch (50) goes on to the admin notes due at that moment. Admin notes are queued when a payment is recorded, a receipt only when its credit is done, so early in a burst a pass finds admin notes and few or no receipts.`,
      );
    }
    if (admin.length > 0) {
      const timeline = admin.map((m) => `${digestSize(m.text) === undefined ? "note" : `digest of ${count(digestSize(m.text)!)}`} at ${since(m.at)}`);
      notes.push(
        `Admin chat in order (from the first payment): ${timeline.join(", ")}. Per-payment admin notes wait while customers still wait for receipts (at most 60 s; src/jobs/notifier.ts DIGEST_HOLD_MS), and one digest covers up to 1,000 payments, so a burst reaches the admin chat as one digest after its receipts.`,
      );
    }
    if (refused.length > 0) notes.push(`Bot API calls the fake Telegram refused: ${count(refused.length)} (${[...new Set(refused.map((c) => `${c.method} ${c.status} ${c.description ?? ""}`.trim()))].join("; ")}).`);

    return {
      name: "admin-digest",
      title: "A burst of 1,000 payments: receipts, then admin digests",
      method: [
        "startApplication in sandbox configuration (RaksmeyPay only, perfectpanel simulator in the same process, fake Telegram), SQLite temp file, LOG_LEVEL silent, default settings (notifier batch 50, grammY throttler as in production); crediter, notifier, poller and bot running.",
        `${count(PAYMENTS)} pending top-ups inserted directly, each for its own customer and private chat (chat ids ${FIRST_CHAT} and up; the chats are created in the fake Telegram's state, as if each customer had started the bot).`,
        `${count(PAYMENTS)} distinct signed RaksmeyPay webhooks from the open-loop sender in its own process (bench/support/even-rate.ts) at an even ${count(RATE)}/s for ${PAYMENTS / RATE} s, ${WARM_CONNECTIONS} connections opened first; no warm-up.`,
        `Every message the bot got into a chat is taken from the fake Telegram's event stream (bench/support/telegram-log.ts) and stamped with Date.now() when the fake stored it; "first payment" is the earliest payment observedAt in the database (same clock). A receipt is a customer-chat message starting "✅"; an admin-chat message is a digest when it starts "🧾 N payments", and then covers N payments.`,
        `Waited until ${count(PAYMENTS)} receipts had arrived and the admin chat's messages covered ${count(PAYMENTS)} payments (cap ${WAIT_CAP_MS / 1000} s from the burst's start), then ${SETTLE_MS / 1000} s more for late or duplicate messages.`,
      ],
      figures: [
        { label: "Webhooks answered 2xx / payments recorded", value: `${count(hooks.count2xx)} / ${count(payments.length)}` },
        { label: "Receipts delivered (customer chats reached)", value: `${count(receipts.length)} (${count(receiptChats)})${otherCustomerMessages > 0 ? `; other customer messages ${count(otherCustomerMessages)}` : ""}` },
        { label: "First payment → first receipt / last receipt", value: `${since(firstReceipt)} / ${since(lastReceipt)}` },
        { label: "Receipt rate between first and last receipt", value: `${num((receipts.length - 1) / Math.max(0.001, (lastReceipt - firstReceipt) / 1000), 1)} /s` },
        { label: "Admin chat messages: digests / single notes", value: `${count(admin.length)}: ${count(digests.length)} / ${count(singles)}` },
        { label: "Payments covered by digests + single notes / not reported to the admin chat", value: `${count(covered)} + ${count(singles)} / ${count(Math.max(0, PAYMENTS - covered - singles))}` },
        { label: "First payment → first digest", value: digests.length > 0 ? since(firstDigest) : "no digest" },
        { label: "First digest − last receipt", value: digests.length > 0 ? seconds(firstDigest - lastReceipt) : "no digest" },
        { label: "Admin chat messages before the last receipt", value: count(adminBeforeLastReceipt) },
      ],
      targets: [
        { label: `Admin chat messages for ${count(PAYMENTS)} payments`, target: `≤ ${MAX_ADMIN_MESSAGES}`, measured: count(admin.length), met: admin.length <= MAX_ADMIN_MESSAGES && admin.length > 0 },
        { label: "Every customer receipt before the first digest", target: `${count(PAYMENTS)} of ${count(PAYMENTS)}`, measured: digests.length > 0 ? `${count(receipts.length - receiptsAfterDigest)} before, ${count(receiptsAfterDigest)} after` : "no digest", met: receiptsFirst },
        { label: "Payments covered by digests", target: `${count(PAYMENTS)} of ${count(PAYMENTS)}`, measured: singles > 0 ? `${count(covered)} (+ ${count(singles)} in single notes)` : count(covered), met: covered === PAYMENTS },
      ],
      notes,
    };
  } finally {
    log.stop();
    await bench.close();
  }
}
