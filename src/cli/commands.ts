import type { ManualCreditRefusal, RecreditOutcome } from "../admin/admin-service.js";
import { takeOption } from "../admin/admin-words.js";
import { migrate } from "../db/migrate.js";
import { describeOpenError, prepareSqliteFolder } from "../db/open-errors.js";
import { dialectOf, sqlitePath } from "../db/url.js";
import { amountFormat, readAmount, readAmountAndReason } from "../admin/amount-words.js";
import { manualCreditLimit } from "../admin/manual-credit-limit.js";
import { createPlatformReport } from "../admin/platform-report.js";
import { formatMoney } from "../money/money.js";
import { backupCommand } from "./backup.js";
import { checkCommand } from "./check.js";
import { findText } from "./find-text.js";
import { linkForCommand } from "./link-for.js";
import { merchantCommand } from "./merchant.js";
import { pendingTable } from "./pending-table.js";
import { platformReportTable } from "./platform-report-text.js";
import { planProblemText, refundOutcomeText, refundPlanText } from "./refund-text.js";
import { reportText } from "./report-text.js";
import { rotateMasterKeyCommand } from "./rotate-master-key.js";
import { UsageError, type Command, type CommandContext } from "./command.js";

/** The admin id operator CLI actions are audited under. */
export const OPERATOR_ID = 0n;

const PERIODS = "today | yesterday | 7d | 30d | YYYY-MM-DD..YYYY-MM-DD; default today";
/** `report` of every shop (a platform's operator), and as JSON. */
const ALL_FLAG = "--all";
const JSON_FLAG = "--json";
/** Without this flag `refund` only shows what it would do, and `credit` does nothing above TOPUP_MAX. */
const CONFIRM_FLAG = "--yes";

async function periodOf(text: string | undefined, ctx: CommandContext) {
  const { admin } = await ctx.services();
  const period = admin.parsePeriod(text);
  if (!period) throw new UsageError(`not a period: "${text}"`);
  return { admin, period };
}

