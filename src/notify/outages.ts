import type { Db } from "../db/database.js";
import type { Logger } from "../logger.js";
import { enqueueNotification } from "../ledger/outbox.js";
import { isUniqueViolation } from "../db/unique-violation.js";

/**
 * Tells admins once when an outside party (a provider, the panel) starts failing and once when it
 * recovers, however many calls fail in between and however many instances see it.
 */
const outageKey = (merchantId: number, component: string) => `outage:${merchantId}:${component}`;

/** The merchants whose `component` is recorded down (by any instance, before a restart too): one read of the key range. */
export async function merchantsWithOutage(db: Db, component: string): Promise<number[]> {
  const rows = await db.keyValue.findMany({ where: { key: { startsWith: "outage:", endsWith: `:${component}` } }, select: { key: true } });
  return rows.map((r) => Number(r.key.split(":")[1])).filter(Number.isSafeInteger);
}

export function createOutageTracker(deps: { db: Db; merchantId: number; adminChats: readonly bigint[]; log: Logger; onChange?: () => void }) {
  const known = new Map<string, boolean>();
  // The merchant's panel and providers: one shop's outage is not another's.
  const key = (component: string) => outageKey(deps.merchantId, component);

  async function down(component: string, detail: string): Promise<void> {
    if (known.get(component) === true) return;
    known.set(component, true);
    const since = new Date();
    try {
      await deps.db.$transaction(async (tx) => {
        await tx.keyValue.create({ data: { key: key(component), value: since.toISOString() } });
        await enqueueNotification(tx, deps.merchantId, deps.adminChats, `${key(component)}:${since.toISOString()}:down`, { kind: "admin.outage", component, state: "down", detail });
      });
      deps.onChange?.();
    } catch (err) {
      if (!isUniqueViolation(err)) deps.log.warn({ err, component }, "could not record outage");
    }
  }

  async function up(component: string): Promise<void> {
    if (known.get(component) === false) return;
    known.set(component, false);
    const row = await deps.db.keyValue.findUnique({ where: { key: key(component) } });
    if (!row) return;
    const removed = await deps.db.keyValue.deleteMany({ where: { key: key(component), value: row.value } });
    if (removed.count === 0) return;
    await enqueueNotification(deps.db, deps.merchantId, deps.adminChats, `${key(component)}:${row.value}:up`, { kind: "admin.outage", component, state: "up", detail: `since ${row.value}` });
    deps.onChange?.();
  }

  return { down, up };
}

export type OutageTracker = ReturnType<typeof createOutageTracker>;
