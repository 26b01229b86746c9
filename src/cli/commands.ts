import type { RecreditOutcome } from "../admin/admin-service.js";
import type { Config } from "../config/config.js";
import { migrate } from "../db/migrate.js";
import { describeOpenError, prepareSqliteFolder } from "../db/open-errors.js";
import { dialectOf, sqlitePath } from "../db/url.js";
import type { Logger } from "../logger.js";
import { formatMoney, parseAmount } from "../payments/money.js";
import type { Services } from "../services.js";
import { findText } from "./find-text.js";
import { pendingTable } from "./pending-table.js";
import { planProblemText, refundOutcomeText, refundPlanText } from "./refund-text.js";
import { reportText } from "./report-text.js";

/** The admin id operator CLI actions are audited under. */
export const OPERATOR_ID = 0n;

/** Bad arguments found once the command runs: the runner prints it with the usage and exits 2. */
export class UsageError extends Error {}

export interface CommandContext {
  config: Config;
  log: Logger;
  /** Opens the database and builds the admin service on first use; the runner closes them. */
  services(): Promise<Services>;
  /** Writes a line to stdout. */
  print(text: string): void;
}

export interface Command {
  args: string;
  summary: string;
  minArgs: number;
  maxArgs: number;
  /**
   * "database": reads or changes only the database, so DATABASE_URL is the only variable it needs (credentials
   * that are set are still checked). "outside": calls the panel or a provider, so needs the full configuration.
   */
  needs: "database" | "outside";
  /** Returns the exit code. */
  run(args: string[], ctx: CommandContext): Promise<number>;
}

const PERIODS = "today | yesterday | 7d | 30d | YYYY-MM-DD..YYYY-MM-DD; default today";
/** Refunds move money: without this flag `refund` only shows what it would do. */
const CONFIRM_FLAG = "--yes";

async function periodOf(text: string | undefined, ctx: CommandContext) {
  const { admin } = await ctx.services();
  const period = admin.parsePeriod(text);
  if (!period) throw new UsageError(`not a period: "${text}"`);
  return { admin, period };
}

const COMMANDS: Record<string, Command> = {
  report: {
    args: "[period]",
    summary: `totals of the period: paid, refunded, net, by provider (${PERIODS})`,
    minArgs: 0,
    maxArgs: 1,
    needs: "database",
    async run([text], ctx) {
      const { admin, period } = await periodOf(text, ctx);
      ctx.print(reportText(await admin.report(period)));
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
    summary: "apply pending database migrations (the bot also applies them at start)",
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
    args: "<reference> [reason]",
    summary: `queue a top-up's held credit again for the crediter; the rest of the line is the reason (audited as admin ${OPERATOR_ID})`,
    minArgs: 1,
    maxArgs: Infinity,
    needs: "outside",
    async run([reference, ...reason], ctx) {
      const { admin, database } = await ctx.services();
      const outcome = await admin.recredit({ reference: reference!, adminId: OPERATOR_ID, reason: reason.join(" ") || "operator CLI" });
      ctx.print(describeRecredit(reference!, outcome, database.dialect === "postgres" ? "now" : "on its next sweep"));
      return outcome.status === "not_found" || outcome.status === "nothing_held" || outcome.status === "orphan" ? 1 : 0;
    },
  },
  credit: {
    args: "<login> <amount> <reason>",
    summary: "queue a credit of <amount> (panel currency) to a panel login by hand; the rest of the line is the reason (audited)",
    minArgs: 3,
    maxArgs: Infinity,
    needs: "outside",
    async run([login, amountText, ...reason], ctx) {
      const currency = ctx.config.panel.currency;
      const amount = parseAmount(amountText!, currency);
      if (!amount.ok || amount.minor <= 0) throw new UsageError(`not a positive ${currency} amount: "${amountText}"`);
      const { admin, database } = await ctx.services();
      const { creditId, memo } = await admin.manualCredit({ login: login!, amountMinor: amount.minor, reason: reason.join(" "), adminId: OPERATOR_ID });
      const when = database.dialect === "postgres" ? "now" : "on its next sweep";
      ctx.print(`queued credit #${creditId}: ${formatMoney(amount.minor, currency)} to ${login}, memo "${memo}": the running bot's crediter applies it ${when}; if no bot is running, at the next start`);
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
        ctx.print(planProblemText(first.reason, reference!));
        return 1;
      }
      const amount = rest[0] === undefined ? undefined : parseAmount(rest[0], first.plan.currency);
      const amountMinor = amount?.ok ? amount.minor : undefined;
      const reason = (amount?.ok ? rest.slice(1) : rest).join(" ") || "operator CLI";
      const planned = amountMinor === undefined ? first : await admin.planRefund(reference!, amountMinor);
      if (!planned.ok) {
        ctx.print(planProblemText(planned.reason, reference!));
        return 1;
      }
      ctx.print(refundPlanText(planned.plan, reason));
      if (!confirmed) {
        ctx.print(`nothing refunded yet: run it again with ${CONFIRM_FLAG} to refund`);
        return 0;
      }
      const result = await admin.refund({ reference: reference!, reason, adminId: OPERATOR_ID, ...(amountMinor === undefined ? {} : { amountMinor }) });
      if ("refundId" in result) {
        ctx.print(refundOutcomeText(result));
        return 0;
      }
      ctx.print(planProblemText(result.ok ? "nothing_left" : result.reason, reference!));
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
    "report, export, pending, find and migrate need only DATABASE_URL; recredit, credit and refund need the",
    "bot's full configuration (they may call the panel or a provider). Reads .env like the bot.",
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
  }
}
