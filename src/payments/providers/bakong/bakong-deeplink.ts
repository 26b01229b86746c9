import { z } from "zod";
import type { BakongConfig } from "../../../config/config.js";
import type { Logger } from "../../../logger.js";
import { ProviderError } from "../../provider.js";
import { ProviderTransport, readJson, timedOut, type ProviderAnswer } from "../../provider-transport.js";
import { BAKONG_ERROR, BAKONG_PATHS, bakongEnvelope } from "./bakong-api.js";

/** `sourceInfo` of generate_deeplink_by_qr: how the bank app names and returns to us. */
export interface DeeplinkSource {
  appName: string;
  appIconUrl: string;
  /** Where the bank app sends the payer afterwards (the bot's chat, https://t.me/<username>). */
  appDeepLinkCallback: string;
}

export type BakongDeeplinkAnswer =
  | { ok: true; shortLink: string }
  | { ok: false; timedOut: boolean; message: string; code?: number };

const deeplinkData = z.object({ shortLink: z.string().trim().min(1).max(2048) });

/** Bakong's own words for its deeplink refusals; any other code is reported with its number. */
const REFUSALS: Record<number, string> = {
  [BAKONG_ERROR.staticQrUnsupported]: "Bakong makes deep links for dynamic KHQR only (this QR is static)",
  [BAKONG_ERROR.deeplink]: "Bakong could not generate a deep link for this QR",
  [BAKONG_ERROR.missingFields]: "Bakong: the deeplink request is missing required fields",
  [BAKONG_ERROR.unauthorized]: "Bakong token is invalid or expired: renew BAKONG_TOKEN",
};

/**
 * POST /v1/generate_deeplink_by_qr: a short link that opens a Bakong-member bank app on this KHQR.
 * Never throws; the answer says why there is no link. Only an https link without credentials
 * counts: what the bot puts on a Telegram URL button.
 */
export async function generateBakongDeeplink(
  config: BakongConfig, qr: string, source: DeeplinkSource, timeoutMs: number, log?: Logger,
): Promise<BakongDeeplinkAnswer> {
  const transport = new ProviderTransport({ provider: "bakong", label: "Bakong deeplink", timeoutMs, log, secrets: [config.token] });
  let res: ProviderAnswer;
  try {
    res = await transport.call(`${config.apiUrl.replace(/\/+$/, "")}${BAKONG_PATHS.deeplink}`, {
      method: "POST",
      headers: { authorization: `Bearer ${config.token}`, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ qr, sourceInfo: source }),
    }, { name: "generate_deeplink_by_qr", serverError: (answer) => new ProviderError("bakong", "unavailable", refusal(answer).message, { code: answer.status }) });
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    return { ok: false, timedOut: timedOut(err), message: err.message, ...(typeof err.opts.code === "number" ? { code: err.opts.code } : {}) };
  }
  const envelope = readJson(res.text, bakongEnvelope);
  if (!envelope.ok || res.status >= 400 || envelope.value.responseCode !== 0) return refusal(res);
  const data = deeplinkData.safeParse(envelope.value.data);
  if (!data.success || !isHttpsLink(data.data.shortLink)) {
    return { ok: false, timedOut: false, message: "Bakong deeplink: the answer has no https shortLink" };
  }
  return { ok: true, shortLink: data.data.shortLink };
}

/** Why an answer that is not a success carries no link, in Bakong's words where it gave any. */
function refusal(res: ProviderAnswer): Extract<BakongDeeplinkAnswer, { ok: false }> {
  const envelope = readJson(res.text, bakongEnvelope);
  if (!envelope.ok) return { ok: false, timedOut: false, message: `Bakong deeplink: HTTP ${res.status}, not a Bakong answer`, code: res.status };
  const { errorCode, responseMessage } = envelope.value;
  const code = errorCode ?? res.status;
  return { ok: false, timedOut: false, message: REFUSALS[code] ?? `Bakong deeplink refused (${code}): ${responseMessage ?? "no message"}`, code };
}

export function isHttpsLink(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "https:" && url.username === "" && url.password === "";
  } catch {
    return false;
  }
}
