/**
 * 5. Bot throughput and footprint: updates per second through the fake Bot API (/start, and a full
 * top-up), resident memory with 10,000 pending top-ups, and start-up time of startApplication in
 * sandbox configuration.
 */
import { run as runBot, sequentialize } from "@grammyjs/runner";
import { apiThrottler } from "@grammyjs/transformer-throttler";
import { Bot } from "grammy";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { openDatabase } from "../src/db/database.js";
import { encodeKhqr, khqrMd5 } from "../src/khqr/index.js";
import type { Sandbox } from "../sandbox/start-sandbox.js";
import type { BotDriver, ChatMessage } from "../sandbox/telegram/index.js";
import { references, seedTopUps, startBenchApp, tempSqlite } from "./support/fixtures.js";
import { collectGarbage, mib, ms, num, perSec, ratio, sleep, summarize, type BenchResult, type Figure } from "./support/result.js";

const PENDING = 10_000;
const ROUND_WAIT_MS = 30_000;
const STARTUPS = 5;
const START_USERS = 200;
const FLOW_USERS = 50;
const FLOW_UPDATES = 5;
/** The same per-chat limits src/bot/bot.ts gives its throttler (global limit: the plugin's default, 30/s). */
const PRIVATE_CHAT_RATE = { maxConcurrent: 1, reservoir: 20, reservoirIncreaseAmount: 1, reservoirIncreaseInterval: 1000, reservoirIncreaseMaximum: 20 };

const textOf = (m: ChatMessage) => m.text ?? m.caption ?? "";

/** Sends as the user and resolves with the bot's next message in that chat that matches. */
function exchange(driver: BotDriver, userId: number, act: () => void, match: (m: ChatMessage) => boolean): Promise<ChatMessage> {
  const after = Math.max(0, ...driver.messagesIn(userId).map((m) => m.message_id));
  const reply = driver.waitFor(userId, (m) => m.message_id > after && !m.deleted && match(m), 120_000);
  act();
  return reply;
}

