import BetterSqlite3 from "better-sqlite3";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/** WAL header and frame header sizes (sqlite.org/fileformat2.html#walformat). */
const WAL_HEADER = 32;
const FRAME_HEADER = 24;

/** Bytes of one WAL frame of `file`: its page size (read from the database, which keeps the size it was created with) + the frame header. */
export function walFrameBytes(file: string): number {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return (db.pragma("page_size", { simple: true }) as number) + FRAME_HEADER;
  } finally {
    db.close();
  }
}

/**
 * Frames in the WAL file of `file` per table or index whose page they carry (names from the dbstat table).
 * Meaningful only while nothing checkpoints, so that the file holds every frame written since it was emptied.
 */
export function walFramesByBtree(file: string): Map<string, number> {
  const db = new BetterSqlite3(file, { readonly: true });
  const owner = new Map<number, string>();
  let pageSize: number;
  try {
    for (const r of db.prepare(`SELECT "name", "pageno" FROM dbstat`).all() as { name: string; pageno: number }[]) owner.set(r.pageno, r.name);
    pageSize = db.pragma("page_size", { simple: true }) as number;
  } finally {
    db.close();
  }
  const fd = openSync(`${file}-wal`, "r");
  const counts = new Map<string, number>();
  try {
    const frames = Math.floor((fstatSync(fd).size - WAL_HEADER) / (pageSize + FRAME_HEADER));
    const header = Buffer.alloc(FRAME_HEADER);
    for (let i = 0; i < frames; i++) {
      readSync(fd, header, 0, FRAME_HEADER, WAL_HEADER + i * (pageSize + FRAME_HEADER));
      const name = owner.get(header.readUInt32BE(0)) ?? "(free pages)";
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  } finally {
    closeSync(fd);
  }
  return counts;
}
