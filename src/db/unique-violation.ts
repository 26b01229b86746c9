/** Prisma's error for a unique constraint that refused the write (P2002): another writer got there first. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: string }).code === "P2002";
}
