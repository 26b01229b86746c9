import { InlineKeyboard } from "grammy";
import type { Translate } from "../i18n.js";

export const LANGUAGE_DATA = /^lang:(en|km)$/;

export function languageKeyboard(t: Translate): InlineKeyboard {
  return new InlineKeyboard().text(t("language-button-km"), "lang:km").text(t("language-button-en"), "lang:en");
}