/** Every user sends /start at once; times until each has its greeting. */
async function startFlood(driver: BotDriver, userIds: number[], greeting: RegExp): Promise<{ elapsedMs: number; latencies: number[]; cpuMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const latencies = await Promise.all(
    userIds.map((id) => exchange(driver, id, () => driver.sendText(id, "/start"), (m) => greeting.test(textOf(m))).then(() => performance.now() - t0)),
  );
  const cpu = process.cpuUsage(cpu0);
  return { elapsedMs: performance.now() - t0, latencies, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** start → link → top up → preset → KHQR card, for every user at once. */
async function fullFlows(driver: BotDriver, users: { id: number; login: string }[]): Promise<{ elapsedMs: number; perUser: number[]; cpuMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const perUser = await Promise.all(
    users.map(async ({ id, login }) => {
      const started = performance.now();
      const say = (text: string, match: (m: ChatMessage) => boolean) => exchange(driver, id, () => driver.sendText(id, text), match);
      await say("/start", (m) => textOf(m).startsWith("Hello"));
      await say("/link", (m) => textOf(m).includes("username (login) on the panel"));
      await say(login, (m) => textOf(m).includes("Linked to the panel account"));
      const prompt = await say("/topup", (m) => textOf(m).includes("How much would you like to top up"));
      await exchange(driver, id, () => driver.clickButton(id, prompt.message_id, "c:amt:500"), (m) => m.photo !== undefined);
      return performance.now() - started;
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { elapsedMs: performance.now() - t0, perUser, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function footprint(): Promise<{ base: number; idle: number; heapIdle: number; pending: number; heapPending: number; roundMs: number | null; polled: number; loopP99: number; gc: boolean }> {
  const gc = collectGarbage();
  const base = process.memoryUsage().rss;
  const bench = await startBenchApp("footprint");
  const { app, databaseUrl } = bench;
  try {
    await sleep(2_000);
    collectGarbage();
    const { rss: idle, heapUsed: heapIdle } = process.memoryUsage();

    const now = Date.now();
    const qr = (billNumber: string) => {
      const text = encodeKhqr({ account: { kind: "individual", bakongAccountId: "sandbox_shop@aclb" }, merchantName: "Sandbox SMM Shop", merchantCity: "Phnom Penh", currency: "USD", amountMinor: 500, billNumber, createdAt: now, expiresAt: now + 3_600_000 });
      return { qr: text, md5: khqrMd5(text) };
    };
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    seedTopUps(databaseUrl, { provider: "bakong", refs: references(PENDING, "251127"), amountMinor: 500, panelLogin: "dara", chatId: 8_000_000_000n, userPerTopUp: true, qr, pollNow: true });
    // Let the poller take them all once (a full polling round), the steady state of 10,000 pending.
    const t0 = performance.now();
    let polled = 0;
    let roundMs: number | null = null;
    while (performance.now() - t0 < ROUND_WAIT_MS) {
      await sleep(500);
      polled = await app.database.db.topUp.count({ where: { pollCount: { gte: 1 } } });
      if (polled >= PENDING) {
        roundMs = performance.now() - t0;
        break;
      }
    }
    loop.disable();
    collectGarbage();
    const usage = process.memoryUsage();
    return { base, idle, heapIdle, pending: usage.rss, heapPending: usage.heapUsed, roundMs, polled, loopP99: loop.percentile(99) / 1e6, gc };
  } finally {
    await bench.close();
  }
}

async function startups(): Promise<{ app: number[]; database: number[] }> {
  const appTimes: number[] = [];
  const dbTimes: number[] = [];
  for (let i = 0; i < STARTUPS; i++) {
    const baseFile = tempSqlite("open");
    const t = performance.now();
    const database = await openDatabase(baseFile.url);
    dbTimes.push(performance.now() - t);
    await database.close();
    baseFile.remove();

    const bench = await startBenchApp("startup");
    appTimes.push(bench.startMs);
    await bench.close();
  }
  return { app: appTimes, database: dbTimes };
}

/** A minimal grammY bot on the same fake Bot API with the same throttling: the baseline for updates/s. */
async function bareBot(sandbox: Sandbox): Promise<{ driver: BotDriver; stop(): Promise<void> }> {
  const token = "7000000099:BENCH-bare-baseline-bot";
  const driver = sandbox.telegram.bot(token, { username: "bare_baseline_bot", first_name: "Baseline" });
  const bot = new Bot(token, { client: { apiRoot: sandbox.telegram.url } });
  bot.api.config.use(apiThrottler({ out: PRIVATE_CHAT_RATE }));
  bot.use(sequentialize((ctx) => String(ctx.chat?.id ?? "")));
  bot.command("start", (ctx) => ctx.reply(`Hello ${ctx.from?.first_name ?? ""}!`));
  await bot.init();
  const runner = runBot(bot);
  return { driver, stop: () => runner.stop() };
}

export async function run(): Promise<BenchResult> {
  const mem = await footprint();
  const boot = await startups();

  const bench = await startBenchApp("throughput", { providers: ["bakong"] });
  const { sandbox } = bench;
  const bare = await bareBot(sandbox);
  try {
    const ours = sandbox.bot;
    for (const driver of [ours, bare.driver]) driver.state.emitter.setMaxListeners(0);
    const startIds = Array.from({ length: START_USERS }, (_, i) => 710_000_000 + i);
    for (const id of startIds) {
      ours.addUser({ id, first_name: `U${id}`, language_code: "en" });
      bare.driver.addUser({ id, first_name: `U${id}`, language_code: "en" });
    }
    const flowUsers = Array.from({ length: FLOW_USERS }, (_, i) => ({ id: 720_000_000 + i, login: `bench_${i}` }));
    for (const u of flowUsers) {
      ours.addUser({ id: u.id, first_name: `F${u.id}`, language_code: "en" });
      sandbox.panel.addUser(u.login, 0);
    }
    // Warm both bots with a few users first (JIT, prepared paths), not counted.
    const warmIds = Array.from({ length: 10 }, (_, i) => 730_000_000 + i);
    for (const id of warmIds) {
      ours.addUser({ id, first_name: `W${id}`, language_code: "en" });
      bare.driver.addUser({ id, first_name: `W${id}`, language_code: "en" });
    }
    await startFlood(ours, warmIds, /^Hello/);
    await startFlood(bare.driver, warmIds, /^Hello/);

    const oursStart = await startFlood(ours, startIds, /^Hello/);
    const bareStart = await startFlood(bare.driver, startIds, /^Hello/);
    const chatCalls = () => ours.calls().filter((c) => /^(send|edit|delete)/i.test(c.method)).length;
    const callsBeforeFlow = chatCalls();
    const flow = await fullFlows(ours, flowUsers);
    const callsPerTopUp = (chatCalls() - callsBeforeFlow) / FLOW_USERS;

    const oursRate = START_USERS / (oursStart.elapsedMs / 1000);
    const bareRate = START_USERS / (bareStart.elapsedMs / 1000);
    const flowRate = (FLOW_USERS * FLOW_UPDATES) / (flow.elapsedMs / 1000);
    const startLatency = summarize(oursStart.latencies);
    const flowTimes = summarize(flow.perUser);
    const bootApp = summarize(boot.app);
    const bootDb = summarize(boot.database);
    const oursCpu = oursStart.cpuMs / START_USERS;
    const bareCpu = bareStart.cpuMs / START_USERS;
    const flowCpu = flow.cpuMs / (FLOW_USERS * FLOW_UPDATES);

    const figures: Figure[] = [
      { label: `/start: updates/s, ${START_USERS} users at once`, value: perSec(oursRate) },
      { label: "/start: reply latency p50 / p99 (queued behind the others)", value: `${ms(startLatency.p50, 0)} / ${ms(startLatency.p99, 0)}` },
      { label: `Baseline: bare grammY bot, same fake API and throttler: updates/s`, value: perSec(bareRate) },
      { label: "/start rate vs baseline", value: ratio(oursRate / bareRate) },
      { label: "CPU per /start update: this bot / bare bot (whole process incl. fake API)", value: `${ms(oursCpu, 2)} / ${ms(bareCpu, 2)} (${ratio(oursCpu / bareCpu)})` },
      { label: `Full top-up (start → link → /topup → preset → card), ${FLOW_USERS} users at once: updates/s`, value: `${perSec(flowRate)} (${num(FLOW_USERS / (flow.elapsedMs / 1000), 1)} top-ups/s)` },
      { label: "Full top-up per user p50 / max", value: `${ms(flowTimes.p50, 0)} / ${ms(flowTimes.max, 0)}` },
      { label: "CPU per update in the full top-up", value: ms(flowCpu, 2) },
      { label: `RSS: process before start / app idle / with ${PENDING.toLocaleString("en-US")} pending top-ups${mem.gc ? " (after GC)" : " (no GC available)"}`, value: `${mib(mem.base)} / ${mib(mem.idle)} / ${mib(mem.pending)}` },
      { label: "RSS with pending / idle app", value: ratio(mem.pending / mem.idle) },
      { label: "V8 heap used (after GC): app idle / with pending top-ups", value: `${mib(mem.heapIdle)} / ${mib(mem.heapPending)}` },
      { label: `Poller: first round over ${PENDING.toLocaleString("en-US")} pending top-ups`, value: mem.roundMs === null ? `not finished in ${ROUND_WAIT_MS / 1000} s (${mem.polled.toLocaleString("en-US")} polled)` : `${num(mem.roundMs / 1000, 1)} s` },
      { label: "Event-loop delay p99 during that round", value: ms(mem.loopP99, 0) },
      { label: `startApplication, sandbox configuration: median / min / max of ${STARTUPS}`, value: `${ms(bootApp.p50, 0)} / ${ms(Math.min(...boot.app), 0)} / ${ms(bootApp.max, 0)}` },
      { label: "Baseline: opening and migrating a fresh SQLite database (median)", value: `${ms(bootDb.p50, 0)} (start-up = ${ratio(bootApp.p50 / bootDb.p50)})` },
    ];
    const notes = [
      `Pending top-ups live in the database, not in the process: ${PENDING.toLocaleString("en-US")} of them (with their users) changed the V8 heap by ${mib(mem.heapPending - mem.heapIdle)} and RSS by ${mib(mem.pending - mem.idle)} (after GC, while the poller kept working through them).`,
      `Both bots send through @grammyjs/transformer-throttler, whose global default allows 30 chat-bound calls per second (Telegram's broadcast limit); /start costs one such call, a full top-up ${num(callsPerTopUp, 1)} (greeting, prompts, edits that clear buttons, the card; counted in this run). The update rates are therefore capped near 30 calls/s by design; CPU per update shows what the bot itself costs.`,
      `At ${ms(oursCpu, 1)} of CPU per /start the process could handle about ${num(1000 / oursCpu, 0)} /start updates/s on one core if Telegram's limits did not apply.`,
      mem.roundMs === null || mem.roundMs > 3_000
        ? `With ${PENDING.toLocaleString("en-US")} pending top-ups one polling round takes ${mem.roundMs === null ? `over ${ROUND_WAIT_MS / 1000} s` : `${num(mem.roundMs / 1000, 1)} s`}, longer than the 3 s interval young top-ups are meant to be polled at (see polling: the poller's per-row UPDATEs).`
        : `With ${PENDING.toLocaleString("en-US")} pending top-ups one polling round takes ${num(mem.roundMs / 1000, 1)} s.`,
    ];
    return {
      name: "bot",
      title: "Bot throughput and footprint",
      method: [
        `Sandbox simulators + startApplication (SQLite temp file, LOG_LEVEL silent, long polling through @grammyjs/runner against the fake Bot API on loopback). Throughput with Bakong as the only provider, so a preset leads straight to the card.`,
        `/start: ${START_USERS} new users each send /start at the same moment; rate = users / time until the last greeting. Baseline: a bare grammY bot (runner, sequentialize, the same throttler settings) that answers /start with one message, same users, same fake API, same process. 10 warm-up users each first.`,
        `Full top-up: ${FLOW_USERS} users at once, each /start → /link → login → /topup → preset button → KHQR card photo (${FLOW_UPDATES} updates), waiting for each answer; panel users added to the simulator.`,
        `Memory: process.memoryUsage().rss after global.gc() (run with --expose-gc): before anything starts, 2 s after startApplication (all five sandbox providers), and after ${PENDING.toLocaleString("en-US")} pending Bakong top-ups (10,000 users, real KHQRs) were inserted and the poller had polled them once (or ${ROUND_WAIT_MS / 1000} s passed).`,
        `Start-up: ${STARTUPS} × startApplication on a fresh database (migrations, bot init, commands, runner, workers), simulators already running; baseline: openDatabase (with migrations) on a fresh file.`,
      ],
      figures,
      targets: [],
      notes,
    };
  } finally {
    await bare.stop();
    await bench.close();
  }
}
