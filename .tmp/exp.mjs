import Sqlite from "better-sqlite3";
const db = new Sqlite(":memory:");
db.exec(`CREATE TABLE c ("merchantId" INTEGER, "currency" TEXT, "day" TEXT, "userId" INTEGER, "count" INTEGER, "sumMinor" INTEGER, "firstAt" TEXT, PRIMARY KEY ("merchantId","currency","day","userId")) WITHOUT ROWID`);
const ins = db.prepare(`INSERT OR IGNORE INTO c VALUES (1,'USD',?,?,1,?,?)`);
db.transaction(() => { for (let i = 1; i <= 1_000_000; i++) { const day = new Date(Date.UTC(2026,0,1) + Math.floor(i/11111)*86400000).toISOString(); ins.run(day, 1 + (i*7919)%50000, 100 + (i*37)%5000, day); } })();
console.log(db.prepare("select count(*) n from c").get());
const from = new Date(Date.UTC(2026,0,1) + 60*86400000).toISOString(), to = new Date(Date.UTC(2026,0,1) + 90*86400000).toISOString();
const q = db.prepare(`SELECT "userId", sum("count") AS n, sum("sumMinor") AS s, min("firstAt") AS f FROM c WHERE "merchantId"=1 AND "currency"='USD' AND "day">=? AND "day"<? GROUP BY "userId" ORDER BY s DESC, f, "userId" LIMIT 5`);
for (let k = 0; k < 4; k++) { const t = performance.now(); const r = q.all(from, to); console.log((performance.now()-t).toFixed(0), "ms", r[0]); }
