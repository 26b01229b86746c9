export type Dialect = "sqlite" | "postgres";

export function dialectOf(url: string): Dialect {
  if (/^postgres(ql)?:\/\//.test(url)) return "postgres";
  if (url.startsWith("file:")) return "sqlite";
  throw new Error(`DATABASE_URL must start with file:, postgres:// or postgresql:// (got "${url.split(":")[0]}:")`);
}

export function sqlitePath(url: string): string {
  return url.slice("file:".length).split("?")[0]!;
}
