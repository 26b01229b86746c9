/**
 * What a global worker (crediter, poller, notifier) knows of the merchants it serves: their ids, and each one's
 * part (its panel, providers, bot…) looked up by the `merchantId` of the row it claimed. A row of a merchant this
 * process does not serve (removed, or not yet picked up) is left for later, never dropped.
 */
export interface MerchantResolver<T> {
  get(merchantId: number): T | undefined;
  ids(): readonly number[];
}

/** One merchant (a single shop, or a test): its id, and its part. */
export function oneMerchant<T>(merchantId: number, part: T): MerchantResolver<T> {
  const ids = [merchantId];
  return { get: (id) => (id === merchantId ? part : undefined), ids: () => ids };
}
