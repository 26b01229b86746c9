import type { UserFromGetMe } from "grammy/types";
import { callMethod } from "./dispatch.js";
import { BotDriver } from "./driver.js";
import { BotState } from "./state.js";

export interface BotOptions {
  username?: string;
  first_name?: string;
  /** Privacy mode off: the bot gets every group message. Telegram's default is false. */
  can_read_all_group_messages?: boolean;
}

/** All fake bots of one server, by token. */
export class Registry {
  private readonly drivers = new Map<string, BotDriver>();
  private readonly stop = new AbortController();

  find(token: string): BotDriver | undefined {
    return this.drivers.get(token);
  }

  list(): BotDriver[] {
    return [...this.drivers.values()];
  }

  /** The bot with this token, created on first use. Tokens look like Telegram's: `<bot id>:<secret>`. */
  bot(token: string, options: BotOptions = {}): BotDriver {
    const existing = this.drivers.get(token);
    if (existing) return existing;
    const id = /^(\d{1,15}):[\w-]+$/.exec(token)?.[1];
    if (!id) throw new Error(`token "${token}" does not look like "<bot id>:<secret>"`);
    const me: UserFromGetMe = {
      id: Number(id),
      is_bot: true,
      first_name: options.first_name ?? "Fake Bot",
      username: options.username ?? `fake_${id}_bot`,
      can_join_groups: true,
      can_read_all_group_messages: options.can_read_all_group_messages ?? false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
    };
    const state: BotState = new BotState(token, me, async (method, params) => {
      await callMethod(state, method, { params, files: new Map() }, this.stop.signal);
    });
    const driver = new BotDriver(state);
    this.drivers.set(token, driver);
    return driver;
  }

  close(): void {
    this.stop.abort();
    for (const driver of this.drivers.values()) driver.state.updates.close();
  }
}
