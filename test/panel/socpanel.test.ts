import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SocPanelClient } from "../../src/panel/socpanel.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startSocPanelSimulator } from "../../sandbox/panels/socpanel-simulator.js";
import { API_KEY, closedPortUrl, expectPanelError, FAST, html, json, startStub } from "./panel-test-kit.js";

let sim: PanelSimulator;
let stub: Awaited<ReturnType<typeof startStub>>;

const client = (url = sim.url, extra: { apiKey?: string; amountFormat?: "decimal" | "integer" } = {}) =>
  new SocPanelClient({ url, apiKey: extra.apiKey ?? API_KEY, currency: "USD", amountFormat: extra.amountFormat, timeouts: FAST });

beforeAll(async () => {
  sim = await startSocPanelSimulator({ apiKey: API_KEY });
  stub = await startStub(() => json({ ok: true }));
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
  stub.answer(() => json({ ok: true }));
});

describe("SocPanel against the simulator", () => {
  it("can only change balances", () => {
    const c = client();
    expect(c.capabilities).toEqual({ findUser: false, debit: true, findCredit: false, memo: false });
    expect("findUser" in c || "findCredit" in c).toBe(false);
  });

  it("credits once, with nothing to report back", async () => {
    sim.addUser("alice", 1000);
    expect(await client().credit("alice", 1050, "topup-1")).toEqual({});
    expect(sim.balanceOf("alice")).toBe(2050);
    expect(sim.payments).toMatchObject([{ login: "alice", amountMinor: 1050, kind: "credit" }]);
  });

  it("debits", async () => {
    sim.addUser("alice", 1000);
    await client().debit("alice", 250, "refund-1");
    expect(sim.balanceOf("alice")).toBe(750);
    expect(sim.payments).toMatchObject([{ amountMinor: 250, kind: "debit" }]);
  });

  it("refuses an unknown user with a readable message", async () => {
    const err = await expectPanelError(client().credit("bob", 100, "m"), "rejected", "panel user not found: bob");
    expect(err.opts.raw).toBe('{"ok":false,"error":"User not found"}');
  });
});

describe("SocPanel faults", () => {
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
    sim.setFault("timeoutAfter", 1);
    await expectPanelError(client().credit("alice", 100, "m"), "unknown");
    expect(sim.payments).toHaveLength(1);
    expect(sim.balanceOf("alice")).toBe(100);
  });

  it("a rejected token: rejected, naming the setting, the token nowhere", async () => {
    sim.addUser("alice", 0);
    sim.setFault("rejectKey", 1);
    await expectPanelError(client().credit("alice", 100, "m"), "rejected", "panel rejected the API key (PANEL_API_KEY)");
    await expectPanelError(client(sim.url, { apiKey: "wrong" }).credit("alice", 100, "m"), "rejected", "panel rejected the API key (PANEL_API_KEY)");
    expect(sim.payments).toHaveLength(0);
  });
});

describe("SocPanel wire format and odd answers", () => {
  it("sends login, token and a 2-decimal amount in the query", async () => {
    await client(stub.url).credit("alice", 1050, "m");
    await client(stub.url).debit("alice", 5, "m");
    expect(stub.requests.map((r) => [r.method, r.path, r.query])).toEqual([
      ["GET", "/privateApi/incrementUserBalance", { token: API_KEY, login: "alice", amount: "10.50" }],
      ["GET", "/privateApi/decrementUserBalance", { token: API_KEY, login: "alice", amount: "0.05" }],
    ]);
  });

  it("integer format sends whole amounts and refuses a fraction before sending", async () => {
    await client(stub.url, { amountFormat: "integer" }).credit("alice", 1000, "m");
    expect(stub.requests[0]!.query.amount).toBe("10");
    await expectPanelError(client(stub.url, { amountFormat: "integer" }).credit("alice", 1050, "m"), "rejected", /whole amounts.*10\.50 USD/);
    expect(stub.requests).toHaveLength(1);
  });

  it("a 200 HTML page is unknown with the page kept", async () => {
    stub.answer(() => html());
    const err = await expectPanelError(client(stub.url).credit("alice", 100, "m"), "unknown");
    expect(err.opts.raw).toContain("Site under construction");
  });

  it("{} is unknown: it may have been applied", async () => {
    stub.answer(() => json({}));
    await expectPanelError(client(stub.url).credit("alice", 100, "m"), "unknown");
  });

  it('{"ok":false} is a refusal with the raw answer kept', async () => {
    stub.answer(() => json({ ok: false }));
    const err = await expectPanelError(client(stub.url).debit("alice", 100, "m"), "rejected", /refused decrementUserBalance for alice/);
    expect(err.opts.raw).toBe('{"ok":false}');
  });

  it("strips the token from an error page that echoes the request URL", async () => {
    stub.answer((req) => html(500, `<p>Error at /privateApi/incrementUserBalance?token=${encodeURIComponent(req.query.token!)}&login=alice</p>`));
    const err = await expectPanelError(client(stub.url).credit("alice", 100, "m"), "unknown");
    expect(err.opts.raw).toContain("token=[REDACTED]");
  });
});
