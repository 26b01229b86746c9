import type { Config, ProviderName } from "../../config/config.js";
import { formBody, OutboundError, send } from "../../http/outbound.js";
import { validateKhqr } from "../../khqr/index.js";
import { ProviderError, type PaymentProvider, type TopUpRef } from "../../payments/provider.js";
import { BAKONG_ERROR, BAKONG_PATHS, bakongEnvelope } from "../../payments/providers/bakong/bakong-api.js";
import { createProviders } from "../../payments/providers/create-providers.js";
import { createKessTokenCache } from "../../payments/providers/kess/kess-auth.js";
import { verifyAnswer, verifyApiPath } from "../../payments/providers/raksmeypay/raksmeypay-api.js";
import { verifyRequestHash } from "../../payments/providers/raksmeypay/raksmeypay-signing.js";
import { fail, note, pass, warn, type CheckResult } from "./check-result.js";
import { messageOf, quote, type CheckDeps } from "./check-deps.js";

/** A reference of our 14-digit shape that is never issued (month 99), so a status call can only answer "not found". */
const NEVER_ISSUED = "99999999999999";
/** A Bakong token is renewed every 90 days: warn this long before it ends. */
export const BAKONG_EXPIRY_WARNING_DAYS = 14;
const DAY_MS = 86_400_000;

const LABEL: Record<ProviderName, string> = { raksmeypay: "RaksmeyPay", kess: "KESS Pay", ahnajak: "Ahnajak", payway: "ABA PayWay", bakong: "Bakong" };

/** What one provider's check reads: the providers' settings and the top-up settings (PayWay builds a KHQR). */
export type ProviderSettings = Pick<Config, "providers" | "topup">;

/** One check per enabled provider, each with the harmless call the provider has (or a neutral line where it has none). */
export async function checkProviders(config: ProviderSettings, deps: CheckDeps): Promise<CheckResult[]> {
  return Promise.all(config.providers.enabled.map((name) => checkProvider(name, config, deps)));
}

/** One provider's credentials, from its settings alone (it need not be enabled). */
export async function checkProvider(name: ProviderName, settings: ProviderSettings, deps: CheckDeps): Promise<CheckResult> {
  const config = { ...settings, providers: { ...settings.providers, enabled: [name] } };
  const provider = () => createProviders(config, { log: deps.log }).get(name)!;
  const checks: Record<ProviderName, () => Promise<CheckResult>> = {
    raksmeypay: () => checkRaksmeyPay(config, deps),
    kess: () => checkKess(config, provider(), deps),
    bakong: () => checkBakong(config, deps),
    payway: () => checkPayWay(provider(), deps),
    ahnajak: () =>
      Promise.resolve(note(LABEL.ahnajak, "cannot be checked without a payment: Ahnajak has no read API; pay a 0.01 test and watch for its webhook in the log", { reason: "provider-unchecked", params: { provider: LABEL.ahnajak } })),
  };
  return checks[name]().catch((err: unknown) => fail(LABEL[name], messageOf(err), "run the check again; if it repeats, report it", { reason: "provider-failed", params: { provider: LABEL[name] } }));
}

function neverIssued(deps: CheckDeps): TopUpRef {
  const now = deps.now();
  // md5 of nothing we issued: only Bakong-style lookups read it.
  return { reference: NEVER_ISSUED, amountMinor: 1, currency: "USD", panelLogin: "self-check", createdAt: new Date(now), expiresAt: new Date(now + 600_000), md5: "0".repeat(32) };
}

