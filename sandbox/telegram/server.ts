import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { controlRoutes } from "./control.js";
import { callMethod } from "./dispatch.js";
import { ApiError } from "./errors.js";
import { readApiRequest } from "./params.js";
import type { Registry } from "./registry.js";

const notFound = { ok: false, error_code: 404, description: "Not Found" };

/** The HTTP face: the Bot API at /bot<token>/<method>, the driver at /_control/... */
export function createApp(registry: Registry): Hono {
  const app = new Hono();
  app.route("/_control", controlRoutes(registry));
  app.all("/:bot/:method", async (c) => {
    const segment = c.req.param("bot");
    if (!segment.startsWith("bot")) return c.json(notFound, 404);
    const driver = registry.find(segment.slice("bot".length));
    if (!driver) return c.json({ ok: false, error_code: 401, description: "Unauthorized" }, 401);
    let request;
    try {
      request = await readApiRequest(c.req.raw);
    } catch (error) {
      if (error instanceof ApiError) return c.json(error.toJSON(), error.code as ContentfulStatusCode);
      throw error;
    }
    const reply = await callMethod(driver.state, c.req.param("method"), request, c.req.raw.signal);
    return c.json(reply.body, reply.status as ContentfulStatusCode);
  });
  app.notFound((c) => c.json(notFound, 404));
  return app;
}
