import type { RecreditOutcome } from "../admin/admin-service.js";
import { parsePeriod } from "../admin/period.js";
import type { Config } from "../config/config.js";
import { migrate } from "../db/migrate.js";
import type { Logger } from "../logger.js";
import { pendingTable } from "./pending-table.js";
import type { Services } from "./services.js";

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
  /** Returns the exit code. */
  run(args: string[], ctx: CommandContext): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  report: {
    args: "[period]",
    summary: "top-ups created in the period, as CSV (today | yesterday | 7d | 30d | YYYY-MM-DD..YYYY-MM-DD; default today)",
    minArgs: 0,
    maxArgs: 1,
    async run([text], ctx) {
      const period = parsePeriod(text);
      if (!period) throw new UsageError(`not a period: "${text}"`);
      const { admin } = await ctx.services();
      ctx.print((await admin.reportCsv(period)).trimEnd());
      return 0;
    },
  },
  recredit: {
    args: "<reference> [reason]",
    summary: `queue a top-up's held credit again for the crediter; the rest of the line is the reason (audited as admin ${OPERATOR_ID})`,
    minArgs: 1,
    maxArgs: Infinity,
    async run([reference, ...reason], ctx) {
      const { admin, database } = await ctx.services();
      const outcome = await admin.recredit({ reference: reference!, adminId: OPERATOR_ID, reason: reason.join(" ") || "operator CLI" });
      ctx.print(describeRecredit(reference!, outcome, database.dialect === "postgres" ? "now" : "on its next sweep"));
      return outcome.status === "not_found" || outcome.status === "nothing_held" || outcome.status === "orphan" ? 1 : 0;
    },
  },
  pending: {
    args: "",
    summary: "open top-ups and credits held for an admin",
    minArgs: 0,
    maxArgs: 0,
    async run(_args, ctx) {
      const { admin } = await ctx.services();
      ctx.print(pendingTable(await admin.pending()));
      return 0;
    },
  },
  migrate: {
    args: "",
    summary: "apply pending database migrations",
    minArgs: 0,
    maxArgs: 0,
    async run(_args, ctx) {
      const ran = await migrate(ctx.config.runtime.databaseUrl);
      ctx.print(ran.length === 0 ? "database is up to date" : ran.map((name) => `applied ${name}`).join("\n"));
      return 0;
    },
  },
};

export function findCommand(name: string): Command | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => [`${name} ${c.args}`.trim(), c.summary]);
  lines.push(["help", "this text"]);
  const width = Math.max(...lines.map(([left]) => left!.length));
  return ["usage: npm run cli -- <command>", "", ...lines.map(([left, right]) => `  ${left!.padEnd(width)}  ${right}`)].join("\n");
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
