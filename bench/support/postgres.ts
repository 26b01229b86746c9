import pg from "pg";

/** Pending top-ups for one shared customer, inserted in one statement (the app must have migrated the database). */
export async function seedPostgresTopUps(url: string, opts: { provider: string; refs: readonly string[]; amountMinor: number; panelLogin: string; chatId: bigint }): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const user = await client.query<{ id: number }>(
      `INSERT INTO "users" ("telegramId", "firstName", "language", "panelLogin", "createdAt", "updatedAt") VALUES ($1, 'Bench', 'en', $2, now(), now())
       ON CONFLICT ("merchantId", "telegramId") DO UPDATE SET "panelLogin" = excluded."panelLogin" RETURNING "id"`,
      [opts.chatId.toString(), opts.panelLogin],
    );
    await client.query(
      `INSERT INTO "top_ups" ("reference", "userId", "chatId", "provider", "currency", "amountMinor", "panelLogin", "status", "providerRef", "expiresAt", "pollCount", "createdAt", "updatedAt")
       SELECT r, $2, $3, $4, 'USD', $5, $6, 'PENDING', r, now() + interval '1 hour', 0, now(), now() FROM unnest($1::text[]) AS r`,
      [opts.refs, user.rows[0]!.id, opts.chatId.toString(), opts.provider, opts.amountMinor, opts.panelLogin],
    );
  } finally {
    await client.end();
  }
}
