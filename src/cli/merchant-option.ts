import { takeOption } from "../admin/admin-words.js";
import { DEFAULT_MERCHANT_ID } from "../db/merchant-scope.js";
import { UsageError } from "./command.js";

/** The environment merchant's name: what a single-shop deployment is called once it hosts more. */
const DEFAULT_MERCHANT_NAME = "default";

/**
 * `--merchant <id | name>`, taken out of a command's words: the merchant its admin actions act for (the
 * environment merchant without it). Until merchants are stored by name, a merchant is named by its id.
 */
export function takeMerchant(words: readonly string[]): { merchantId: number; rest: string[] } {
  const taken = takeOption(words, "--merchant");
  if (!taken.ok) throw new UsageError("--merchant needs a merchant's id or name");
  if (taken.value === undefined || taken.value === DEFAULT_MERCHANT_NAME) return { merchantId: DEFAULT_MERCHANT_ID, rest: taken.rest };
  if (!/^[1-9]\d{0,8}$/.test(taken.value)) throw new UsageError(`unknown merchant: ${taken.value}`);
  return { merchantId: Number(taken.value), rest: taken.rest };
}
