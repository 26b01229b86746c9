import type { MerchantDatabase } from "../db/merchant-scope.js";
import { decimalString, type Currency } from "../money/money.js";
import { CreditKind, CreditStatus } from "../ledger/states.js";
import type { ReportPeriod } from "./admin-service.js";
import { REPORT_TIME_ZONE } from "../config/report-zone.js";
import { readSql } from "./read-sql.js";

/**
 * Rows per query: a page costs little more than its rows, and memory holds one page (a few hundred KB) however
 * long the period. Each page is its own statement, so no read holds a snapshot (and SQLite's WAL) for the whole export.
 */
const PAGE = 2_000;

type Field = string | number | null | undefined;

function csvField(value: Field): string {
  const text = value === null || value === undefined ? "" : String(value);
  // Leading = + - @ would run as formulas in a spreadsheet.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const csvLine = (fields: readonly Field[]) => fields.map(csvField).join(",");

/** The page query's columns, in order. Times come as text already in the report time zone; counts and sums as the driver gives them. */
type PageRow = [
  id: number | string, createdKey: string, reference: string, created: string, provider: string, status: string, amountMinor: number | string,
  currency: string, telegramId: string, username: string | null, panelLogin: string, paid: string | null, payments: number | string,
  paidMinor: number | string | null, txnIds: string | null, refundedMinor: number | string | null, bonusMinor: number | string | null,
];

/**
 * The CSV of top-ups created in the period, one row each, times in the report time zone (named in the
 * header). Produced a page at a time by keyset on (createdAt, id) off the createdAt index, read as plain
 * arrays from the driver, so the first rows come at once and memory stays flat: each chunk is whole lines, the header first.
 */
export function createReportExport(deps: { database: MerchantDatabase; panelCurrency: Currency; pageRows?: number }) {
  const sql = readSql(deps.database);
  const pageRows = deps.pageRows ?? PAGE;
  const agg = sql.postgres ? "string_agg" : "group_concat";
  const pageSql = `
    SELECT "t"."id", ${sql.timeText(`"t"."createdAt"`)}, "t"."reference", ${sql.localTimeText(`"t"."createdAt"`)}, "t"."provider", "t"."status", "t"."amountMinor",
      "t"."currency", CAST("u"."telegramId" AS TEXT), "u"."username", "t"."panelLogin", ${sql.localTimeText(`"t"."paidAt"`)},
      (SELECT count(*) FROM "payments" WHERE "payments"."topUpId" = "t"."id"),
      (SELECT sum("amountMinor") FROM "payments" WHERE "payments"."topUpId" = "t"."id" AND "payments"."currency" = "t"."currency"),
      (SELECT ${agg}("providerTxnId", ' ' ORDER BY "id") FROM "payments" WHERE "payments"."topUpId" = "t"."id"),
      (SELECT sum("amountMinor") FROM "refunds" WHERE "refunds"."topUpId" = "t"."id"),
      (SELECT sum("amountMinor") FROM "credits" WHERE "credits"."topUpId" = "t"."id" AND "credits"."kind" = '${CreditKind.BONUS}' AND "credits"."status" = '${CreditStatus.DONE}')
    FROM "top_ups" AS "t" JOIN "users" AS "u" ON "u"."id" = "t"."userId"
    WHERE "t"."merchantId" = ? AND "t"."createdAt" >= ${sql.time} AND "t"."createdAt" < ${sql.time} AND ("t"."createdAt" > ${sql.time} OR "t"."id" > ?)
    ORDER BY "t"."createdAt", "t"."id" LIMIT ${pageRows}`;

  const money = (minor: number | string | null, c: Currency) => (minor === null || Number(minor) === 0 ? "" : decimalString(Number(minor), c));
  function line(r: PageRow): string {
    const currency = r[7] as Currency;
    return csvLine([
      r[2], r[3], r[4], r[5], decimalString(Number(r[6]), currency), currency, r[8], r[9], r[10],
      Number(r[12]) > 0 ? decimalString(Number(r[13] ?? 0), currency) : "", r[11] ?? "", r[14] ?? "", money(r[15], currency), money(r[16], deps.panelCurrency),
    ]);
  }

  async function* reportCsv(period: ReportPeriod): AsyncGenerator<string> {
    const zone = `(${REPORT_TIME_ZONE})`;
    yield csvLine([
      "reference", `created_at ${zone}`, "provider", "status", "ordered_amount", "currency", "telegram_id", "username", "panel_login", "paid_amount", `paid_at ${zone}`,
      "provider_transaction_ids", "refunded_amount", `bonus_credited (${deps.panelCurrency})`,
    ]) + "\n";
    const reader = sql.openArrays();
    try {
      let after: { key: string; id: number | string } = { key: sql.at(period.from), id: 0 };
      for (;;) {
        const rows = (await reader.arrays(pageSql, [sql.merchantId, after.key, sql.at(period.to), after.key, after.id])) as PageRow[];
        if (rows.length === 0) return;
        let text = "";
        for (const row of rows) text += line(row) + "\n";
        yield text;
        if (rows.length < pageRows) return;
        const last = rows.at(-1)!;
        after = { key: last[1], id: last[0] };
      }
    } finally {
      reader.close();
    }
  }

  return { reportCsv };
}
