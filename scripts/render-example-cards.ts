// Renders docs/card-usd.png and docs/card-khr.png: `npx tsx scripts/render-example-cards.ts`
import { mkdirSync, writeFileSync } from "node:fs";
import { renderKhqrCard } from "../src/payments/card/index.js";
import { encodeKhqr, type KhqrCurrency } from "../src/khqr/index.js";

const createdAt = Date.UTC(2025, 10, 20, 9, 30);
const examples: { file: string; currency: KhqrCurrency; amountMinor: number; merchantName: string }[] = [
  { file: "card-usd.png", currency: "USD", amountMinor: 1_000, merchantName: "Sokha Coffee" },
  { file: "card-khr.png", currency: "KHR", amountMinor: 40_000, merchantName: "ហាងកាហ្វេ សុខា" },
];

const docs = new URL("../docs/", import.meta.url);
mkdirSync(docs, { recursive: true });
for (const { file, currency, amountMinor, merchantName } of examples) {
  const qr = encodeKhqr({
    account: { kind: "individual", bakongAccountId: "sokha_chan@aclb" },
    merchantName: "Sokha Coffee",
    merchantCity: "Phnom Penh",
    currency,
    amountMinor,
    billNumber: "TOPUP-000123",
    createdAt,
    expiresAt: createdAt + 10 * 60_000,
  });
  writeFileSync(new URL(file, docs), await renderKhqrCard({ qr, merchantName, amountMinor, currency }));
  console.log(`docs/${file}`);
}
