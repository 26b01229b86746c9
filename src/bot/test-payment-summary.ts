import { stepDurations, type TestPaymentSteps } from "../platform/test-payments.js";
import type { Translate } from "./i18n.js";

/** "380 ms" under a second, else "2.4 s". */
function duration(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A test payment's steps, each timed from the one before, and the system's part (the payer's time left out). */
export function testPaymentSummary(t: Translate, steps: TestPaymentSteps): string {
  const d = stepDurations(steps);
  return t("testpay-summary", {
    reference: steps.reference, shown: duration(d.shown), paid: duration(d.paid), credited: duration(d.credited), receipt: duration(d.receipt), system: duration(d.system),
  });
}
