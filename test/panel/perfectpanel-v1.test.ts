import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PerfectPanelV1Client } from "../../src/panel/perfectpanel-v1.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { API_KEY, closedPortUrl, expectPanelError, FAST, html, json, startStub } from "./panel-test-kit.js";

let sim: PanelSimulator;
let oldPanel: PanelSimulator;
let stub: Awaited<ReturnType<typeof startStub>>;

const client = (url = sim.url, apiKey = API_KEY) => new PerfectPanelV1Client({ url, apiKey, currency: "USD", timeouts: FAST });

beforeAll(async () => {
  sim = await startPerfectPanelSimulator({ apiKey: API_KEY });
  oldPanel = await startPerfectPanelSimulator({ apiKey: API_KEY, users: { alice: 100 }, v1GetUser: false });
  stub = await startStub(() => json({}));
});
afterAll(async () => {
  await sim.close();
  await oldPanel.close();
  await stub.close();
});
afterEach(() => {
  sim.resetFaults();
  sim.users.clear();
  sim.payments.length = 0;
  stub.requests.length = 0;
});

describe("PerfectPanel v1 against the simulator", () => {
  it("finds a user with the balance, and null for an unknown one", async () => {
    sim.addUser("alice", 1234);
    expect(await client().findUser("alice")).toEqual({ login: "alice", balanceMinor: 1234 });
    expect(await client().findUser("bob")).toBeNull();
  });

  it("on a panel without getUser, returns the login unverified and says so in capabilities", async () => {
    const c = client(oldPanel.url);
    expect(c.capabilities.findUser).toBe(true);
    expect(await c.findUser("anyone")).toEqual({ login: "anyone" });
    expect(c.capabilities.findUser).toBe(false);
    // A wrong login is still refused by the credit itself.
    await expectPanelError(c.credit("anyone", 100, "m"), "rejected", "panel user not found: anyone");
    expect(oldPanel.payments).toHaveLength(0);
  });

  it("credits once with the memo as details", async () => {
    sim.addUser("alice", 1000);
    expect(await client().credit("alice", 1050, "topup-1")).toEqual({});
    expect(sim.balanceOf("alice")).toBe(2050);
    expect(sim.payments).toMatchObject([{ login: "alice", amountMinor: 1050, memo: "topup-1", kind: "credit" }]);
  });

  it("refuses a credit for an unknown user with a readable message", async () => {
    const err = await expectPanelError(client().credit("bob", 500, "m"), "rejected", "panel user not found: bob");
    expect(err.opts.panelMessage).toBe("bad_username");
  });

  it("debits, and a refused debit keeps the panel's code", async () => {
    sim.addUser("alice", 1000);
    await client().debit("alice", 300, "refund-1");
    expect(sim.balanceOf("alice")).toBe(700);
    expect(sim.payments).toMatchObject([{ login: "alice", amountMinor: 300, memo: "refund-1", kind: "debit" }]);
    const err = await expectPanelError(client().debit("alice", 5000, "refund-2"), "rejected", /deductPayment for alice: not_enough_funds/);
    expect(err.opts.panelMessage).toBe("not_enough_funds");
    expect(sim.balanceOf("alice")).toBe(700);
  });

  it("cannot look for credits", () => {
    const c = client();
    expect(c.capabilities).toEqual({ findUser: true, debit: true, findCredit: false, memo: true });
    expect("findCredit" in c).toBe(false);
  });
});

