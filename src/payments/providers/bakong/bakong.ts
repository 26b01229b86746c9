import type { BakongConfig } from "../../../config/config.js";
import type { Logger } from "../../../logger.js";
import { khqrMd5 } from "../../../khqr/index.js";
import { minorFromDecimal, type Currency } from "../../../money/money.js";
import { ProviderTransport, readJson, type ProviderAnswer } from "../../provider-transport.js";
import { ProviderError, type CreatedPayment, type PaymentProvider, type StatusResult, type TopUpRef } from "../../provider.js";
import type { PaymentObservation } from "../../../ledger/observation.js";
import {
  BAKONG_ERROR,
  BAKONG_ERROR_MESSAGES,
  BAKONG_LIST_LIMIT,
  BAKONG_PATHS,
  bakongEnvelope,
  bakongListItem,
  bakongTransaction,
  listRequestBody,
  type BakongEnvelope,
  type BakongListShape,
  type BakongTransaction,
} from "./bakong-api.js";
import { heldAmountMinor, saidAmount } from "../held-amount.js";
import { buildDynamicKhqr } from "../local-khqr.js";

export interface BakongDeps {
  log: Logger;
  merchantName: string;
  merchantCity: string;
  now?: () => number;
  /** Whole-answer deadline of one API call. */
  timeoutMs?: number;
}

/** How md5s are looked up: untried, a list body shape that worked, or one call per md5. */
type LookupMode = "untried" | BakongListShape | "single";

type Md5Answer =
  | { kind: "paid"; txn: BakongTransaction; raw: unknown }
  | { kind: "pending" }
  | { kind: "failed"; reason: string }
  /** An answer about this md5 alone that could not be read: only its top-up waits for the next poll. */
  | { kind: "unreadable"; error: ProviderError };

type ListOutcome = { kind: "ok"; statuses: Map<string, string> } | { kind: "shape_error" } | { kind: "absent" };

const NOT_FOUND_STATUS = "NOT_FOUND";
const CONFIRM_CONCURRENCY = 2;

/**
 * Bakong Open API, direct: an individual KHQR (tag 29) for our own Bakong account, found paid only by
 * polling its md5 (Bakong has no webhook).
 */
