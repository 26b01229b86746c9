import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PerfectPanelV2Client } from "../../src/panel/perfectpanel-v2.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { API_KEY, closedPortUrl, expectPanelError, FAST, html, json, startStub } from "./panel-test-kit.js";

let sim: PanelSimulator;
let stub: Awaited<ReturnType<typeof startStub>>;

const client = (url = sim.url, apiKey = API_KEY, extra: { findCreditPages?: number } = {}) =>
  new PerfectPanelV2Client({ url, apiKey, paymentMethod: "KHQR", currency: "USD", timeouts: FAST, ...extra });

beforeAll(async () => {
  sim = await startPerfectPanelSimulator({ apiKey: API_KEY });
  stub = await startStub(() => json({}));
});
afterAll(async () => {
  await sim.close();
  await stub.close();
});
afterEach(() => {
  sim.resetFaults();
  sim.users.clear();
  sim.payments.length = 0;
  stub.requests.length = 0;
});

describe("PerfectPanel v2 against the simulator", () => {
  it("finds a user by exact login, with the balance, and not by a part of it", async () => {
    sim.addUser("alice", 1234);
    sim.addUser("alice2", 50);
    expect(await client().findUser("alice")).toEqual({ login: "alice", balanceMinor: 1234 });
    expect(await client().findUser("ALICE")).toEqual({ login: "alice", balanceMinor: 1234 });
    expect(await client().findUser("ali")).toBeNull();
    expect(await client().findUser("bob")).toBeNull();
  });

  it("credits once and returns the payment id and new balance", async () => {
    sim.addUser("alice", 1000);
    const result = await client().credit("alice", 1050, "topup-1");
    expect(result).toEqual({ panelPaymentId: "1", balanceMinor: 2050 });
    expect(sim.balanceOf("alice")).toBe(2050);
    expect(sim.payments).toMatchObject([{ login: "alice", amountMinor: 1050, memo: "topup-1", method: "KHQR", kind: "credit" }]);
  });

  it("refuses a credit for an unknown user with a readable message", async () => {
    const err = await expectPanelError(client().credit("bob", 500, "topup-2"), "rejected", "panel user not found: bob");
    expect(err.opts.panelMessage).toBe("User not found");
    expect(sim.payments).toHaveLength(0);
  });

  it("refuses a zero or fractional amount before sending anything", async () => {
    sim.addUser("alice", 0);
    await expectPanelError(client().credit("alice", 0, "m"), "rejected", /positive whole number/);
    await expectPanelError(client().credit("alice", 1.5, "m"), "rejected", /positive whole number/);
    expect(sim.payments).toHaveLength(0);
  });

  it("has no debit", () => {
    const c = client();
    expect(c.capabilities).toEqual({ findUser: true, debit: false, findCredit: true, memo: true });
    expect("debit" in c).toBe(false);
  });

  it("finds a credit by its memo, and answers null for a memo never credited", async () => {
    sim.addUser("alice", 0);
    expect(await client().findCredit("topup-9")).toBeNull();
    await client().credit("alice", 100, "topup-9");
    expect(await client().findCredit("topup-9")).toEqual({ panelPaymentId: "1" });
    expect(await client().findCredit("topup-10")).toBeNull();
  });

  it("follows the payment list's pages to an older credit", async () => {
    sim.addUser("alice", 0);
    await client().credit("alice", 100, "old-credit");
    for (let i = 0; i < 250; i++) {
      sim.payments.push({ id: i + 2, login: "alice", amountMinor: 1, memo: `filler-${i}`, method: "KHQR", kind: "credit", at: new Date() });
    }
    expect(await client().findCredit("old-credit")).toEqual({ panelPaymentId: "1" });
    expect(await client().findCredit("never-sent")).toBeNull();
  });

  it("does not call a memo absent when it stopped before the end of the list", async () => {
    sim.addUser("alice", 0);
    await client().credit("alice", 100, "old-credit");
    for (let i = 0; i < 250; i++) {
      sim.payments.push({ id: i + 2, login: "alice", amountMinor: 1, memo: `filler-${i}`, method: "KHQR", kind: "credit", at: new Date() });
    }
    await expectPanelError(client(sim.url, API_KEY, { findCreditPages: 2 }).findCredit("old-credit"), "unavailable", /200 most recent/);
  });
});

