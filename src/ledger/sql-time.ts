/** A timestamp as Prisma stores it in SQLite (text, compared as text): "2026-01-02T03:04:05.678+00:00". */
export function sqliteTimestamp(at: Date): string {
  return at.toISOString().replace("Z", "+00:00");
}

/** A PostgreSQL timestamp(3) column (UTC, no zone) read as ISO text, so no local-time parser touches it. */
export function postgresIsoColumn(column: string): string {
  return `to_char("${column}", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "${column}"`;
}

/** A timestamp parameter for PostgreSQL timestamp(3) columns, which Prisma fills in UTC without a zone. */
export function postgresTimestamp(at: Date): string {
  return at.toISOString().slice(0, -1);
}