const COMMANDS: Record<string, Command> = {
  check: checkCommand,
  backup: backupCommand,
  "link-for": linkForCommand,
  merchant: merchantCommand,
  "rotate-master-key": rotateMasterKeyCommand,
  report: {
    args: "[period] [--all [--json]]",
    summary: `totals of the period: paid, refunded, net, by provider (${PERIODS}); --all: one row per shop of a platform (--json: as JSON)`,
    minArgs: 0,
    maxArgs: 3,
    needs: "database",
    async run(all, ctx) {
      const everyShop = all.includes(ALL_FLAG);
      const json = all.includes(JSON_FLAG);
      const words = all.filter((a) => a !== ALL_FLAG && a !== JSON_FLAG);
      if (words.length > 1) throw new UsageError(`report takes one period (got "${words.join(" ")}")`);
      if (json && !everyShop) throw new UsageError(`${JSON_FLAG} goes with ${ALL_FLAG}`);
      const { admin, period } = await periodOf(words[0], ctx);
      if (!everyShop) {
        ctx.print(reportText(await admin.report(period)));
        return 0;
      }
      const report = await createPlatformReport((await ctx.services()).database).report(period);
      ctx.print(json ? JSON.stringify(report, null, 2) : platformReportTable(report));
      return 0;
    },
  },
  export: {
    args: "[period]",
    summary: "top-ups created in the period, as CSV on stdout (same periods as report)",
    minArgs: 0,
    maxArgs: 1,
    needs: "database",
    async run([text], ctx) {
      const { admin, period } = await periodOf(text, ctx);
      // Page by page: stdout to a file or pipe is written synchronously, so memory stays flat.
      for await (const lines of admin.reportCsv(period)) ctx.print(lines.trimEnd());
      return 0;
    },
  },
  pending: {
    args: "",
    summary: "open top-ups and credits held for an admin",
    minArgs: 0,
    maxArgs: 0,
    needs: "database",
    async run(_args, ctx) {
      const { admin } = await ctx.services();
      ctx.print(pendingTable(await admin.pending()));
      return 0;
    },
  },
  find: {
    args: "<reference | provider txn id | @username | telegram id | login>",
    summary: "a top-up with its timeline, payments by transaction id (orphans too), or a customer with their latest top-ups",
    minArgs: 1,
    maxArgs: 1,
    needs: "database",
    async run([query], ctx) {
      const { admin } = await ctx.services();
      const found = await admin.find(query!);
      ctx.print(findText(found, query!, ctx.config.panel.currency));
      return found.kind === "none" ? 1 : 0;
    },
  },
  migrate: {
    args: "",
    summary: "create the database or apply its pending migrations (the bot also does at start); the only command that does",
    minArgs: 0,
    maxArgs: 0,
    needs: "database",
    async run(_args, ctx) {
      const url = ctx.config.runtime.databaseUrl;
      let ran: string[];
      try {
        if (dialectOf(url) === "sqlite") prepareSqliteFolder(sqlitePath(url));
        ran = await migrate(url);
      } catch (err) {
        throw describeOpenError(url, err);
      }
      ctx.print(ran.length === 0 ? "database is up to date" : ran.map((name) => `applied ${name}`).join("\n"));
      return 0;
    },
  },
  recredit: {
    args: "<reference> [--to <login> | --landed] [reason]",
    summary: `queue a top-up's held credit again, to the login it was paid for (--to: another, audited; --landed: you found its memo on the panel, mark it done, send nothing); the rest of the line is the reason (audited as admin ${OPERATOR_ID})`,
    minArgs: 1,
    maxArgs: Infinity,
    needs: "outside",
    async run(all, ctx) {
      const landed = all.includes("--landed");
      const to = takeOption(all.filter((a) => a !== "--landed"), "--to");
      if (!to.ok) throw new UsageError("--to needs the panel login to credit instead of the one it was paid for");
      if (landed && to.value !== undefined) throw new UsageError("--landed and --to cannot go together: a credit that landed went to its own login");
      const [reference, ...reason] = to.rest;
      if (reference === undefined) throw new UsageError("recredit needs a reference");
      const { admin, database } = await ctx.services();
      const outcome = await admin.recredit({ reference, adminId: OPERATOR_ID, reason: reason.join(" ") || "operator CLI", ...(to.value === undefined ? {} : { toLogin: to.value }), ...(landed ? { landed } : {}) });
      ctx.print(describeRecredit(reference, outcome, database.dialect === "postgres" ? "now" : "on its next sweep"));
      return outcome.status === "not_found" || outcome.status === "nothing_held" || outcome.status === "orphan" || outcome.status === "lookup_failed" ? 1 : 0;
    },
  },
  credit: {
    args: `<login> <amount> [--orphan <txn>] <reason> [${CONFIRM_FLAG}]`,
    summary: `queue a credit of <amount> (panel currency) to a panel login by hand (--orphan: it settles that payment without a top-up, once); the rest of the line is the reason (audited); above TOPUP_MAX only with ${CONFIRM_FLAG}`,
    minArgs: 3,
    maxArgs: Infinity,
    needs: "outside",
    async run(all, ctx) {
      const confirmed = all.includes(CONFIRM_FLAG);
      const orphan = takeOption(all.filter((a) => a !== CONFIRM_FLAG), "--orphan");
      if (!orphan.ok) throw new UsageError("--orphan needs the transaction id of the payment this credit settles");
      const [login, amountText, ...reason] = orphan.rest;
      const currency = ctx.config.panel.currency;
      const amountMinor = readAmount(amountText ?? "", currency);
      if (amountMinor === undefined) throw new UsageError(`not an amount: "${amountText ?? ""}" (${amountFormat(currency)})`);
      if (login === undefined || reason.length === 0) throw new UsageError("credit needs a login, an amount and a reason");
      const limit = manualCreditLimit(ctx.config);
      if (amountMinor > limit && !confirmed) {
        ctx.print(`${formatMoney(amountMinor, currency)} is more than the largest top-up (TOPUP_MAX, ${formatMoney(limit, currency)}): nothing credited; run it again with ${CONFIRM_FLAG} if that amount is meant`);
        return 1;
      }
      const { admin, database } = await ctx.services();
      const outcome = await admin.manualCredit({ login, amountMinor, reason: reason.join(" "), adminId: OPERATOR_ID, ...(orphan.value === undefined ? {} : { orphan: orphan.value }) });
      if (outcome.status !== "queued") {
        ctx.print(manualCreditRefusalText(outcome, orphan.value ?? ""));
        return 1;
      }
      const when = database.dialect === "postgres" ? "now" : "on its next sweep";
      ctx.print(`queued credit #${outcome.creditId}: ${formatMoney(amountMinor, currency)} to ${login}, memo "${outcome.memo}": the running bot's crediter applies it ${when}; if no bot is running, at the next start`);
      return 0;
    },
  },
  refund: {
    args: `<reference> [amount] [reason] [${CONFIRM_FLAG}]`,
    summary: `show the refund plan (default: all that is left); with ${CONFIRM_FLAG}, refund (provider API or by hand) and take the credit back (audited)`,
    minArgs: 1,
    maxArgs: Infinity,
    needs: "outside",
    async run(all, ctx) {
      const confirmed = all.includes(CONFIRM_FLAG);
      const [reference, ...rest] = all.filter((a) => a !== CONFIRM_FLAG);
      const { admin } = await ctx.services();
      const first = await admin.planRefund(reference!);
      if (!first.ok) {
        ctx.print(planProblemText(first, reference!));
        return 1;
      }
      const read = readAmountAndReason(rest, first.plan.currency);
      if (!read.ok) throw new UsageError(`not an amount: "${read.text}" (${amountFormat(first.plan.currency)}); nothing refunded`);
      const { amountMinor } = read;
      const reason = read.reason.join(" ") || "operator CLI";
      const planned = amountMinor === undefined ? first : await admin.planRefund(reference!, amountMinor);
      if (!planned.ok) {
        ctx.print(planProblemText(planned, reference!));
        return 1;
      }
      ctx.print(refundPlanText(planned.plan, reason));
      if (!confirmed) {
        ctx.print(`nothing refunded yet: run it again with ${CONFIRM_FLAG} to refund`);
        return 0;
      }
      const result = await admin.refund({
        reference: reference!, reason, adminId: OPERATOR_ID, expectedRefundedMinor: planned.plan.refundedBeforeMinor, ...(amountMinor === undefined ? {} : { amountMinor }),
      });
      if ("refundId" in result) {
        ctx.print(refundOutcomeText(result));
        return result.stopped ? 1 : 0;
      }
      ctx.print(planProblemText(result, reference!));
      return 1;
    },
  },
};

