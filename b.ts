import { migrate } from "./src/db/migrate.js";
import { buildHistory } from "./bench/support/history-data.js";
import { createPostgresDatabase } from "./test/support/databases.js";
const n = Number(process.argv[2]);
const url = process.argv[3] === "pg" ? (await createPostgresDatabase()).url : `file:/tmp/hist-${n}.db`;
await migrate(url);
const t = performance.now();
await buildHistory(url, { topUps: n, customers: Math.max(1, n / 20), days: 90, end: new Date() });
console.log(url, ((performance.now() - t) / 1000).toFixed(1), "s");