describe("PerfectPanel v2 faults", () => {
  it("HTTP 500 to a credit: unknown, and the payment list shows it did not apply", async () => {
    sim.addUser("alice", 0);
    sim.setFault("http500", 1);
    const err = await expectPanelError(client().credit("alice", 100, "m1"), "unknown", /HTTP 500.*may have been applied/);
    expect(err.opts.raw).toContain("500 Internal Server Error");
    expect(sim.payments).toHaveLength(0);
    expect(await client().findCredit("m1")).toBeNull();
    expect(await client().credit("alice", 100, "m1")).toMatchObject({ panelPaymentId: "1" });
  });

  it("HTTP 429: unavailable, nothing applied", async () => {
    sim.addUser("alice", 0);
    sim.setFault("http429", 1);
    await expectPanelError(client().credit("alice", 100, "m1"), "unavailable", /HTTP 429/);
    expect(sim.payments).toHaveLength(0);
  });

  it("connection refused: unavailable", async () => {
    const url = await closedPortUrl();
    await expectPanelError(client(url).credit("alice", 100, "m1"), "unavailable", /nothing was sent/);
    await expectPanelError(client(url).findUser("alice"), "unavailable");
  });

  it("no answer before applying: unknown, and the payment list shows it did not apply", async () => {
    sim.addUser("alice", 0);
    sim.setFault("timeoutBefore", 1);
    await expectPanelError(client().credit("alice", 100, "m-before"), "unknown", /may have been applied/);
    expect(sim.payments).toHaveLength(0);
    expect(await client().findCredit("m-before")).toBeNull();
  });

  it("no answer after applying: unknown, and findCredit finds the memo", async () => {
    sim.addUser("alice", 0);
    sim.setFault("timeoutAfter", 1);
    await expectPanelError(client().credit("alice", 100, "m-after"), "unknown");
    expect(sim.payments).toHaveLength(1);
    expect(await client().findCredit("m-after")).toEqual({ panelPaymentId: "1" });
  });

  it("a slow answer within the timeout succeeds", async () => {
    sim.addUser("alice", 0);
    sim.faults.slowMs = 100;
    expect(await client().credit("alice", 100, "m1")).toMatchObject({ panelPaymentId: "1" });
  });

  it("a rejected key: rejected, naming the setting and not the key", async () => {
    sim.addUser("alice", 0);
    sim.setFault("rejectKey", 1);
    const err = await expectPanelError(client().credit("alice", 100, "m1"), "rejected", "panel rejected the API key (PANEL_API_KEY)");
    expect(err.opts.panelMessage).toBe("Invalid API key");
    await expectPanelError(client(sim.url, "wrong-key").findUser("alice"), "rejected", "panel rejected the API key (PANEL_API_KEY)");
    expect(sim.payments).toHaveLength(0);
  });
});

