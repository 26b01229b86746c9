import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const PAYMENTS = join(import.meta.dirname, "../../src/payments");
const PROVIDERS = join(PAYMENTS, "providers");
const TRANSPORT = join(PAYMENTS, "provider-transport.ts");
/** Provider modules: the adapters and the deep-link source, which calls Bakong. */
const CALLERS = [...readdirSync(PROVIDERS, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts")).map((f) => join(PROVIDERS, f)), join(PAYMENTS, "deeplink.ts")];

/** Every way code could make an HTTP call of its own, each with a name for the sanity check below. */
const DIRECT_CALLS = {
  fetch: /\bfetch\s*\(/g,
  undici: /["']undici["']/g,
  nodeHttp: /["']node:https?["']|["']https?["']/g,
  send: /\bsend\s*\(|import\s*\{[^}]*\bsend\b[^}]*\}\s*from\s*["'][^"']*http\/outbound/g,
  outboundError: /\bOutboundError\b/g,
};

function callsIn(files: string[], pattern: RegExp): string[] {
  return files.flatMap((file) => {
    const text = readFileSync(file, "utf8");
    return [...text.matchAll(pattern)].map((m) => `${relative(PAYMENTS, file)}:${text.slice(0, m.index).split("\n").length}: ${m[0]}`);
  });
}

describe("provider modules make HTTP calls only through the provider transport", () => {
  it("no provider module calls fetch, undici, node:http or send, or reads OutboundError, itself", () => {
    const found = Object.values(DIRECT_CALLS).flatMap((pattern) => callsIn(CALLERS, pattern));
    expect(found).toEqual([]);
  });

  it("the scan sees the provider modules and the calls it forbids (the transport's own)", () => {
    expect(CALLERS.length).toBeGreaterThan(10);
    expect(callsIn([TRANSPORT], DIRECT_CALLS.send)).not.toEqual([]);
    expect(callsIn([TRANSPORT], DIRECT_CALLS.outboundError)).not.toEqual([]);
    const sample = 'import { request } from "undici";\nimport https from "node:https";\nawait fetch(url);';
    for (const name of ["fetch", "undici", "nodeHttp"] as const) expect(sample.match(DIRECT_CALLS[name]), name).not.toBeNull();
  });
});
