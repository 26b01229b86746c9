import { randomBytes } from "node:crypto";
import type { Config } from "../../config/config.js";
import { OutboundError, send } from "../../http/outbound.js";
import { createPanelClient } from "../../panel/create-panel-client.js";
import { PanelError, type PanelClient } from "../../panel/panel-client.js";
import { V2_AUTH_HEADER, V2_PATHS, V2_PAYMENTS_PAGE_SIZE, v2Envelope, v2PaymentList } from "../../panel/perfectpanel-v2-api.js";
import { fail, note, pass, type CheckResult } from "./check-result.js";
import { messageOf, quote, type CheckDeps } from "./check-deps.js";

const NAME = "Panel";
/** SocPanel's order list: the one read call its private API is known to have (docs: panel-apis.md). */
export const SOCPANEL_ORDERS_PATH = "/privateApi/getOrders";

type PanelSettings = Config["panel"];

/**
 * The panel key, with a read call per panel: PerfectPanel looks up a login that does not exist (v2
 * `GET /adminapi/v2/users`, v1 `getUser`), SocPanel lists one order (`getOrders`). On PerfectPanel v2 the
 * payment method is looked for among recent payments (`GET /adminapi/v2/payments`): the API lists no methods.
 */
export async function checkPanel(panel: PanelSettings, deps: CheckDeps): Promise<CheckResult[]> {
  const key = await checkPanelKey(panel, deps);
  return key.ok && panel.type === "perfectpanel" ? [key, await checkPanelPaymentMethod(panel, deps)] : [key];
}

/** The address and the key alone: a read call that tells an address that is not a panel from a key it refuses. */
export async function checkPanelKey(panel: PanelSettings, deps: CheckDeps): Promise<CheckResult> {
  const timeouts = { readMs: deps.timeoutMs, writeMs: deps.timeoutMs };
  switch (panel.type) {
    case "perfectpanel":
      return checkLookup(createPanelClient(panel, { log: deps.log, timeouts }), "GET /adminapi/v2/users");
    case "perfectpanel-v1":
      return checkLookup(createPanelClient(panel, { log: deps.log, timeouts }), "getUser");
    case "socpanel":
      return checkSocPanelOrders(panel, deps);
  }
}

async function checkLookup(client: PanelClient, call: string): Promise<CheckResult> {
  const login = `khqr-check-${randomBytes(4).toString("hex")}`;
  try {
    await client.findUser!(login);
  } catch (err) {
    return failure(err, call);
  }
  const unchecked = client.capabilities.findUser ? "" : " (the panel does not answer getUser: logins are not verified when customers link them)";
  return pass(NAME, `PANEL_API_KEY accepted (${call} of a login that does not exist)${unchecked}`);
}

function failure(err: unknown, call: string): CheckResult {
  const notPanel = { reason: "panel-not-a-panel" } as const;
  if (!(err instanceof PanelError)) return fail(NAME, `${call} failed: ${messageOf(err)}`, "check PANEL_URL and PANEL_TYPE", notPanel);
  if (err.kind === "rejected" && /API key/.test(err.message)) {
    return fail(NAME, `${call}: ${err.message}`, "PANEL_API_KEY is wrong: create an admin API key allowed to read users and add payments, and copy it exactly", { reason: "panel-key-refused" });
  }
  if (err.kind === "rejected") return fail(NAME, `${call}: ${err.message}`, "check PANEL_URL (the panel's base address) and PANEL_TYPE", notPanel);
  const unreachable = "the panel cannot be reached: check PANEL_URL and that the panel is up";
  // Something answered, in no shape a panel's API has: a web page, another program.
  if (err.opts.cause === undefined && /unrecognised/.test(err.message)) return fail(NAME, `${call}: ${err.message}`, unreachable, notPanel);
  return fail(NAME, `${call}: ${err.message}`, unreachable, { reason: err.opts.cause === undefined ? "panel-unavailable" : "panel-unreachable" });
}

