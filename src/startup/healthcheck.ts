import { networkInterfaces } from "node:os";

/**
 * The container's HEALTHCHECK: GET /healthz on the address a published port reaches (the container's own
 * network address, not loopback), so a bot listening on 127.0.0.1 only, which no port mapping can reach,
 * is unhealthy instead of green. Exit 0 healthy, 1 not.
 */
const address = Object.values(networkInterfaces())
  .flat()
  .find((i) => i !== undefined && i.family === "IPv4" && !i.internal)?.address ?? "127.0.0.1";
const port = process.env.HTTP_PORT ?? "8080";
try {
  const res = await fetch(`http://${address}:${port}/healthz`, { signal: AbortSignal.timeout(4_000) });
  process.exit(res.ok ? 0 : 1);
} catch {
  console.error(`nothing answers on ${address}:${port}, the address the published port leads to (HTTP_HOST must be 0.0.0.0 in a container)`);
  process.exit(1);
}
