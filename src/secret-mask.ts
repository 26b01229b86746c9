/** Secrets shorter than this are not masked: they would match ordinary text. Also the length of the index's keys. */
const MIN_SECRET_LENGTH = 4;

/**
 * The secret values a log masks wherever they appear in a line, by owner: the environment's, and each stored
 * merchant's as a platform serves it. Owners come and go while the process runs; a line costs one index
 * lookup per character, whatever the number of secrets (a platform holds thousands).
 */
export interface SecretMask {
  /** Replaces what `owner` masks with `values` (and their URL-encoded and JSON-escaped forms). */
  set(owner: string, values: readonly (string | undefined)[]): void;
  delete(owner: string): void;
  mask(line: string): string;
}

export const REDACTED = "[REDACTED]";

export function createSecretMask(): SecretMask {
  const byOwner = new Map<string, readonly string[]>();
  /** How many owners hold each form (two merchants may share a value). */
  const counts = new Map<string, number>();
  /** Forms by their first MIN_SECRET_LENGTH characters, longest first. */
  const byPrefix = new Map<string, string[]>();

  const forms = (values: readonly (string | undefined)[]) =>
    [...new Set(values.filter((s): s is string => typeof s === "string" && s.length >= MIN_SECRET_LENGTH)
      .flatMap((s) => [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)]))];

  function add(form: string): void {
    const n = counts.get(form) ?? 0;
    counts.set(form, n + 1);
    if (n > 0) return;
    const prefix = form.slice(0, MIN_SECRET_LENGTH);
    const list = byPrefix.get(prefix) ?? [];
    list.push(form);
    list.sort((a, b) => b.length - a.length);
    byPrefix.set(prefix, list);
  }

  function remove(form: string): void {
    const n = counts.get(form) ?? 0;
    if (n > 1) {
      counts.set(form, n - 1);
      return;
    }
    counts.delete(form);
    const prefix = form.slice(0, MIN_SECRET_LENGTH);
    const list = byPrefix.get(prefix)?.filter((f) => f !== form) ?? [];
    if (list.length > 0) byPrefix.set(prefix, list);
    else byPrefix.delete(prefix);
  }

  const mask: SecretMask = {
    set(owner, values) {
      const next = forms(values);
      next.forEach(add);
      byOwner.get(owner)?.forEach(remove);
      byOwner.set(owner, next);
    },
    delete(owner) {
      byOwner.get(owner)?.forEach(remove);
      byOwner.delete(owner);
    },
    mask(line) {
      if (byPrefix.size === 0) return line;
      let out = "";
      let copied = 0;
      for (let i = 0; i + MIN_SECRET_LENGTH <= line.length;) {
        const hit = byPrefix.get(line.slice(i, i + MIN_SECRET_LENGTH))?.find((form) => line.startsWith(form, i));
        if (hit === undefined) {
          i += 1;
          continue;
        }
        out += line.slice(copied, i) + REDACTED;
        i += hit.length;
        copied = i;
      }
      return copied === 0 ? line : out + line.slice(copied);
    },
  };
  return mask;
}
