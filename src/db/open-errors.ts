import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import pg from "pg";
import { dialectOf, sqlitePath } from "./url.js";

/** How long start-up waits for PostgreSQL to answer a connection before saying so. */
export const POSTGRES_CONNECT_TIMEOUT_MS = 10_000;

/** The database cannot be opened: the message says what and where, in one line, without credentials. */
export class DatabaseOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DatabaseOpenError";
  }
}

/**
 * Creates the SQLite file's folder one level at a time. `mkdirSync(..., { recursive: true })` spins
 * forever on some paths it cannot create (e.g. under /proc); one level at a time fails at once instead.
 */
export function prepareSqliteFolder(file: string): void {
  if (file === ":memory:") return;
  const missing: string[] = [];
  let dir = resolve(dirname(file));
  while (!existsSync(dir)) {
    missing.unshift(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new DatabaseOpenError(`cannot create the SQLite database ${resolve(file)}: ${dir} is a file, not a folder`);
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (err) {
      throw new DatabaseOpenError(`cannot create the folder ${folder} for the SQLite database ${resolve(file)}: ${reasonOf(err)}`, { cause: err });
    }
  }
}

/**
 * Connects once with a deadline: without one, a server behind a firewall that drops packets (or a port
 * that accepts and never answers) holds start-up for minutes with nothing said.
 */
export async function probePostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS });
  try {
    await client.connect();
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** "the SQLite database /abs/bot.db" or "the PostgreSQL database shop at db:5432": where, without credentials. */
export function databasePlace(url: string): string {
  if (dialectOf(url) === "sqlite") return `the SQLite database ${resolve(sqlitePath(url))}`;
  const where = postgresPlace(url);
  return `the PostgreSQL database ${where.database} at ${where.host}`;
}

/** Turns a driver's error on opening or migrating `url` into one line naming the problem and the place. */
export function describeOpenError(url: string, err: unknown): DatabaseOpenError {
  if (err instanceof DatabaseOpenError) return err;
  if (dialectOf(url) === "sqlite") {
    return new DatabaseOpenError(`cannot open ${databasePlace(url)}: ${reasonOf(err)}`, { cause: err });
  }
  const where = postgresPlace(url);
  const code = (err as { code?: unknown }).code;
  const reason =
    code === "ECONNREFUSED" ? "connection refused (is the server running and listening there?)"
    : code === "ENOTFOUND" || code === "EAI_AGAIN" ? "the host name does not resolve"
    : code === "3D000" ? `database "${where.database}" does not exist (create it first)`
    : code === "28P01" || code === "28000" ? `the server refused the login of user "${where.user}"`
    : /connection timeout|timeout expired/i.test(err instanceof Error ? err.message : "") ? `no answer within ${POSTGRES_CONNECT_TIMEOUT_MS / 1000} s (is the host reachable and the port right? a firewall dropping packets?)`
    : reasonOf(err);
  return new DatabaseOpenError(`cannot open ${databasePlace(url)}: ${reason}`, { cause: err });
}

function postgresPlace(url: string): { host: string; database: string; user: string } {
  try {
    const u = new URL(url);
    return { host: `${u.hostname || "localhost"}:${u.port || "5432"}`, database: decodeURIComponent(u.pathname.slice(1)) || "(default)", user: decodeURIComponent(u.username) };
  } catch {
    return { host: "(unparsable DATABASE_URL)", database: "?", user: "?" };
  }
}

function reasonOf(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  const firstLine = message.split("\n")[0]!;
  return typeof code === "string" && !firstLine.includes(code) ? `${firstLine} (${code})` : firstLine;
}
