/**
 * A fake token shaped like @BotFather's (`<bot id>:<35 characters>`), the only shape a live configuration
 * accepts; `tag` (letters, digits, _ and -) makes it recognisable and is padded or cut to 35 characters.
 */
export function fakeBotToken(botId: number, tag: string): string {
  return `${botId}:${tag.padEnd(35, "0").slice(0, 35)}`;
}
