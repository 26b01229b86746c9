import { InputFile, type Api, type GrammyError } from "grammy";
import type { TopUp } from "../generated/sqlite/client.js";
import type { Logger } from "../logger.js";
import { renderPlainQr, type KhqrCardInput } from "../payments/card/index.js";
import { encodeRgbaPng } from "../payments/card/png.js";
import type { Currency } from "../payments/money.js";
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
}

export function cardCaption(topUp: TopUp, t: Translate): string {
  return t(topUp.checkoutUrl ? "card-caption-checkout" : "card-caption", {
    amount: money(topUp.amountMinor, topUp.currency),
    reference: topUp.reference,
    expires: clock(topUp.expiresAt),
  });
}

/** Sends what the customer pays with (KHQR card, or the checkout link) and remembers the message on the top-up. */
export async function sendPaymentCard(api: Api, deps: CardDeps, chatId: number, topUp: TopUp, t: Translate): Promise<void> {
  const options = { caption: cardCaption(topUp, t), reply_markup: paymentKeyboard(topUp, t) };
  let messageId: number;
  if (topUp.qr) {
    const photo = await cardImage(deps, topUp, topUp.qr);
    messageId = (await api.sendPhoto(chatId, new InputFile(photo, `khqr-${topUp.reference}.png`), options)).message_id;
  } else {
    messageId = (await api.sendMessage(chatId, options.caption, { reply_markup: options.reply_markup })).message_id;
  }
  await deps.attachMessage(topUp.id, messageId);
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
