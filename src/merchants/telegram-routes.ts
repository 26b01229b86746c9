import type { Hono } from "hono";
import { constantTimeEqual } from "../payments/providers/constant-time.js";
import type { MerchantRegistry } from "./registry.js";

const SECRET_HEADER = "x-telegram-bot-api-secret-token";

/**
 * A platform's merchants' bots: Telegram posts each one's updates to `/telegram/<routeKey>` with its secret_token.
 * An unknown key is a 404 from memory (no query, nothing kept). A disabled merchant's updates are answered 200 and
 * dropped once its secret_token checks, so Telegram does not pile up redeliveries for when it is enabled again.
 */
export function mountMerchantTelegram(app: Hono, registry: MerchantRegistry): void {
  app.post("/telegram/:routeKey", (c, next) => {
    const merchant = registry.byRouteKey(c.req.param("routeKey"));
    if (!merchant) return c.json({ ok: false, error: "not found" }, 404);
    if (merchant.state === "active") return merchant.telegram(c, next);
    if (!constantTimeEqual(c.req.header(SECRET_HEADER) ?? "", merchant.config.bot.webhookSecret ?? "")) return c.json({ ok: false, error: "wrong secret token" }, 401);
    return c.json({ ok: true, ignored: "merchant disabled" });
  });
}
