/** A timestamp as Prisma stores it in SQLite (text, compared as text): "2026-01-02T03:04:05.678+00:00". */
export function sqliteTimestamp(at: Date): string {
  return at.toISOString().replace("Z", "+00:00");
}

/** A timestamp parameter for PostgreSQL timestamp(3) columns, which Prisma fills in UTC without a zone. */
export function postgresTimestamp(at: Date): string {
  return at.toISOString().slice(0, -1);
}
