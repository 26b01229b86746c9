import { createBotApi } from "../bot/bot.js";
import { createDelivery } from "../bot/delivery.js";
import { forMerchant } from "../db/merchant-scope.js";
import type { Wakeup } from "../db/wakeup.js";
import type { CreditMerchant } from "../jobs/crediter.js";
import type { MerchantResolver } from "../jobs/merchants.js";
import type { Deliver } from "../jobs/notifier.js";
import type { LedgerDatabase } from "../ledger/hot-path.js";
import type { Logger } from "../logger.js";
import { createCreditParts } from "../merchants/merchant-services.js";
import type { PanelTimeouts } from "../panel/panel-call.js";
import type { SecretMask } from "../secret-mask.js";
import type { ThreadMerchant } from "./protocol.js";

export interface ThreadMerchants {
  /** Serves `merchant` from now on (its secret values masked first), replacing what was served under its id. */
  serve(merchant: ThreadMerchant): void;
  drop(id: number): void;
  credits: MerchantResolver<CreditMerchant>;
  deliveries: MerchantResolver<Deliver>;
}

/**
 * The merchants the crediting thread serves, as the main thread's registry tells it: each one's panel, outages,
 * admin chats and bonus for the crediter, and its bot's delivery (retries and throttling per bot token) for the
 * notifier. Each merchant's secret values are masked in the thread's log (`mask`) while it is served.
 */
export function createThreadMerchants(
  deps: { database: LedgerDatabase; wakeup: Wakeup; log: Logger; mask: SecretMask },
  opts: { panelTimeouts: Partial<PanelTimeouts> },
): ThreadMerchants {
  const served = new Map<number, ThreadMerchant>();
  /** Parts are built on a merchant's first credit or message (a platform's idle shops cost only their settings). */
  const built = new Map<number, { credit: CreditMerchant; deliver: Deliver }>();
  let ids: number[] = [];
  const { mask } = deps;
  const owner = (id: number) => `merchant ${id}`;
  const partsOf = (id: number) => {
    const merchant = served.get(id);
    if (merchant === undefined) return undefined;
    let parts = built.get(id);
    if (parts === undefined) {
      const credit = createCreditParts(deps, merchant, opts);
      const { config } = merchant;
      const deliver = createDelivery(createBotApi(config.bot.token, config.bot.apiRoot), { database: forMerchant(deps.database, id), panel: credit.panel, config, log: deps.log });
      built.set(id, (parts = { credit, deliver }));
    }
    return parts;
  };
  return {
    serve(merchant) {
      mask.set(owner(merchant.id), merchant.secrets);
      served.set(merchant.id, merchant);
      built.delete(merchant.id);
      ids = [...served.keys()];
    },
    drop(id) {
      served.delete(id);
      built.delete(id);
      ids = [...served.keys()];
      mask.delete(owner(id));
    },
    credits: { get: (id) => partsOf(id)?.credit, ids: () => ids },
    deliveries: { get: (id) => partsOf(id)?.deliver, ids: () => ids },
  };
}
