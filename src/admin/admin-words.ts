/**
 * Takes `--name <value>` out of an admin's words (bot command or CLI line): the value, and the words left.
 * A flag without a value is an error rather than a guess.
 */
export function takeOption(words: readonly string[], name: string): { ok: true; value?: string; rest: string[] } | { ok: false } {
  const at = words.indexOf(name);
  if (at === -1) return { ok: true, rest: [...words] };
  const value = words[at + 1];
  if (value === undefined || value.startsWith("--")) return { ok: false };
  return { ok: true, value, rest: [...words.slice(0, at), ...words.slice(at + 2)] };
}
