import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { balanceToMinor, panelUrl } from "../../src/panel/panel-call.js";
import type { PanelClient } from "../../src/panel/panel-client.js";
import { PerfectPanelV1Client } from "../../src/panel/perfectpanel-v1.js";
import { PerfectPanelV2Client } from "../../src/panel/perfectpanel-v2.js";
import { SocPanelClient } from "../../src/panel/socpanel.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { startSocPanelSimulator } from "../../sandbox/panels/socpanel-simulator.js";
import { API_KEY, closedPortUrl, expectPanelError, FAST } from "./panel-test-kit.js";

describe("balanceToMinor", () => {
  it.each([
    ["12.34", "USD", 1234],
    [12.34, "USD", 1234],
    ["12.3456", "USD", 1234],
    [0.1 + 0.2, "USD", 30],
    ["7", "USD", 700],
    ["40000.00", "KHR", 40000],
    [40000, "KHR", 40000],
  ] as const)("%s %s → %i", (value, currency, minor) => {
    expect(balanceToMinor(value, currency)).toBe(minor);
  });

  it.each([undefined, null, "", "-1.00", "1e3", "abc", {}, Number.NaN])("%s → undefined", (value) => {
    expect(balanceToMinor(value, "USD")).toBeUndefined();
  });
});

describe("panelUrl", () => {
  it("joins whatever trailing slash the base has", () => {
    expect(panelUrl("https://panel.example/", "/adminapi/v1")).toBe("https://panel.example/adminapi/v1");
    expect(panelUrl("https://panel.example", "/adminapi/v1")).toBe("https://panel.example/adminapi/v1");
  });
});

/** Each panel client over loopback against its simulator: which failure statuses can hide an applied write. */
const clients = [
  { name: "PerfectPanel v2", start: () => startPerfectPanelSimulator({ apiKey: API_KEY }), make: (url: string): PanelClient => new PerfectPanelV2Client({ url, apiKey: API_KEY, paymentMethod: "KHQR", currency: "USD", timeouts: FAST }) },
  { name: "PerfectPanel v1", start: () => startPerfectPanelSimulator({ apiKey: API_KEY }), make: (url: string): PanelClient => new PerfectPanelV1Client({ url, apiKey: API_KEY, currency: "USD", timeouts: FAST }) },
  { name: "SocPanel", start: () => startSocPanelSimulator({ apiKey: API_KEY }), make: (url: string): PanelClient => new SocPanelClient({ url, apiKey: API_KEY, currency: "USD", timeouts: FAST }) },
] as const;

/** A proxy's or the panel's failure that may come after the panel applied a write. */
const MAY_HAVE_APPLIED = [500, 502, 503, 504, 520, 524, 530];
/** Answers that prove the request was not taken up: Cloudflare never reached the panel, or the request was refused before handling. */
const NOT_TAKEN = [408, 429, 521, 522, 523, 525, 526];

for (const spec of clients) {
  describe(`${spec.name}: a failure status to a write`, () => {
    let sim: PanelSimulator;
    let panel: PanelClient;
    beforeAll(async () => {
      sim = await spec.start();
      panel = spec.make(sim.url);
    });
    afterAll(() => sim?.close());
    beforeEach(() => {
      sim.resetFaults();
      sim.users.clear();
      sim.payments.length = 0;
      sim.addUser("alice", 10_000);
    });
    const writes = (memo: string) => [
      () => panel.credit("alice", 100, memo),
      ...(panel.debit ? [() => panel.debit!("alice", 100, memo)] : []),
    ];

    it.each(MAY_HAVE_APPLIED)("HTTP %i after the panel applied it: unknown, applied once", async (status) => {
      const calls = writes(`after-${status}`);
      sim.setFault("statusAfter", calls.length, [status]);
      for (const call of calls) await expectPanelError(call(), "unknown", new RegExp(`HTTP ${status} .*may have been applied`));
      expect(sim.payments.map((p) => p.kind)).toEqual(calls.length === 2 ? ["credit", "debit"] : ["credit"]);
      expect(sim.balanceOf("alice")).toBe(calls.length === 2 ? 10_000 : 10_100);
    });

    it.each(MAY_HAVE_APPLIED)("HTTP %i before the panel applied it: unknown all the same, nothing applied", async (status) => {
      const calls = writes(`before-${status}`);
      sim.setFault("statusBefore", calls.length, [status]);
      for (const call of calls) await expectPanelError(call(), "unknown", new RegExp(`HTTP ${status} `));
      expect(sim.payments).toHaveLength(0);
    });

    it.each(NOT_TAKEN)("HTTP %i: unavailable, safe to retry, nothing applied", async (status) => {
      const calls = writes(`not-taken-${status}`);
      sim.setFault("statusBefore", calls.length, [status]);
      for (const call of calls) await expectPanelError(call(), "unavailable", new RegExp(`HTTP ${status} .*not applied, safe to retry`));
      expect(sim.payments).toHaveLength(0);
    });

    it("connection refused: unavailable for every write, nothing was sent", async () => {
      const down = spec.make(await closedPortUrl());
      await expectPanelError(down.credit("alice", 100, "refused"), "unavailable", /nothing was sent/);
      if (down.debit) await expectPanelError(down.debit("alice", 100, "refused"), "unavailable", /nothing was sent/);
    });

    it("a certificate refused in the TLS handshake: unavailable for every write, nothing reached the server", async () => {
      const tls = await startSelfSignedServer();
      try {
        const client = spec.make(tls.url);
        await expectPanelError(client.credit("alice", 100, "tls"), "unavailable", /DEPTH_ZERO_SELF_SIGNED_CERT.*nothing was sent/);
        if (client.debit) await expectPanelError(client.debit("alice", 100, "tls"), "unavailable", /nothing was sent/);
        expect(tls.requests()).toBe(0);
      } finally {
        await tls.close();
      }
    });

    // SocPanel has no reads.
    if (spec.name === "SocPanel") return;
    it("a read meeting any failure status can be asked again", async () => {
      const reads = [() => panel.findUser!("alice"), ...(panel.findCredit ? [() => panel.findCredit!("m")] : [])];
      const statuses = [...MAY_HAVE_APPLIED, ...NOT_TAKEN];
      sim.setFault("statusBefore", Infinity, statuses.flatMap((s) => reads.map(() => s)));
      for (const status of statuses) {
        for (const read of reads) await expectPanelError(read(), "unavailable", new RegExp(`HTTP ${status}`));
      }
    });
  });
}

/** An HTTPS server on loopback whose certificate no client trusts; counts the requests that reach it. */
async function startSelfSignedServer() {
  const fixture = (name: string) => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url));
  let requests = 0;
  const server = createServer({ key: fixture("self-signed-key.pem"), cert: fixture("self-signed-cert.pem") }, (_req, res) => {
    requests += 1;
    res.end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
