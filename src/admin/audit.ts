import type { Db } from "../db/database.js";

/** Writes who did what, to what, and why. Every admin action goes through here. */
export async function audit(
  tx: Pick<Db, "auditLog">,
  entry: { actorId: bigint | null; action: string; subject: string; reason?: string | null; details?: Record<string, unknown> },
): Promise<void> {
  await tx.auditLog.create({
    data: {
      actorId: entry.actorId,
      action: entry.action,
      subject: entry.subject,
      reason: entry.reason ?? null,
      details: JSON.stringify(entry.details ?? {}, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
    },
  });
}