/** PerfectPanel v2 only: whether PANEL_PAYMENT_METHOD is a method recent payments use. */
export async function checkPanelPaymentMethod(panel: PanelSettings, deps: CheckDeps): Promise<CheckResult> {
  const name = `${NAME} payment method`;
  const method = panel.paymentMethod;
  const call = `GET ${V2_PATHS.payments}`;
  let items: Record<string, unknown>[];
  try {
    const res = await send(`${panel.url}${V2_PATHS.payments}?limit=${V2_PAYMENTS_PAGE_SIZE}`, {
      method: "GET",
      headers: { [V2_AUTH_HEADER]: panel.apiKey, Accept: "application/json" },
      timeoutMs: deps.timeoutMs,
    });
    const envelope = v2Envelope.safeParse(JSON.parse(res.text));
    const list = envelope.success && envelope.data.error_code === 0 ? v2PaymentList.safeParse(envelope.data.data) : undefined;
    if (!list?.success) return note(name, `"${method}" could not be looked for: ${call} answered HTTP ${res.status} in an unknown shape`, { reason: "panel-method-unknown", params: { method } });
    items = list.data.list;
  } catch (err) {
    return note(name, `"${method}" could not be looked for: ${err instanceof OutboundError ? err.message : "the answer is not JSON"}`, { reason: "panel-method-unknown", params: { method } });
  }
  const methods = new Set(items.map((item) => item.method).filter((m): m is string => typeof m === "string"));
  if (methods.has(method)) return pass(name, `"${method}" is used by recent payments (${call})`);
  const near = [...methods].find((m) => m.trim().toLowerCase() === method.trim().toLowerCase());
  if (near !== undefined) return fail(name, `recent payments use "${near}", PANEL_PAYMENT_METHOD is "${method}"`, `set PANEL_PAYMENT_METHOD=${near} (names must match exactly)`, { reason: "panel-method-misspelled", params: { method, near } });
  return note(
    name,
    `"${method}" is not among the ${items.length} most recent payments (${call}); PerfectPanel's API cannot list payment methods, so it cannot be checked without a payment: make sure a method named exactly "${method}" exists in the panel's payment settings, then send a test credit of 0.01`,
    { reason: "panel-method-unseen", params: { method } },
  );
}

async function checkSocPanelOrders(panel: PanelSettings, deps: CheckDeps): Promise<CheckResult> {
  const call = `GET ${SOCPANEL_ORDERS_PATH}`;
  let status: number;
  let body: unknown;
  let text: string;
  try {
    const res = await send(`${panel.url}${SOCPANEL_ORDERS_PATH}?${new URLSearchParams({ token: panel.apiKey, limit: "1" })}`, { method: "GET", timeoutMs: deps.timeoutMs });
    status = res.status;
    text = res.text;
    body = JSON.parse(res.text) as unknown;
  } catch (err) {
    if (err instanceof OutboundError) return fail(NAME, `${call}: ${err.message}`, "the panel cannot be reached: check PANEL_URL (https://socpanel.com unless SocPanel told you otherwise)", { reason: "panel-unreachable" });
    return fail(NAME, `${call} answered something that is not JSON`, "check PANEL_URL (https://socpanel.com unless SocPanel told you otherwise)", { reason: "panel-not-a-panel" });
  }
  const answer = body as { count?: unknown; items?: unknown; ok?: unknown; error?: unknown } | null;
  if (status < 300 && answer && Array.isArray(answer.items)) return pass(NAME, `PANEL_API_KEY accepted (${call}, one order)`);
  const said = answer && answer.error !== undefined ? String(answer.error) : text;
  // SocPanel refuses a token with `{"ok":false,"error":…}`; anything else is not its API.
  const refusal = status !== 404 && answer !== null && typeof answer === "object" && (answer.ok === false || answer.error !== undefined);
  if (!refusal) return fail(NAME, `${call} answered HTTP ${status} in no shape of SocPanel's API: ${quote(said)}`, "check PANEL_URL (https://socpanel.com unless SocPanel told you otherwise)", { reason: "panel-not-a-panel" });
  return fail(NAME, `${call} refused (HTTP ${status}): ${quote(said)}`, "PANEL_API_KEY is wrong: copy the private API token from your SocPanel admin settings", { reason: "panel-key-refused" });
}
