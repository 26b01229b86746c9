import { hkdfSync } from "node:crypto";
import type { MasterKey } from "../platform/master-key.js";
import { open, seal } from "../platform/sealed.js";

/**
 * Seals the secret answers of an onboarding in progress: they wait in the operator bot's conversation storage
 * (Redis or the database, unencrypted) until the merchant confirms. The key is derived from MASTER_KEY for this use
 * alone, and each value is bound to the merchant's Telegram id and the variable. A draft sealed before a change of
 * MASTER_KEY no longer opens (SealError): the merchant starts again.
 */
export interface DraftSecrets {
  seal(userId: number, name: string, value: string): string;
  open(userId: number, name: string, sealed: string): string;
}

export function draftSecrets(master: MasterKey): DraftSecrets {
  const key = Buffer.from(hkdfSync("sha256", master.key, Buffer.alloc(0), "khqr onboarding drafts", 32));
  const context = (userId: number, name: string) => `onboarding draft of ${userId} variable ${name}`;
  return {
    seal: (userId, name, value) => seal(key, Buffer.from(value, "utf8"), context(userId, name)),
    open: (userId, name, sealed) => open(key, sealed, context(userId, name)).toString("utf8"),
  };
}