export function findCommand(name: string): Command | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => [`${name} ${c.args}`.trim(), c.summary]);
  lines.push(["help, --help", "this text"]);
  const width = Math.max(...lines.map(([left]) => left!.length));
  return [
    "usage: npm run cli -- <command>   (compiled: node dist/cli.js <command>)",
    "",
    ...lines.map(([left, right]) => `  ${left!.padEnd(width)}  ${right}`),
    "",
    "report, export, pending, find, migrate and backup need only DATABASE_URL; the others need the",
    "bot's full configuration (they may call the panel or a provider). Reads .env like the bot.",
    "Every command but migrate needs an existing database migrated by this version; report, export, pending",
    "and find open it read-only. merchant and rotate-master-key run a platform (README, \"Running a platform\"):",
    "they need DATABASE_URL, PUBLIC_URL and MASTER_KEY.",
    "--merchant <id | name> (any command): act for that merchant's shop; the environment merchant (`default`) without it.",
    "Exit codes: 0 done, 1 the command failed or found nothing, 2 bad usage or configuration.",
  ].join("\n");
}

function describeRecredit(reference: string, outcome: RecreditOutcome, when: string): string {
  switch (outcome.status) {
    case "queued":
      return `queued credit #${outcome.creditId} of ${reference} again: the running bot's crediter applies it ${when}; if no bot is running, it is applied at the next start`;
    case "found_on_panel":
      return `credit #${outcome.creditId} of ${reference} was already on the panel: marked credited, nothing sent`;
    case "already_credited":
      return `${reference} is already credited: nothing to do`;
    case "nothing_held":
      return `${reference} has no held credit: nothing to re-credit`;
    case "orphan":
      return `${reference} is a payment without a top-up of ours: credit it to the right login with \`credit\``;
    case "not_found":
      return `no top-up with reference ${reference}`;
    case "lookup_failed":
      return `nothing sent: the panel's payment list could not be read to check whether ${reference} already landed (${outcome.message}); try again later`;
  }
}

function manualCreditRefusalText(r: ManualCreditRefusal, orphan: string): string {
  if (r.status === "already_settled") return `payment ${orphan} was already settled by credit #${r.creditId}: nothing queued`;
  if (r.status === "ambiguous_orphan") return `several payments without a top-up match ${orphan}: nothing queued; /find ${orphan} lists them`;
  return `no payment without a top-up matches ${orphan}: nothing queued`;
}
