import { formatMoney, type Currency } from "../money/money.js";

const ZONE = "Asia/Phnom_Penh";
const clockFormat = new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const dateFormat = new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" });

/** "14:05" in Phnom Penh. */
export function clock(at: Date): string {
  return clockFormat.format(at);
}

/** "2025-03-01 14:05" in Phnom Penh. */
export function dateTime(at: Date): string {
  return `${dateFormat.format(at)} ${clock(at)}`;
}

/** Amounts stored with a currency column (a string in the database). */
export function money(minor: number, currency: string): string {
  return formatMoney(minor, currency as Currency);
}

/** "@dara (123)" or "Dara (123)", for admins. */
export function customerLabel(user: { telegramId: bigint; username: string | null; firstName: string | null }): string {
  const name = user.username ? `@${user.username}` : (user.firstName ?? "?");
  return `${name} (${user.telegramId})`;
}

/** Telegram's limit is 4096 characters; long admin lists are cut at a line boundary. */
export function splitMessage(text: string, limit = 4000): string[] {
  const parts: string[] = [];
  let current = "";
  for (const line of text.split("\n")) {
    const piece = line.length > limit ? `${line.slice(0, limit - 1)}…` : line;
    if (current && current.length + 1 + piece.length > limit) {
      parts.push(current);
      current = piece;
    } else {
      current = current ? `${current}\n${piece}` : piece;
    }
  }
  if (current) parts.push(current);
  return parts;
}