describe("PerfectPanel v1 faults", () => {
  it("HTTP 500 to a credit or a debit: unknown (the panel may answer so after applying)", async () => {
    sim.addUser("alice", 0);
    sim.setFault("http500", 2);
    await expectPanelError(client().credit("alice", 100, "m"), "unknown", /HTTP 500.*may have been applied/);
    await expectPanelError(client().debit("alice", 100, "m"), "unknown", /HTTP 500.*may have been applied/);
    expect(sim.payments).toHaveLength(0);
  });

  it("connection refused: unavailable", async () => {
    await expectPanelError(client(await closedPortUrl()).credit("alice", 100, "m"), "unavailable", /nothing was sent/);
  });

  it("no answer before applying: unknown, not applied", async () => {
    sim.addUser("alice", 0);
    sim.setFault("timeoutBefore", 1);
    await expectPanelError(client().credit("alice", 100, "m"), "unknown", /may have been applied/);
    expect(sim.payments).toHaveLength(0);
  });

  it("no answer after applying: unknown, applied", async () => {
    sim.addUser("alice", 0);
    sim.setFault("timeoutAfter", 2);
    await expectPanelError(client().credit("alice", 100, "m"), "unknown");
    await expectPanelError(client().debit("alice", 40, "d"), "unknown");
    expect(sim.payments).toMatchObject([{ memo: "m", kind: "credit" }, { memo: "d", kind: "debit" }]);
    expect(sim.balanceOf("alice")).toBe(60);
  });

  it("a rejected key: rejected, naming the setting", async () => {
    sim.addUser("alice", 0);
    sim.setFault("rejectKey", 1);
    const err = await expectPanelError(client().credit("alice", 100, "m"), "rejected", "panel rejected the API key (PANEL_API_KEY)");
    expect(err.opts.panelMessage).toBe("bad_auth");
    await expectPanelError(client(sim.url, "wrong").findUser("alice"), "rejected", "panel rejected the API key (PANEL_API_KEY)");
    expect(sim.payments).toHaveLength(0);
  });
});

describe("PerfectPanel v1 wire format and odd answers", () => {
  it("sends the documented form fields", async () => {
    stub.answer(() => json({ status: "success" }));
    await client(stub.url).credit("alice", 1050, "topup-5");
    const [req] = stub.requests;
    expect(req).toMatchObject({ method: "POST", path: "/adminapi/v1" });
    expect(req!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(req!.body))).toEqual({
      key: API_KEY, action: "addPayment", username: "alice", amount: "10.50", details: "topup-5", affiliate_commission: "0",
    });
  });

  it("reads getUser's fields from `data` or beside `status`", async () => {
    stub.answer(() => json({ status: "success", data: { username: "Alice", balance: 7 } }));
    expect(await client(stub.url).findUser("alice")).toEqual({ login: "Alice", balanceMinor: 700 });
    stub.answer(() => json({ status: "success", login: "alice", balance: "0.10" }));
    expect(await client(stub.url).findUser("alice")).toEqual({ login: "alice", balanceMinor: 10 });
  });

  it("a 200 HTML page to a credit is unknown with the page kept", async () => {
    stub.answer(() => html());
    const err = await expectPanelError(client(stub.url).credit("alice", 100, "m"), "unknown");
    expect(err.opts.raw).toContain("Site under construction");
  });

  it("{} to a credit is unknown; to getUser a retryable error", async () => {
    stub.answer(() => json({}));
    await expectPanelError(client(stub.url).credit("alice", 100, "m"), "unknown");
    await expectPanelError(client(stub.url).findUser("alice"), "unavailable");
  });

  it("bad_action to a credit says the panel lacks the call", async () => {
    stub.answer(() => json({ status: "fail", error: "bad_action" }));
    await expectPanelError(client(stub.url).credit("alice", 100, "m"), "rejected", /does not support addPayment \(bad_action\)/);
  });

  it("a bare {error} answer is the panel's refusal", async () => {
    stub.answer(() => json({ error: "Incorrect amount" }));
    const err = await expectPanelError(client(stub.url).credit("alice", 100, "m"), "rejected", /Incorrect amount/);
    expect(err.opts.raw).toBe('{"error":"Incorrect amount"}');
  });

  it("a key echoed back is scrubbed", async () => {
    stub.answer(() => html(200, `<p>key=${API_KEY}&action=addPayment</p>`));
    const err = await expectPanelError(client(stub.url).credit("alice", 100, "m"), "unknown");
    expect(err.opts.raw).toContain("key=[REDACTED]");
  });
});
