import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { startSocPanelSimulator } from "../../sandbox/panels/socpanel-simulator.js";
import { API_KEY } from "./panel-test-kit.js";

const sims: PanelSimulator[] = [];

beforeAll(async () => {
  sims.push(await startPerfectPanelSimulator({ apiKey: API_KEY, users: { alice: 500 } }));
  sims.push(await startSocPanelSimulator({ apiKey: API_KEY, users: { alice: 500 } }));
});
afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
});

describe.each([0, 1])("panel simulator control endpoints (%i)", (i) => {
  it("adds users and reports state", async () => {
    const sim = sims[i]!;
    const added = await fetch(`${sim.url}/_control/users`, { method: "POST", body: JSON.stringify({ login: "carol", balanceMinor: 250 }) });
    expect(added.status).toBe(200);
    expect(sim.balanceOf("carol")).toBe(250);
    const bad = await fetch(`${sim.url}/_control/users`, { method: "POST", body: JSON.stringify({ login: "" }) });
    expect(bad.status).toBe(400);
    sim.setFault("http500", 2);
    const state = (await (await fetch(`${sim.url}/_control/state`)).json()) as Record<string, unknown>;
    expect(state).toMatchObject({ currency: "USD", users: { alice: 500, carol: 250 }, payments: [], faults: { mode: "http500", remaining: 2 } });
    sim.resetFaults();
  });
});

describe("perfectpanel simulator pagination", () => {
  it("lists payments newest first with a next_page_href until the end", async () => {
    const sim = sims[0]!;
    for (let i = 1; i <= 3; i++) sim.payments.push({ id: i, login: "alice", amountMinor: i, memo: `m${i}`, method: "KHQR", kind: "credit", at: new Date() });
    const first = (await (await fetch(`${sim.url}/adminapi/v2/payments?limit=2`, { headers: { "X-Api-Key": API_KEY } })).json()) as {
      data: { list: { memo: string }[] }; pagination: { next_page_href: string | null; total: number };
    };
    expect(first.data.list.map((p) => p.memo)).toEqual(["m3", "m2"]);
    expect(first.pagination.total).toBe(3);
    const second = (await (await fetch(first.pagination.next_page_href!, { headers: { "X-Api-Key": API_KEY } })).json()) as typeof first;
    expect(second.data.list.map((p) => p.memo)).toEqual(["m1"]);
    expect(second.pagination.next_page_href).toBeNull();
  });
});