export function createBakongProvider(config: BakongConfig, deps: BakongDeps): PaymentProvider {
  const now = deps.now ?? Date.now;
  const transport = new ProviderTransport({ provider: "bakong", label: "Bakong", timeoutMs: deps.timeoutMs, log: deps.log, now, secrets: [config.token] });
  const baseUrl = config.apiUrl.replace(/\/+$/, "");
  let mode: LookupMode = "untried";

  async function create(topUp: TopUpRef): Promise<CreatedPayment> {
    return buildDynamicKhqr({ kind: "individual", bakongAccountId: config.accountId }, topUp, { name: deps.merchantName, city: deps.merchantCity }, now());
  }

  async function checkStatus(topUps: readonly TopUpRef[]): Promise<StatusResult[]> {
    const md5Of = topUps.map((t) => t.md5 ?? (t.qr ? khqrMd5(t.qr) : undefined));
    const unique = [...new Set(md5Of.filter((m): m is string => m !== undefined))];
    const answers = new Map<string, Md5Answer>();
    for (let i = 0; i < unique.length; i += BAKONG_LIST_LIMIT) {
      for (const [md5, answer] of await lookUp(unique.slice(i, i + BAKONG_LIST_LIMIT))) answers.set(md5, answer);
    }
    // Nothing readable at all is Bakong's problem, not one transaction's: the whole call fails.
    const unreadable = [...answers.values()].filter((a) => a.kind === "unreadable");
    if (unreadable.length > 0 && unreadable.length === unique.length) throw unreadable[0]!.error;
    return topUps.map((topUp, i) => {
      const md5 = md5Of[i];
      if (md5 === undefined) return { state: "failed", reason: "top-up has no KHQR md5 to look up at Bakong" };
      return resultFor(topUp, md5, answers.get(md5)!);
    });
  }

  async function lookUp(md5s: string[]): Promise<Map<string, Md5Answer>> {
    const answers = new Map<string, Md5Answer>();
    const statuses = md5s.length > 1 ? await listStatuses(md5s) : null;
    const toConfirm = md5s.filter((md5) => statuses?.get(md5) !== NOT_FOUND_STATUS);
    for (const md5 of md5s) if (!toConfirm.includes(md5)) answers.set(md5, { kind: "pending" });
    // The list answer carries no amount or receiving account: every possible payment is confirmed one by one.
    await eachLimited(toConfirm, CONFIRM_CONCURRENCY, async (md5) => answers.set(md5, await checkMd5(md5)));
    return answers;
  }

  /** Statuses by md5 from the list endpoint, or null when this batch is checked one md5 at a time. */
  async function listStatuses(md5s: string[]): Promise<Map<string, string> | null> {
    if (mode === "single") return null;
    const shapes: BakongListShape[] = mode === "object" ? ["object", "array"] : ["array", "object"];
    let absent = false;
    for (const shape of shapes) {
      const outcome = await postList(shape, md5s);
      if (outcome.kind === "ok") {
        remember(shape);
        return outcome.statuses;
      }
      if (outcome.kind === "absent") {
        absent = true;
        break;
      }
    }
    // A list call that worked before and refuses this batch (one odd md5 in it, say) costs this batch
    // single lookups, not the list endpoint for good.
    if (absent || mode === "untried") remember("single");
    else deps.log.warn({ provider: "bakong", md5s: md5s.length }, "Bakong refused an md5 list; checking this batch one md5 at a time");
    return null;
  }

  function remember(next: LookupMode): void {
    if (next === mode) return;
    deps.log.info({ provider: "bakong", from: mode, to: next }, "Bakong md5 lookup mode changed");
    mode = next;
  }

  async function postList(shape: BakongListShape, md5s: string[]): Promise<ListOutcome> {
    const res = await post(BAKONG_PATHS.byMd5List, listRequestBody(shape, md5s));
    if (res.status === 404 || res.status === 405) return { kind: "absent" };
    throwOnRefusal(res);
    const envelope = readEnvelope(res)?.value;
    if (envelope?.errorCode === BAKONG_ERROR.unauthorized) throw tokenError(res);
    if (res.status >= 400 || (envelope && envelope.responseCode !== 0)) return { kind: "shape_error" };
    const data = envelope?.data;
    if (!Array.isArray(data)) return { kind: "absent" };
    // An item of another shape is skipped: its md5 is then confirmed on its own, like any unknown status.
    const items = data.flatMap((raw: unknown) => {
      const item = bakongListItem.safeParse(raw);
      return item.success ? [item.data] : [];
    });
    const statuses = new Map(items.map((item) => [item.md5, item.status.trim().toUpperCase()] as const));
    // An answer about none of the md5s we sent means the body was not understood.
    if (!md5s.some((md5) => statuses.has(md5))) return { kind: "shape_error" };
    return { kind: "ok", statuses };
  }

  async function checkMd5(md5: string): Promise<Md5Answer> {
    const res = await post(BAKONG_PATHS.byMd5, JSON.stringify({ md5 }));
    throwOnRefusal(res);
    const read = readEnvelope(res);
    if (!read) return { kind: "unreadable", error: invalid(res, "answer is not a Bakong response") };
    const envelope = read.value;
    if (envelope.errorCode === BAKONG_ERROR.unauthorized) throw tokenError(res);
    if (res.status >= 400) {
      return { kind: "unreadable", error: rejected(res, envelope.errorCode ?? undefined, `Bakong answered HTTP ${res.status}: ${envelope.responseMessage ?? ""}`.trim()) };
    }
    if (envelope.responseCode === 0) {
      const txn = bakongTransaction.safeParse(envelope.data);
      if (!txn.success) return { kind: "unreadable", error: invalid(res, "transaction data does not have the documented shape") };
      return { kind: "paid", txn: txn.data, raw: read.json };
    }
    switch (envelope.errorCode) {
      case BAKONG_ERROR.notFound:
        return { kind: "pending" };
      case BAKONG_ERROR.failed:
        return { kind: "failed", reason: `Bakong reports the transaction failed: ${envelope.responseMessage ?? "no message"}` };
      default: {
        const code = envelope.errorCode ?? undefined;
        const known = code === undefined ? undefined : BAKONG_ERROR_MESSAGES[code];
        return { kind: "unreadable", error: rejected(res, code, known ?? `Bakong error ${code ?? "without a code"}: ${envelope.responseMessage ?? "no message"}`) };
      }
    }
  }

  function resultFor(topUp: TopUpRef, md5: string, answer: Md5Answer): StatusResult {
    switch (answer.kind) {
      case "pending":
        return { state: "pending" };
      case "failed":
        return { state: "failed", reason: answer.reason };
      case "unreadable":
        deps.log.warn({ provider: "bakong", reference: topUp.reference, kind: answer.error.kind, msg: answer.error.message }, "Bakong answer for one top-up unreadable; it is checked again at the next poll");
        return { state: "pending" };
      case "paid":
        return { state: "paid", observations: [observation(topUp, md5, answer.txn, answer.raw)] };
    }
  }

  /** A paid transaction on one of our md5s is always an observation; what does not fit becomes its hold reason. */
  function observation(topUp: TopUpRef, md5: string, txn: BakongTransaction, raw: unknown): PaymentObservation {
    const odd: string[] = [];
    const toAccount = typeof txn.toAccountId === "string" ? txn.toAccountId.trim() : undefined;
    if (toAccount === undefined || toAccount.toLowerCase() !== config.accountId.trim().toLowerCase()) {
      odd.push(`Bakong reports this QR paid to ${toAccount ?? "an unnamed account"}, not to our account ${config.accountId}`);
    }
    const currency = bakongCurrency(txn.currency);
    let amountMinor: number;
    if (!currency) {
      odd.push(`Bakong reports the payment in ${JSON.stringify(txn.currency)}, which is neither USD nor KHR (${saidAmount(txn.amount)})`);
      amountMinor = 0;
    } else {
      const exact = typeof txn.amount === "number" || typeof txn.amount === "string" ? minorFromDecimal(txn.amount, currency) : null;
      if (exact === null) odd.push(`Bakong reports ${saidAmount(txn.amount)}, which is not an exact ${currency} amount`);
      amountMinor = exact ?? heldAmountMinor(txn.amount, currency);
    }
    return {
      provider: "bakong",
      providerTxnId: txn.hash,
      md5,
      reference: topUp.reference,
      amountMinor,
      currency: currency ?? topUp.currency,
      ...(typeof txn.fromAccountId === "string" && txn.fromAccountId.trim() ? { payer: maskBakongAccount(txn.fromAccountId.trim()) } : {}),
      ...(odd.length > 0 ? { holdReason: odd.join("; ") } : {}),
      raw,
    };
  }

  async function post(path: string, body: string): Promise<ProviderAnswer> {
    return transport.call(`${baseUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${config.token}`, "content-type": "application/json", accept: "application/json" },
      body,
    }, { name: path.slice(path.lastIndexOf("/") + 1) });
  }

  return {
    name: "bakong",
    capabilities: {
      presentation: "qr",
      statusApi: true,
      webhook: false,
      signedWebhook: false,
      pollConcurrency: 2,
      pollBatch: BAKONG_LIST_LIMIT,
    },
    create,
    checkStatus,
  };
}

