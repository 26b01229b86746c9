/**
 * What one merchant costs a platform process while idle: its context (services, providers, panel client, storage
 * namespace) as servePlatform builds it, and its bot once built (grammY, its middleware and throttler). One process,
 * one SQLite database; memory read after a forced GC (the benchmark child runs with --expose-gc).
 */
import { loadConfig } from "../src/config/config.js";
import { createLocalWakeup } from "../src/db/wakeup.js";
import { openLedgerDatabase } from "../src/ledger/hot-path.js";
import { createMerchantContext, type MerchantContext } from "../src/merchants/context.js";
import type { Shared } from "../src/merchants/shared.js";
import { createMetrics } from "../src/metrics.js";
import { silentLog, tempSqlite } from "./support/fixtures.js";
import { ms, num, type BenchResult } from "./support/result.js";

const MERCHANTS = 1_000;
const BOTS = 200;
const TARGET_KB_PER_MERCHANT = 100;

function settle(): { rss: number; heap: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

function envOf(i: number): Record<string, string> {
  return {
    DATABASE_URL: "file:unused", BOT_TOKEN: `${8_000_000_000 + i}:${"BENCH-merchant-token".padEnd(35, "0")}`, ADMIN_IDS: String(900_000 + i), MERCHANT_NAME: `Shop ${i}`,
    TOPUP_CURRENCY: "USD", PAYMENT_PROVIDERS: "bakong", BAKONG_TOKEN: `bench-token-${i}`, BAKONG_ACCOUNT_ID: `shop${i}@aclb`, BAKONG_API_URL: "http://127.0.0.1:9",
    PANEL_TYPE: "perfectpanel", PANEL_URL: "http://127.0.0.1:9", PANEL_API_KEY: `bench-panel-key-${i}`, PANEL_PAYMENT_METHOD: "KHQR",
    BOT_MODE: "webhook", PUBLIC_URL: "http://127.0.0.1:8080", TELEGRAM_WEBHOOK_SECRET: `bench-secret-${i}`, TELEGRAM_API_ROOT: "http://127.0.0.1:9",
  };
}

export async function run(): Promise<BenchResult> {
  const file = tempSqlite("merchants");
  const database = await openLedgerDatabase(file.url);
  const shared: Shared = { database, wakeup: createLocalWakeup(), redis: () => undefined, log: silentLog, metrics: createMetrics(), close: () => database.close() };
  const configs = Array.from({ length: MERCHANTS }, (_, i) => loadConfig(envOf(i)));
  const botInfo = (i: number) => ({ id: 8_000_000_000 + i, is_bot: true as const, first_name: `Shop ${i}`, username: `shop_${i}_bot`, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false, has_topics_enabled: false, allows_users_to_create_topics: false, can_manage_bots: false, supports_join_request_queries: false });
  try {
    const contexts: MerchantContext[] = [];
    const before = settle();
    const t0 = performance.now();
    for (let i = 0; i < MERCHANTS; i++) contexts.push(createMerchantContext(shared, { id: i + 2, routeKey: `key-${i}`, config: configs[i]!, botInfo: botInfo(i) }));
    const buildMs = performance.now() - t0;
    const withContexts = settle();
    const t1 = performance.now();
    for (const c of contexts.slice(0, BOTS)) c.bot();
    const botMs = performance.now() - t1;
    const withBots = settle();

    const contextKb = (withContexts.rss - before.rss) / MERCHANTS / 1024;
    const contextHeapKb = (withContexts.heap - before.heap) / MERCHANTS / 1024;
    const botKb = (withBots.rss - withContexts.rss) / BOTS / 1024;
    const botHeapKb = (withBots.heap - withContexts.heap) / BOTS / 1024;
    return {
      name: "merchants",
      title: "A platform's merchants in one process: idle memory of a merchant's context and of its bot",
      method: [
        `${MERCHANTS} merchant contexts built as a platform builds them (createMerchantContext: scoped database, Bakong provider, PerfectPanel client, admin service, top-ups, storage namespace; stored getMe, no network), then the bots of ${BOTS} of them (built on a merchant's first update or message).`,
        "Memory after three forced GCs; RSS and heap deltas divided by the number built. Configurations are loaded before the first reading.",
      ],
      figures: [
        { label: `context, RSS per merchant (${MERCHANTS})`, value: `${num(contextKb, 1)} KB` },
        { label: "context, heap per merchant", value: `${num(contextHeapKb, 1)} KB` },
        { label: `bot, RSS per merchant (${BOTS})`, value: `${num(botKb, 1)} KB` },
        { label: "bot, heap per merchant", value: `${num(botHeapKb, 1)} KB` },
        { label: `building ${MERCHANTS} contexts`, value: ms(buildMs) },
        { label: `building ${BOTS} bots`, value: ms(botMs) },
      ],
      targets: [
        { label: "idle memory per merchant (bot not built)", target: `≤ ${TARGET_KB_PER_MERCHANT} KB`, measured: `${num(contextKb, 1)} KB RSS`, met: contextKb <= TARGET_KB_PER_MERCHANT },
      ],
      notes: [
        "A merchant's bot is built on its first update (or first message to send) and kept: a platform whose merchants are all busy pays the bot's cost for each. Dropping idle bots is not built.",
      ],
    };
  } finally {
    await database.close();
    file.remove();
  }
}
