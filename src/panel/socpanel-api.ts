/**
 * SocPanel private API wire shapes: GET with a query string, the token as a query parameter.
 * Parts marked "unconfirmed" come from integrations, not the vendor; correct them here.
 */
import { z } from "zod";

export const SOCPANEL_PATHS = {
  increment: "/privateApi/incrementUserBalance",
  decrement: "/privateApi/decrementUserBalance",
} as const;

/** The panel documents `amount` as "Integer" while integrations send 2 decimals: which it takes is unconfirmed. */
export type SocPanelAmountFormat = "decimal" | "integer";

export function socpanelBalanceQuery(token: string, login: string, amount: string): string {
  return new URLSearchParams({ token, login, amount }).toString();
}

export const socpanelOk = z.object({ ok: z.literal(true) });

/** The failure shape is unconfirmed; an explicit `ok: false` is the only refusal recognised, with whatever text it carries. */
export const socpanelRefusal = z.object({
  ok: z.literal(false),
  error: z.unknown().optional(),
  message: z.unknown().optional(),
});
