import { GrammyError, InputFile, type Api } from "grammy";
import type { ProviderName } from "../config/config.js";
import type { TopUp } from "../generated/sqlite/client.js";
import type { Logger } from "../logger.js";
import type { BonusTiers } from "../money/bonus.js";
import { renderPlainQr, type KhqrCardInput } from "../payments/card/index.js";
import { encodeRgbaPng } from "../payments/card/png.js";
import type { Currency } from "../money/money.js";
import type { DeepLinker } from "./deps.js";
import { bonusLine } from "./bonus-line.js";
import { clock, money } from "./format.js";
import type { Translate } from "./i18n.js";
import { paymentKeyboard } from "./keyboards/topup.js";
import { ignoreRefusal } from "./telegram-errors.js";

export type RenderCard = (input: KhqrCardInput) => Promise<Buffer>;

export interface CardDeps {
  renderCard: RenderCard;
  merchantName: string;
  attachMessage(topUpId: number, messageId: number): Promise<void>;
  log: Logger;
  deepLinks?: DeepLinker;
  /** Where the bank app sends the customer back after paying: this bot's chat. */
  callbackUrl: string;
  /** TOPUP_BONUS: the caption names the bonus the top-up earns. */
  bonus: BonusTiers;
}

/**
 * Longest the card waits for its "Open in bank app" link, counted from the start, while the card is
 * rendered. Only a backstop: the deep-linker's own, shorter timeout (1.5 s) normally decides.
 */
export const LINK_WAIT_MS = 2500;

export function cardCaption(topUp: TopUp, t: Translate, bonus: BonusTiers): string {
  const caption = t(topUp.checkoutUrl ? "card-caption-checkout" : "card-caption", {
    amount: money(topUp.amountMinor, topUp.currency),
    reference: topUp.reference,
    expires: clock(topUp.expiresAt),
  });
  const extra = bonusLine(topUp, t, bonus);
  return extra ? `${caption}\n${extra}` : caption;
}

/** The KHQR caption's last line: how to pay on the phone that shows the card. */
function samePhoneLine(t: Translate, bankAppLink: string | undefined): string {
  return t(bankAppLink ? "card-phone-tap" : "card-phone-gallery");
}

/**
 * Sends what the customer pays with (KHQR card, or the checkout link) and remembers the message on the
 * top-up. `deepLink` is the provider's own same-phone link, from when the top-up was created.
 */
export async function sendPaymentCard(api: Api, deps: CardDeps, chatId: number, topUp: TopUp, t: Translate, deepLink?: string): Promise<void> {
  let messageId: number;
  if (topUp.qr) {
    const qr = topUp.qr;
    const [photo, link] = await Promise.all([cardImage(deps, topUp, qr), bankAppLink(deps, topUp, qr, deepLink)]);
    const send = (withLink: string | undefined) =>
      api.sendPhoto(chatId, new InputFile(photo, `khqr-${topUp.reference}.png`), {
        caption: `${cardCaption(topUp, t, deps.bonus)}\n${samePhoneLine(t, withLink)}`,
        reply_markup: paymentKeyboard(topUp, t, withLink),
      });
    messageId = (
      await send(link).catch((err: unknown) => {
        // Telegram refuses a button URL it does not like: the card goes out without it.
        if (link === undefined || !(err instanceof GrammyError) || err.error_code !== 400) throw err;
        deps.log.warn({ topUpId: topUp.id, provider: topUp.provider, msg: err.description }, "Telegram refused the bank app link; card sent without it");
        return send(undefined);
      })
    ).message_id;
  } else {
    messageId = (await api.sendMessage(chatId, cardCaption(topUp, t, deps.bonus), { reply_markup: paymentKeyboard(topUp, t) })).message_id;
  }
  await deps.attachMessage(topUp.id, messageId);
}

/** The "Open in bank app" link, or undefined: no deep-linker, a failure, an unusable link, or not ready in LINK_WAIT_MS. */
async function bankAppLink(deps: CardDeps, topUp: TopUp, qr: string, deepLink: string | undefined): Promise<string | undefined> {
  if (!deps.deepLinks) return undefined;
  const provider = topUp.provider as ProviderName;
  const linker = deps.deepLinks;
  const request = Promise.resolve().then(() => linker.linkFor({ provider, qr, ...(deepLink ? { deepLink } : {}), callbackUrl: deps.callbackUrl })).then(
    (link) => {
      if (link === undefined || isButtonUrl(link)) return link;
      deps.log.warn({ topUpId: topUp.id, provider }, "no bank app link: the deep-linker answered something that is not an https URL");
      return undefined;
    },
    (err: unknown) => {
      deps.log.warn({ topUpId: topUp.id, provider, msg: err instanceof Error ? err.message : String(err) }, "no bank app link: the deep-linker failed");
      return undefined;
    },
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(resolve, LINK_WAIT_MS, "late")));
  try {
    const link = await Promise.race([request, late]);
    if (link !== "late") return link;
    deps.log.warn({ topUpId: topUp.id, provider }, "no bank app link: the deep-linker did not answer in time");
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** Telegram's URL buttons take http(s) links; a bank link must be https. */
function isButtonUrl(link: string): boolean {
  try {
    return new URL(link).protocol === "https:" && link.length <= 2048;
  } catch {
    return false;
  }
}

async function cardImage(deps: CardDeps, topUp: TopUp, qr: string): Promise<Buffer> {
  try {
    return await deps.renderCard({ qr, merchantName: deps.merchantName, amountMinor: topUp.amountMinor, currency: topUp.currency as Currency });
  } catch (err) {
    // A bare QR still lets the customer pay; the caption carries amount and reference.
    deps.log.error({ err, topUpId: topUp.id }, "KHQR card rendering failed; sending a plain QR");
    return renderPlainQr(qr);
  }
}

/**
 * Takes a QR off the screen once it must not be paid any more (paid, expired, cancelled). Bots cannot
 * delete messages older than 48 hours; those get their picture replaced by a blank one (a checkout
 * message its text and link button). Telegram refusals end it quietly; network errors are thrown so the
 * caller can try again.
 */
export async function retireCard(api: Api, chatId: number, messageId: number | null, notice: string): Promise<void> {
  if (messageId === null) return;
  try {
    await api.deleteMessage(chatId, messageId);
    return;
  } catch (err) {
    ignoreRefusal(err);
    if (/not found/i.test((err as GrammyError).description)) return;
  }
  try {
    await api.editMessageMedia(chatId, messageId, { type: "photo", media: new InputFile(blankImage(), "retired.png"), caption: notice });
  } catch (err) {
    ignoreRefusal(err);
    await api.editMessageText(chatId, messageId, notice).catch(ignoreRefusal);
  }
}

const BLANK_SIZE = 320;
let blank: Buffer | undefined;

/** A plain light-grey square that covers a QR code. */
function blankImage(): Buffer {
  blank ??= encodeRgbaPng(Buffer.alloc(BLANK_SIZE * BLANK_SIZE * 4, 0xee), BLANK_SIZE, BLANK_SIZE);
  return blank;
}