/** Verify Transaction of a reference never issued: "not found" means the profile and the hash are right. */
async function checkRaksmeyPay(config: ProviderSettings, deps: CheckDeps): Promise<CheckResult> {
  const name = LABEL.raksmeypay;
  const { baseUrl, profileId, profileKey } = config.providers.raksmeypay!;
  let answer;
  try {
    const res = await send(`${baseUrl.replace(/\/+$/, "")}${verifyApiPath(profileId)}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: formBody({ transaction_id: NEVER_ISSUED, hash: verifyRequestHash(profileKey, NEVER_ISSUED) }),
      timeoutMs: deps.timeoutMs,
    });
    answer = verifyAnswer.safeParse(JSON.parse(res.text));
    if (!answer.success) return fail(name, `Verify Transaction answered HTTP ${res.status}: ${quote(res.text)}`, "check RAKSMEYPAY_BASE_URL", { reason: "provider-unreachable", params: { provider: name } });
  } catch (err) {
    return fail(name, `Verify Transaction: ${err instanceof OutboundError ? err.message : "the answer is not JSON"}`, "cannot reach RaksmeyPay: check RAKSMEYPAY_BASE_URL and this server's internet access", { reason: "provider-unreachable", params: { provider: name } });
  }
  const said = answer.data.err_msg ?? "";
  if (/profile/i.test(said)) return fail(name, `Verify Transaction answered "${quote(said)}"`, "RAKSMEYPAY_PROFILE_ID is wrong: copy the profile id from the RaksmeyPay dashboard", { reason: "provider-credentials-refused", params: { provider: name, variables: "RAKSMEYPAY_PROFILE_ID" } });
  if (/hash/i.test(said)) return fail(name, `Verify Transaction answered "${quote(said)}"`, "RAKSMEYPAY_PROFILE_KEY is wrong: copy the profile key from the RaksmeyPay dashboard", { reason: "provider-credentials-refused", params: { provider: name, variables: "RAKSMEYPAY_PROFILE_KEY" } });
  if (answer.data.status !== 0 || !/not\s*found/i.test(said)) return fail(name, `Verify Transaction of a reference that does not exist answered "${quote(said || `status ${answer.data.status}`)}"`, "check RAKSMEYPAY_PROFILE_ID and RAKSMEYPAY_PROFILE_KEY", { reason: "provider-credentials-refused", params: { provider: name, variables: "RAKSMEYPAY_PROFILE_ID, RAKSMEYPAY_PROFILE_KEY" } });
  return pass(name, `RAKSMEYPAY_PROFILE_ID and RAKSMEYPAY_PROFILE_KEY accepted (Verify Transaction of a reference that does not exist answered "${quote(said)}"); RAKSMEYPAY_WEBHOOK_API_KEY is checked by the first webhook`);
}

async function checkKess(config: ProviderSettings, provider: PaymentProvider, deps: CheckDeps): Promise<CheckResult> {
  const name = LABEL.kess;
  try {
    await createKessTokenCache({ config: config.providers.kess!, log: deps.log, now: deps.now, timeoutMs: deps.timeoutMs }).token();
  } catch (err) {
    const variables = "KESS_CLIENT_ID, KESS_CLIENT_SECRET, KESS_USERNAME, KESS_PASSWORD";
    return err instanceof ProviderError && err.kind === "rejected"
      ? fail(name, messageOf(err), "check KESS_CLIENT_ID, KESS_CLIENT_SECRET, KESS_USERNAME and KESS_PASSWORD", { reason: "provider-credentials-refused", params: { provider: name, variables } })
      : fail(name, messageOf(err), unreachable(err, "KESS_BASE_URL"), { reason: "provider-unreachable", params: { provider: name } });
  }
  try {
    await provider.checkStatus!([neverIssued(deps)]);
  } catch (err) {
    return fail(name, `login works, queryOrder refused: ${messageOf(err)}`, "KESS_API_SECRET or KESS_SIGN_TYPE is wrong: copy them from your KESS merchant account", { reason: "provider-credentials-refused", params: { provider: name, variables: "KESS_API_SECRET, KESS_SIGN_TYPE" } });
  }
  return pass(name, "login accepted and requests signed correctly (queryOrder of an order that does not exist answered \"not found\"); KESS_SELLER_CODE is checked by the first order");
}

async function checkBakong(config: ProviderSettings, deps: CheckDeps): Promise<CheckResult> {
  const name = LABEL.bakong;
  const bakong = config.providers.bakong!;
  const expiry = jwtExpiry(bakong.token);
  const daysLeft = expiry === undefined ? undefined : Math.floor((expiry - deps.now()) / DAY_MS);
  const expiresText = expiry === undefined ? "its expiry cannot be read (not a JWT)" : `it expires on ${day(expiry)}`;
  const renew = "renew it (POST https://api-bakong.nbc.gov.kh/v1/renew_token with your registered e-mail), put the new one in BAKONG_TOKEN and restart";
  if (expiry !== undefined && expiry <= deps.now()) return fail(name, `BAKONG_TOKEN expired on ${day(expiry)}`, renew, { reason: "bakong-expired", params: { date: day(expiry) } });

  let status: number;
  let text: string;
  try {
    const res = await send(`${bakong.apiUrl.replace(/\/+$/, "")}${BAKONG_PATHS.account}`, {
      method: "POST",
      headers: { authorization: `Bearer ${bakong.token}`, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ accountId: bakong.accountId }),
      timeoutMs: deps.timeoutMs,
    });
    status = res.status;
    text = res.text;
  } catch (err) {
    return fail(name, `check_bakong_account: ${messageOf(err)}`, "check BAKONG_API_URL and this server's internet access", { reason: "provider-unreachable", params: { provider: name } });
  }
  if (status === 403) return fail(name, "Bakong refused the call (HTTP 403)", "Bakong refuses calls from outside Cambodia: run the bot on a server in Cambodia", { reason: "bakong-outside-cambodia" });
  let envelope;
  try {
    envelope = bakongEnvelope.safeParse(JSON.parse(text));
  } catch {
    envelope = undefined;
  }
  if (!envelope?.success) return fail(name, `check_bakong_account answered HTTP ${status}: ${quote(text)}`, "check BAKONG_API_URL", { reason: "provider-unreachable", params: { provider: name } });
  const { responseCode, errorCode, responseMessage } = envelope.data;
  if (status === 401 || errorCode === BAKONG_ERROR.unauthorized) return fail(name, `BAKONG_TOKEN refused: ${quote(responseMessage ?? "unauthorized")}`, `BAKONG_TOKEN is wrong or expired: ${renew}`, { reason: "provider-credentials-refused", params: { provider: name, variables: "BAKONG_TOKEN" } });
  if (errorCode === BAKONG_ERROR.accountNotFound) return fail(name, `token accepted; Bakong does not know the account ${bakong.accountId}`, "BAKONG_ACCOUNT_ID is wrong: copy name@bank exactly as your bank app shows it", { reason: "bakong-account-unknown", params: { account: bakong.accountId } });
  if (responseCode !== 0) return fail(name, `check_bakong_account refused: ${quote(responseMessage ?? `error ${errorCode ?? "?"}`)}`, "check BAKONG_TOKEN and BAKONG_ACCOUNT_ID", { reason: "provider-credentials-refused", params: { provider: name, variables: "BAKONG_TOKEN, BAKONG_ACCOUNT_ID" } });
  const accepted = `BAKONG_TOKEN accepted and ${bakong.accountId} exists (check_bakong_account); ${expiresText}`;
  if (daysLeft !== undefined && daysLeft < BAKONG_EXPIRY_WARNING_DAYS) return warn(name, `${accepted}, in ${daysLeft} day(s)`, renew, { reason: "bakong-expires-soon", params: { date: day(expiry!), days: daysLeft } });
  return pass(name, accepted);
}

/** The `exp` of a JWT, in ms; undefined when the token is not a JWT or has none. The signature is not ours to check. */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (token.split(".").length !== 3 || !payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown }).exp;
    return typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** PayWay has no API: the KHQR is built here from the PAYWAY_* values, so check that it is a valid KHQR. */
async function checkPayWay(provider: PaymentProvider, deps: CheckDeps): Promise<CheckResult> {
  const name = LABEL.payway;
  const fix = "copy PAYWAY_BAKONG_ID, PAYWAY_MERCHANT_ID and PAYWAY_DATA again from what ABA gave you";
  let qr: string | undefined;
  try {
    qr = (await provider.create(neverIssued(deps))).qr;
  } catch (err) {
    return fail(name, `no KHQR can be built from the PAYWAY_* values: ${messageOf(err)}`, fix, { reason: "payway-invalid" });
  }
  const checked = qr === undefined ? undefined : validateKhqr(qr, { now: deps.now });
  if (!checked?.ok) return fail(name, `the KHQR built from the PAYWAY_* values is not valid${checked ? ` (${checked.error.message})` : ""}`, fix, { reason: "payway-invalid" });
  return note(name, "the KHQR built from the PAYWAY_* values is valid; the rest cannot be checked without a payment (PayWay has no API): pay a 0.01 test and watch for its webhook", { reason: "provider-unchecked", params: { provider: name } });
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function unreachable(err: unknown, variable: string): string {
  const network = err instanceof ProviderError && (err.kind === "unavailable" || err.cause instanceof OutboundError);
  return network ? `cannot reach the provider: check ${variable} and this server's internet access` : `check ${variable}`;
}
