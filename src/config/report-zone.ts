/** Reports, their CSV, the daily summary and the report rollup's days use this zone; Cambodia keeps UTC+7 all year. */
export const REPORT_TIME_ZONE = "Asia/Phnom_Penh";
/**
 * The zone's offset, whole hours with no daylight saving: every local day and hour is a run of whole UTC
 * hours, so totals kept per UTC hour or local day (src/jobs/report-rollup.ts) add up to any local day exactly.
 */
export const REPORT_UTC_OFFSET_HOURS = 7;