/** Refusals that are about us, not one transaction: a bad token, or calls from where Bakong does not serve. */
function throwOnRefusal(res: ProviderAnswer): void {
  if (res.status === 401) throw tokenError(res);
  if (res.status === 403) {
    throw new ProviderError("bakong", "rejected", "Bakong refused the call (HTTP 403); Bakong may refuse calls from outside Cambodia", {
      code: 403,
      cause: res.text,
    });
  }
}

/** The envelope and the JSON it came in, or undefined when the answer is no Bakong response. */
function readEnvelope(res: ProviderAnswer): { value: BakongEnvelope; json: unknown } | undefined {
  const read = readJson(res.text, bakongEnvelope);
  return read.ok ? read : undefined;
}

function tokenError(res: ProviderAnswer): ProviderError {
  return rejected(res, BAKONG_ERROR.unauthorized, BAKONG_ERROR_MESSAGES[BAKONG_ERROR.unauthorized]!);
}

function rejected(res: ProviderAnswer, code: number | undefined, message: string): ProviderError {
  return new ProviderError("bakong", "rejected", message, { code, cause: res.text });
}

function invalid(res: ProviderAnswer, what: string): ProviderError {
  return new ProviderError("bakong", "invalid_response", `Bakong: ${what} (HTTP ${res.status})`, { cause: res.text });
}

function bakongCurrency(value: unknown): Currency | undefined {
  const text = typeof value === "string" ? value.trim().toUpperCase() : undefined;
  return text === "USD" || text === "KHR" ? text : undefined;
}

/** `abcdef@aclb` → `ab***@aclb`: enough for a person to recognise, not to reuse. */
export function maskBakongAccount(accountId: string): string {
  const at = accountId.indexOf("@");
  const name = at >= 0 ? accountId.slice(0, at) : accountId;
  const bank = at >= 0 ? accountId.slice(at) : "";
  return `${name.slice(0, 2)}***${bank}`;
}

async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
