import type pg from "pg";

/**
 * A hot-path statement PostgreSQL parses and plans once per connection (a named prepared statement)
 * instead of on every call: the ledger's CTEs cost more to plan than to run.
 */
export function prepared(name: string, text: string): (values: unknown[]) => pg.QueryConfig {
  return (values) => ({ name, text, values });
}
