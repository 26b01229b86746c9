import type { UserFromGetMe } from "grammy/types";
import { ConfigError } from "../config/config.js";
import { loadMerchantConfig } from "../config/merchant-config.js";
import type { Env } from "../config/reader.js";
import { DEFAULT_MERCHANT_ID } from "../db/merchant-scope.js";
import type { MasterKey } from "../platform/master-key.js";
import { secretMaskOf } from "../logger.js";
import { createMerchantStore, secretValuesOf, type MerchantRecord, type MerchantSecrets } from "../platform/merchant-store.js";
import { watchMerchants, type MerchantWatcher } from "../platform/merchant-watcher.js";
import type { MerchantContext, MerchantContextSpec } from "./context.js";
import type { MerchantRegistry } from "./registry.js";
import type { Shared } from "./shared.js";

export interface PlatformOptions {
  /** MASTER_KEY: opens every stored merchant's data key. */
  masterKey: MasterKey;
  /** The process-wide variables every merchant's configuration takes (PUBLIC_URL, DATABASE_URL…). */
  processEnv: Env;
  /** How often the store is looked at (default 1 s; PostgreSQL also hears a change at once). */
  watchEveryMs?: number;
}

export interface Platform {
  /** Looks at the store now (a change made by this process). */
  refresh(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Serves a platform's stored merchants: every active or disabled one at start, then each one added, changed,
 * disabled, enabled or removed, on every instance within 2 s. A changed merchant's context is rebuilt and replaces
 * the old one; a removed one is dropped (removal is refused while anything of it is pending). A disabled merchant
 * stays served for its money: its bot takes no updates (so no new top-ups), but payments of its open top-ups are
 * still recorded, credited to its panel and receipted. A merchant whose stored configuration no longer validates
 * is not served (logged); its rows wait, untouched, for a fix.
 * Throws a ConfigError naming MASTER_KEY when it opens no stored merchant's key.
 */
export async function servePlatform(
  shared: Shared,
  registry: MerchantRegistry,
  build: (spec: MerchantContextSpec) => MerchantContext,
  opts: PlatformOptions,
): Promise<Platform> {
  const { log } = shared;
  const store = createMerchantStore(shared.database, { wakeup: shared.wakeup });
  await store.assertMasterKey(opts.masterKey);

  async function serve(m: MerchantRecord, storedSecrets: Map<number, () => MerchantSecrets>): Promise<void> {
    // The environment merchant is served from the environment (.env), by the composition root.
    if (m.id === DEFAULT_MERCHANT_ID) return;
    // A pending merchant (onboarding) is served only once an operator approves it.
    if (m.state === "removed" || m.state === "pending" || m.routeKey === null || m.botInfo === null) {
      await retire(registry.drop(m.id));
      secretMaskOf(log)?.delete(maskOwner(m.id));
      return;
    }
    let context: MerchantContext;
    try {
      const opened = storedSecrets.get(m.id);
      // Removed between the list and the read: the next change serves it (or drops it).
      if (!opened) return;
      const stored = opened();
      const secrets = secretValuesOf(stored);
      // Masked before anything of this merchant can be logged, its refused configuration included.
      secretMaskOf(log)?.set(maskOwner(m.id), secrets);
      const config = loadMerchantConfig(opts.processEnv, stored.vars, { webhookSecret: stored.webhookSecret });
      context = build({ id: m.id, routeKey: m.routeKey, config, botInfo: JSON.parse(m.botInfo) as UserFromGetMe, secrets, state: m.state });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      log.error({ merchant: m.name, problems: err.problems }, "a merchant's stored configuration is not valid; it is not served until it is updated");
      await retire(registry.drop(m.id));
      return;
    }
    context.dailyReport?.start();
    await retire(registry.put(context));
    log.info({ merchant: m.name, state: m.state, version: m.version }, "merchant served");
  }

  async function retire(context: MerchantContext | undefined): Promise<void> {
    await context?.close().catch((err: unknown) => log.warn({ err }, "closing a merchant's previous context failed"));
  }

  const serveAll = async (merchants: readonly MerchantRecord[]) => {
    // One read of every changed merchant's secrets, not one per merchant (start-up with 1,000 merchants).
    const storedSecrets = await store.secretsOf(merchants.filter((m) => m.state !== "removed" && m.id !== DEFAULT_MERCHANT_ID).map((m) => m.id), opts.masterKey);
    for (const m of merchants) {
      await serve(m, storedSecrets).catch((err: unknown) => log.error({ err, merchant: m.name }, "serving a merchant failed; the next change to it tries again"));
    }
  };
  // Watching first: a change made while the merchants are loaded is seen by the watcher, not lost between the two.
  const watcher: MerchantWatcher = await watchMerchants(store, { log, wakeup: shared.wakeup, everyMs: opts.watchEveryMs, onChange: serveAll });
  await serveAll(await store.list());
  return {
    refresh: () => watcher.check(),
    async stop() {
      await watcher.stop();
    },
  };
}

const maskOwner = (id: number) => `merchant ${id}`;
