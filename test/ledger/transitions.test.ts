import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { moveCredit, moveTopUp } from "../../src/ledger/moves.js";
import { allowedFrom, assertMove, canMove, IllegalTransition, parseState, TRANSITIONS } from "../../src/ledger/transitions.js";
import { CreditStatus, TopUpStatus } from "../../src/ledger/states.js";
import { userFor } from "../support/core.js";
import { dialects, type TestDatabase } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID } from "../../src/db/merchant-scope.js";

describe("the transition table", () => {
  it("names every state of each machine, and only those, as targets", () => {
    for (const table of Object.values(TRANSITIONS)) {
      const states = Object.keys(table);
      for (const targets of Object.values(table) as readonly string[][]) for (const t of targets) expect(states).toContain(t);
    }
    expect(Object.keys(TRANSITIONS.topUp).sort()).toEqual(Object.values(TopUpStatus).sort());
    expect(Object.keys(TRANSITIONS.credit).sort()).toEqual(Object.values(CreditStatus).sort());
  });

  it("money paid is never un-paid: no way back to PENDING, nothing leaves REFUNDED, DONE or CANCELLED", () => {
    expect(allowedFrom("topUp", TopUpStatus.PENDING)).toEqual([]);
    expect(TRANSITIONS.topUp.REFUNDED).toEqual([]);
    expect(TRANSITIONS.credit.DONE).toEqual([]);
    expect(TRANSITIONS.credit.CANCELLED).toEqual([]);
    expect(canMove("topUp", TopUpStatus.CREDITED, TopUpStatus.HELD)).toBe(false);
    expect(() => assertMove("credit", CreditStatus.DONE, CreditStatus.QUEUED, 7)).toThrow(/illegal credit transition DONE → QUEUED \(id 7\)/);
  });

  it("reads a status column into a typed value once, refusing unknown ones", () => {
    expect(parseState("topUp", "HELD")).toBe("HELD");
    expect(() => parseState("credit", "SENT")).toThrow(/unknown credit status "SENT"/);
  });
});

for (const dialect of dialects) {
  describe.runIf(dialect.enabled)(`guarded moves on ${dialect.name}`, () => {
    let database: TestDatabase;
    let userId: number;
    let seq = 0;
    beforeAll(async () => {
      database = await dialect.fresh();
      userId = await userFor(database, "moves");
    });
    afterAll(async () => {
      await database?.drop();
    });

    const topUpIn = (status: string) =>
      database.db.topUp.create({
        data: { reference: `MV-${++seq}`, userId, chatId: 1n, provider: "bakong", currency: "USD", amountMinor: 100, panelLogin: "moves", status, expiresAt: new Date(Date.now() + 60_000) },
      });

    it("an allowed move happens; a move the table forbids does not, and fails loudly when required", async () => {
      const t = await topUpIn(TopUpStatus.PAID);
      expect(await moveTopUp(database.db, t.id, TopUpStatus.CREDITED, { creditedAt: new Date() })).toBe(true);
      expect(await moveTopUp(database.db, t.id, TopUpStatus.HELD)).toBe(false);
      await expect(moveTopUp(database.db, t.id, TopUpStatus.EXPIRED, {}, { required: true })).rejects.toThrow(IllegalTransition);
      expect((await database.db.topUp.findUniqueOrThrow({ where: { id: t.id } })).status).toBe(TopUpStatus.CREDITED);
    });

    it("a narrower source set must be allowed by the table", async () => {
      const t = await topUpIn(TopUpStatus.PENDING);
      await expect(moveTopUp(database.db, t.id, TopUpStatus.PAID, {}, { from: [TopUpStatus.CREDITED] })).rejects.toThrow(/CREDITED → PAID/);
      expect(await moveTopUp(database.db, t.id, TopUpStatus.PAID, {}, { from: [TopUpStatus.PENDING] })).toBe(true);
    });

    it("a credit already DONE cannot be queued again", async () => {
      const credit = await database.db.credit.create({
        data: { panelLogin: "moves", amountMinor: 1, currency: "USD", memo: `MV memo ${++seq}`, kind: "manual", status: CreditStatus.DONE, nextAttemptAt: new Date(), createdAt: new Date() },
      });
      await expect(moveCredit(database.db, credit.id, CreditStatus.QUEUED, {}, { required: true })).rejects.toThrow(/DONE → QUEUED/);
      expect(await moveCredit(database.db, credit.id, CreditStatus.HELD)).toBe(false);
    });

    const creditIn = (status: string, nextAttemptAt = new Date(Date.now() - 1_000)) =>
      database.db.credit.create({
        data: { panelLogin: "moves", amountMinor: 1, currency: "USD", memo: `MV memo ${++seq}`, kind: "manual", status, nextAttemptAt, createdAt: new Date() },
      });

    it("the hot path finishes only a claimed credit: a HELD one is an illegal transition, one of the same batch still lands", async () => {
      const held = await creditIn(CreditStatus.HELD);
      const sending = await creditIn(CreditStatus.SENDING);
      const finish = (id: number) => database.hot.credits.finish({ ...held, id, status: CreditStatus.SENDING }, { panelPaymentId: "P-1" }, new Date(), { bonus: undefined, adminChats: [] });
      const [refused, landed] = await Promise.allSettled([finish(held.id), finish(sending.id)]);
      expect(refused.status === "rejected" && refused.reason).toBeInstanceOf(IllegalTransition);
      expect(landed).toEqual({ status: "fulfilled", value: { topUpId: null, bonusQueued: 0, provider: null } });
      expect((await database.db.credit.findUniqueOrThrow({ where: { id: held.id } })).status).toBe(CreditStatus.HELD);
      expect(await database.db.credit.findUniqueOrThrow({ where: { id: sending.id } })).toMatchObject({ status: CreditStatus.DONE, panelPaymentId: "P-1" });
    });

    it("one claim takes RECONCILE credits before a backlog of QUEUED ones, each once, oldest first", async () => {
      await database.db.credit.updateMany({ where: { status: { in: [CreditStatus.QUEUED, CreditStatus.RECONCILE] } }, data: { status: CreditStatus.CANCELLED } });
      const old = Date.now() - 60_000;
      const queued = [];
      for (let i = 0; i < 3; i++) queued.push(await creditIn(CreditStatus.QUEUED, new Date(old + i)));
      const reconcile = await creditIn(CreditStatus.RECONCILE, new Date(old + 10));
      const claim = (limit: number) => database.hot.credits.claim({ instanceId: "moves", at: new Date(), leaseMs: 60_000, limit, room: new Map([[DEFAULT_MERCHANT_ID, limit]]) });
      const byId = <T extends { id: number }>(list: T[]) => [...list].sort((a, b) => a.id - b.id);
      const first = byId(await claim(2));
      expect(first.map((c) => [c.id, c.claimedAs])).toEqual([[queued[0]!.id, CreditStatus.SENDING], [reconcile.id, CreditStatus.RECONCILE]]);
      expect(first[0]).toMatchObject({ status: CreditStatus.SENDING, claimedBy: "moves", amountMinor: 1, kind: "manual" });
      expect(first[0]!.createdAt).toBeInstanceOf(Date);
      expect(byId(await claim(5)).map((c) => c.id)).toEqual([queued[1]!.id, queued[2]!.id]);
      expect(await claim(5)).toEqual([]);
    });
  });
}
