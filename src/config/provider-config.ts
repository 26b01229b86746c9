import type { Reader } from "./reader.js";

/**
 * One variable of a provider: whether it is a secret (masked in logs and error messages, and what a per-merchant
 * store must keep encrypted) and whether the provider needs it. Setting any required variable turns the provider
 * on, and then every required one must be set (they are required together) — except one marked `turnsOn: false`,
 * required once the provider is on but not enough to turn it on (an address the operator sets with the credentials).
 */
export interface ProviderVariable {
  secret: boolean;
  required: boolean;
  turnsOn?: false;
}

/** The configuration half of a provider's descriptor: what `src/config/` needs to read and check its variables. */
export interface ProviderConfigDescriptor<Name extends string = string, C = unknown> {
  name: Name;
  variables: Readonly<Record<string, ProviderVariable>>;
  /** Header or field names of this provider's requests whose values are secrets in a log line. */
  secretLogFields?: readonly string[];
  /** The typed configuration; each bad or missing variable adds one problem naming it. */
  read(v: Reader, problems: string[]): C;
}

/** The variables whose being set turns the provider on. */
export function turnsOnVariables(d: ProviderConfigDescriptor): string[] {
  return Object.entries(d.variables).filter(([, spec]) => spec.required && spec.turnsOn !== false).map(([name]) => name);
}

/** Names of the secret variables of a descriptor type, as a union of literals. */
export type SecretVariablesOf<D> = D extends { variables: infer V }
  ? { [K in keyof V]: V[K] extends { secret: true } ? K : never }[keyof V] & string
  : never;