describe("PerfectPanel v2 wire format and odd answers", () => {
  it("sends the documented request", async () => {
    stub.answer(() => json({ data: { payment_id: 77, user: { balance: "12.5" } }, error_code: 0, error_message: "" }));
    expect(await client(stub.url).credit("alice", 1050, "topup-5")).toEqual({ panelPaymentId: "77", balanceMinor: 1250 });
    const [req] = stub.requests;
    expect(req).toMatchObject({ method: "POST", path: "/adminapi/v2/payments/add" });
    expect(req!.headers["x-api-key"]).toBe(API_KEY);
    expect(req!.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(req!.body)).toEqual({ username: "alice", amount: 10.5, method: "KHQR", memo: "topup-5", affiliate_commission: false });
  });

  it("takes the login from `login` and a numeric balance, and a string error_code", async () => {
    stub.answer(() => json({ data: { count: 1, list: [{ login: "alice", balance: 3.999 }] }, error_code: "0" }));
    expect(await client(stub.url).findUser("alice")).toEqual({ login: "alice", balanceMinor: 399 });
    expect(stub.requests[0]).toMatchObject({ method: "GET", path: "/adminapi/v2/users", query: { username: "alice" } });
  });

  it("a user list without a login field is an error, not a match", async () => {
    stub.answer(() => json({ data: { count: 1, list: [{ name: "alice" }] }, error_code: 0 }));
    await expectPanelError(client(stub.url).findUser("alice"), "unavailable", /unrecognised/);
  });

  it("an error answer to a user search that says the user does not exist is null", async () => {
    stub.answer(() => json({ data: null, error_code: 404, error_message: "User not found" }, 404));
    expect(await client(stub.url).findUser("alice")).toBeNull();
  });

  it("a 200 HTML page to a credit is unknown (it may have applied), with the page kept", async () => {
    stub.answer(() => html());
    const err = await expectPanelError(client(stub.url).credit("alice", 100, "m"), "unknown", /unrecognised/);
    expect(err.opts.raw).toContain("Site under construction");
  });

  it("{} to a credit is unknown; {} to a read is an error that can be retried", async () => {
    stub.answer(() => json({}));
    const err = await expectPanelError(client(stub.url).credit("alice", 100, "m"), "unknown");
    expect(err.opts.raw).toBe("{}");
    await expectPanelError(client(stub.url).findUser("alice"), "unavailable");
    await expectPanelError(client(stub.url).findCredit("m"), "unavailable");
  });

  it("a non-zero error_code is rejected with the panel's text", async () => {
    stub.answer(() => json({ data: null, error_code: 12, error_message: "Payment method KHQR not found" }));
    const err = await expectPanelError(client(stub.url).credit("alice", 100, "m"), "rejected", /panel refused payments\/add for alice: Payment method KHQR not found/);
    expect(err.opts.panelMessage).toBe("Payment method KHQR not found");
  });

  it("an error that says try later is unavailable", async () => {
    stub.answer(() => json({ data: null, error_code: 7, error_message: "Too many requests, try again later" }));
    await expectPanelError(client(stub.url).credit("alice", 100, "m"), "unavailable", /try payments\/add later/);
  });

  it("HTTP 401 without a body is the API key message", async () => {
    stub.answer(() => ({ status: 401, body: "" }));
    await expectPanelError(client(stub.url).credit("alice", 100, "m"), "rejected", "panel rejected the API key (PANEL_API_KEY)");
  });

  it("HTTP 404 is rejected and points at PANEL_URL", async () => {
    stub.answer(() => html(404, "<h1>Not Found</h1>"));
    await expectPanelError(client(stub.url).credit("alice", 100, "m"), "rejected", /PANEL_URL/);
  });

  it("a redirect is not followed and points at PANEL_URL", async () => {
    stub.answer(() => ({ status: 301, body: "", contentType: "text/html" }));
    await expectPanelError(client(stub.url).credit("alice", 100, "m"), "rejected", /redirect \(HTTP 301\).*PANEL_URL/);
    expect(stub.requests).toHaveLength(1);
  });

  it("a gateway timeout or a bad gateway to a credit is unknown; Cloudflare's origin unreachable is unavailable", async () => {
    stub.answer(() => html(504, "<h1>504 Gateway Time-out</h1>"));
    await expectPanelError(client(stub.url).credit("alice", 100, "m"), "unknown", /HTTP 504/);
    stub.answer(() => html(502, "<h1>502 Bad Gateway</h1>"));
    await expectPanelError(client(stub.url).credit("alice", 100, "m"), "unknown", /HTTP 502/);
    stub.answer(() => html(523, "<h1>523 Origin is unreachable</h1>"));
    await expectPanelError(client(stub.url).credit("alice", 100, "m"), "unavailable", /HTTP 523.*not applied/);
  });

  it("a key echoed in an error page is scrubbed from the raw text", async () => {
    stub.answer(() => html(200, `<pre>headers: X-Api-Key: ${API_KEY}</pre>`));
    const err = await expectPanelError(client(stub.url).credit("alice", 100, "m"), "unknown");
    expect(err.opts.raw).toContain("[REDACTED]");
  });

  it("a payment list without a memo field cannot say a memo is absent", async () => {
    stub.answer(() => json({ data: { count: 1, list: [{ id: 1, amount: "1.00" }] }, error_code: 0 }));
    await expectPanelError(client(stub.url).findCredit("m"), "unavailable", /no memo field/);
  });

  it("reads the memo from `comment` or `details`, follows a relative next page and pagination inside data", async () => {
    stub.answer((req) =>
      req.query.offset === "100"
        ? json({ data: { count: 1, list: [{ payment_id: 9, details: "m" }], pagination: { next_page_href: null } }, error_code: 0 })
        : json({ data: { count: 1, list: [{ id: 1, comment: "other" }], pagination: { next_page_href: "/adminapi/v2/payments?limit=100&offset=100" } }, error_code: 0 }),
    );
    expect(await client(stub.url).findCredit("m")).toEqual({ panelPaymentId: "9" });
    expect(stub.requests.map((r) => r.query.offset)).toEqual([undefined, "100"]);
    expect(stub.requests.every((r) => r.headers["x-api-key"] === API_KEY)).toBe(true);
  });

  it("does not follow a next page on another site (the key would go there)", async () => {
    const elsewhere = await startStub(() => json({ data: { list: [] }, error_code: 0 }));
    try {
      stub.answer(() => json({ data: { list: [{ id: 1, memo: "x" }] }, error_code: 0, pagination: { next_page_href: `${elsewhere.url}/steal` } }));
      await expectPanelError(client(stub.url).findCredit("m"), "unavailable", /another site/);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it("a full page with no pagination at all is an error, not 'absent'", async () => {
    const list = Array.from({ length: 100 }, (_, i) => ({ id: i, memo: `x${i}` }));
    stub.answer(() => json({ data: { count: 100, list }, error_code: 0 }));
    await expectPanelError(client(stub.url).findCredit("m"), "unavailable", /full page/);
  });
});
