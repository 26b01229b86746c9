import type { Customers } from "../customers/customers.js";
import { isLocale, translator, type Locale, type Translate } from "./i18n.js";

type Languages = Pick<Customers, "languagesOf">;

/**
 * Admins read their texts in their language like customers (chosen with /language, else their Telegram
 * app's, stored on their user row). A chat that is not an admin's own (the admin group) gets the language
 * of the first configured admin who has used the bot; English until then.
 */
export async function adminLocale(customers: Languages, chatId: bigint | number, adminIds: readonly number[]): Promise<Locale> {
  const ids = [BigInt(chatId), ...adminIds.map(BigInt)];
  const byId = await customers.languagesOf(ids);
  const language = ids.map((id) => byId.get(id)).find((l) => l !== undefined);
  return isLocale(language) ? language : "en";
}

export async function adminTranslator(customers: Languages, chatId: bigint | number, adminIds: readonly number[]): Promise<Translate> {
  return translator(await adminLocale(customers, chatId, adminIds));
}
