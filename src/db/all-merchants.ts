/**
 * PostgreSQL's row-level security on the money tables (migration 012) lets a connection see every merchant's rows
 * only when it says it acts for all of them: the application's pool and the migrator do (the workers and the hot
 * path serve every merchant); a merchant's own reads set `app.merchant_id` instead.
 */
export const ALL_MERCHANTS = "-c app.scope=all";
