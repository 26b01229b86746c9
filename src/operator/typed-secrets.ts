import { secretMaskOf, type Logger } from "../logger.js";

/** How many secret answers typed into `/newshop` stay masked: the latest ones (a shop is masked under its own owner once served). */
const KEPT_MESSAGES = 64;
const OWNER = "onboarding answers";

/**
 * Masks in `log` what panel owners type as a secret answer (a bot token, a panel key, a provider's credentials),
 * from the moment it is read: the message whole and each of its words or `NAME=value` values. Bounded: the last
 * KEPT_MESSAGES messages, whoever sent them.
 */
export function typedSecretMask(log: Logger): (text: string) => void {
  const recent: string[][] = [];
  return (text) => {
    const mask = secretMaskOf(log);
    if (mask === undefined) return;
    const words = text.split(/\s+/).flatMap((word) => [word, word.slice(word.indexOf("=") + 1)]);
    recent.push([text, ...words]);
    if (recent.length > KEPT_MESSAGES) recent.shift();
    mask.set(OWNER, recent.flat());
  };
}
