import type { MerchantDatabase } from "../db/merchant-scope.js";
import type { Wakeup } from "../db/wakeup.js";
import type { BonusPolicy } from "../ledger/bonus-credit.js";
import type { Logger } from "../logger.js";
import type { Currency } from "../money/money.js";
import type { Providers } from "../payments/topups.js";
import type { PanelClient } from "../panel/panel-client.js";
import type { AdminService } from "./admin-service.js";
import { createAdminCredits } from "./credits.js";
import { createLookup } from "./lookup.js";
import { parsePeriod } from "./period.js";
import { createRefunds } from "./refunds.js";
import { createReportExport } from "./report-export.js";
import { reportChartPng } from "./report-chart.js";
import { createReports } from "./reports.js";

export interface AdminServiceDeps {
  /** The merchant's view of the database (src/db/merchant-scope.ts forMerchant): the service sees and changes only its rows. */
  database: MerchantDatabase;
  providers: Providers;
  panel: PanelClient;
  wakeup: Wakeup;
  topUpCurrency: Currency;
  panelCurrency: Currency;
  khrPerUsd: number;
  /** ADMIN_CHAT_ID, else ADMIN_IDS: where the admin services' notes go. */
  adminChats: readonly bigint[];
  /** TOPUP_BONUS: a held payment credit an admin finds on the panel earns its bonus as the crediter's would. */
  bonus?: BonusPolicy;
  log: Logger;
  now?: () => Date;
}

export function createAdminService(deps: AdminServiceDeps): AdminService {
  const refunds = createRefunds(deps);
  const reports = createReports({ database: deps.database, currency: deps.topUpCurrency, panelCurrency: deps.panelCurrency });
  const lookup = createLookup(deps);
  const credits = createAdminCredits(deps);
  return {
    planRefund: refunds.planRefund,
    refund: refunds.refund,
    refundAnyway: refunds.refundAnyway,
    confirmReturned: refunds.confirmReturned,
    pendingRefunds: refunds.pendingRefunds,
    parsePeriod,
    report: reports.report,
    reportCsv: createReportExport({ database: deps.database, panelCurrency: deps.panelCurrency }).reportCsv,
    reportChartPng: async (report) => reportChartPng(report),
    find: lookup.find,
    pending: lookup.pending,
    recredit: credits.recredit,
    releaseHeld: credits.releaseHeld,
    manualCredit: credits.manualCredit,
  };
}
