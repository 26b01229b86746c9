import { InlineKeyboard } from "grammy";
import type { Translate } from "../i18n.js";

export const MENU = {
  topup: "menu:topup",
  balance: "menu:balance",
  history: "menu:history",
  link: "menu:link",
  help: "menu:help",
  language: "menu:language",
} as const;

export function mainMenu(t: Translate): InlineKeyboard {
  return new InlineKeyboard()
    .text(t("menu-topup"), MENU.topup)
    .text(t("menu-balance"), MENU.balance)
    .row()
    .text(t("menu-history"), MENU.history)
    .text(t("menu-link"), MENU.link)
    .row()
    .text(t("menu-help"), MENU.help)
    .text(t("menu-language"), MENU.language);
}

export function newTopUpButton(t: Translate): InlineKeyboard {
  return new InlineKeyboard().text(t("button-new-topup"), MENU.topup);
}

export function linkButton(t: Translate): InlineKeyboard {
  return new InlineKeyboard().text(t("button-link"), MENU.link);
}
