import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../src/config/config.js";
import { createLogger } from "../../src/logger.js";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { startSocPanelSimulator } from "../../sandbox/panels/socpanel-simulator.js";
import { API_KEY, FAST } from "./panel-test-kit.js";

let perfect: PanelSimulator;
let oldPerfect: PanelSimulator;
let soc: PanelSimulator;

const panel = (type: Config["panel"]["type"], url: string): Config["panel"] => ({ type, url, apiKey: API_KEY, paymentMethod: "Bakong KHQR", currency: "USD" });

beforeAll(async () => {
  perfect = await startPerfectPanelSimulator({ apiKey: API_KEY, users: { alice: 0 } });
  oldPerfect = await startPerfectPanelSimulator({ apiKey: API_KEY, users: { alice: 0 }, v1GetUser: false });
  soc = await startSocPanelSimulator({ apiKey: API_KEY, users: { alice: 0 } });
});
afterAll(async () => {
  await perfect.close();
  await oldPerfect.close();
  await soc.close();
});

describe("createPanelClient", () => {
  it("builds the v2 client, which sends the configured payment method", async () => {
    const client = createPanelClient(panel("perfectpanel", `${perfect.url}/`), { timeouts: FAST });
    expect(client.type).toBe("perfectpanel");
    expect(client.capabilities).toEqual({ findUser: true, debit: false, findCredit: true, memo: true });
    await client.credit("alice", 100, "m-v2");
    expect(perfect.payments.at(-1)).toMatchObject({ method: "Bakong KHQR", memo: "m-v2" });
  });

  it("builds the v1 client, and logs once that getUser is missing, without the key", async () => {
    let logged = "";
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        logged += chunk.toString();
        done();
      },
    });
    const log = createLogger({ level: "debug", secrets: [], destination });
    const client = createPanelClient(panel("perfectpanel-v1", oldPerfect.url), { log, timeouts: FAST });
    expect(client.type).toBe("perfectpanel-v1");
    expect(await client.findUser!("alice")).toEqual({ login: "alice" });
    await client.debit!("alice", 0 + 100, "m").catch(() => undefined);
    expect(logged).toContain("panel does not answer getUser");
    expect(logged).toContain('"op":"getUser"');
    expect(logged).not.toContain(API_KEY);
  });

  it("builds the SocPanel client with the amount format", async () => {
    const client = createPanelClient(panel("socpanel", soc.url), { amountFormat: "integer", timeouts: FAST });
    expect(client.type).toBe("socpanel");
    expect(client.capabilities).toEqual({ findUser: false, debit: true, findCredit: false, memo: false });
    await expect(client.credit("alice", 150, "m")).rejects.toThrow(/whole amounts/);
    await client.credit("alice", 200, "m");
    expect(soc.balanceOf("alice")).toBe(200);
  });
});
