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

/**
 * The panel key, with a read call per panel: PerfectPanel looks up a login that does not exist (v2
 * `GET /adminapi/v2/users`, v1 `getUser`), SocPanel lists one order (`getOrders`). On PerfectPanel v2 the
 * payment method is looked for among recent payments (`GET /adminapi/v2/payments`): the API lists no methods.
 */
export async function checkPanel(config: Config, deps: CheckDeps): Promise<CheckResult[]> {
  const timeouts = { readMs: deps.timeoutMs, writeMs: deps.timeoutMs };
  const client = createPanelClient(config.panel, { log: deps.log, timeouts });
  switch (config.panel.type) {
    case "perfectpanel": {
      const key = await checkLookup(client, "GET /adminapi/v2/users");
      return key.ok ? [key, await checkPaymentMethod(config, deps)] : [key];
    }
    case "perfectpanel-v1":
      return [await checkLookup(client, "getUser")];
    case "socpanel":
      return [await checkSocPanelOrders(config, deps)];
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
  if (!(err instanceof PanelError)) return fail(NAME, `${call} failed: ${messageOf(err)}`, "check PANEL_URL and PANEL_TYPE");
  if (err.kind === "rejected" && /API key/.test(err.message)) {
    return fail(NAME, `${call}: ${err.message}`, "PANEL_API_KEY is wrong: create an admin API key allowed to read users and add payments, and copy it exactly");
  }
  if (err.kind === "rejected") return fail(NAME, `${call}: ${err.message}`, "check PANEL_URL (the panel's base address) and PANEL_TYPE");
  return fail(NAME, `${call}: ${err.message}`, "the panel cannot be reached: check PANEL_URL and that the panel is up");
}

async function checkPaymentMethod(config: Config, deps: CheckDeps): Promise<CheckResult> {
  const name = `${NAME} payment method`;
  const method = config.panel.paymentMethod;
  const call = `GET ${V2_PATHS.payments}`;
  let items: Record<string, unknown>[];
  try {
    const res = await send(`${config.panel.url}${V2_PATHS.payments}?limit=${V2_PAYMENTS_PAGE_SIZE}`, {
      method: "GET",
      headers: { [V2_AUTH_HEADER]: config.panel.apiKey, Accept: "application/json" },
      timeoutMs: deps.timeoutMs,
    });
    const envelope = v2Envelope.safeParse(JSON.parse(res.text));
    const list = envelope.success && envelope.data.error_code === 0 ? v2PaymentList.safeParse(envelope.data.data) : undefined;
    if (!list?.success) return note(name, `"${method}" could not be looked for: ${call} answered HTTP ${res.status} in an unknown shape`);
    items = list.data.list;
  } catch (err) {
    return note(name, `"${method}" could not be looked for: ${err instanceof OutboundError ? err.message : "the answer is not JSON"}`);
  }
  const methods = new Set(items.map((item) => item.method).filter((m): m is string => typeof m === "string"));
  if (methods.has(method)) return pass(name, `"${method}" is used by recent payments (${call})`);
  const near = [...methods].find((m) => m.trim().toLowerCase() === method.trim().toLowerCase());
  if (near !== undefined) return fail(name, `recent payments use "${near}", PANEL_PAYMENT_METHOD is "${method}"`, `set PANEL_PAYMENT_METHOD=${near} (names must match exactly)`);
  return note(
    name,
    `"${method}" is not among the ${items.length} most recent payments (${call}); PerfectPanel's API cannot list payment methods, so it cannot be checked without a payment: make sure a method named exactly "${method}" exists in the panel's payment settings, then send a test credit of 0.01`,
  );
}

async function checkSocPanelOrders(config: Config, deps: CheckDeps): Promise<CheckResult> {
  const call = `GET ${SOCPANEL_ORDERS_PATH}`;
  let status: number;
  let body: unknown;
  let text: string;
  try {
    const res = await send(`${config.panel.url}${SOCPANEL_ORDERS_PATH}?${new URLSearchParams({ token: config.panel.apiKey, limit: "1" })}`, { method: "GET", timeoutMs: deps.timeoutMs });
    status = res.status;
    text = res.text;
    body = JSON.parse(res.text) as unknown;
  } catch (err) {
    if (err instanceof OutboundError) return fail(NAME, `${call}: ${err.message}`, "the panel cannot be reached: check PANEL_URL (https://socpanel.com unless SocPanel told you otherwise)");
    return fail(NAME, `${call} answered something that is not JSON`, "check PANEL_URL (https://socpanel.com unless SocPanel told you otherwise)");
  }
  const answer = body as { count?: unknown; items?: unknown; ok?: unknown; error?: unknown } | null;
  if (status < 300 && answer && Array.isArray(answer.items)) return pass(NAME, `PANEL_API_KEY accepted (${call}, one order)`);
  const said = answer && answer.error !== undefined ? String(answer.error) : text;
  return fail(NAME, `${call} refused (HTTP ${status}): ${quote(said)}`, "PANEL_API_KEY is wrong: copy the private API token from your SocPanel admin settings");
}
