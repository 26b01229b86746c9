import type { Update, WebhookInfo } from "grammy/types";
import { ApiError } from "./errors.js";

export type NewUpdate = Omit<Update, "update_id">;

export interface Webhook {
  url: string;
  secret_token?: string;
  max_connections: number;
  allowed_updates?: string[];
  last_error_date?: number;
  last_error_message?: string;
}

export interface UpdateHubOptions {
  /** A webhook answer may itself be a method call (`{ method, ...params }`), as Telegram allows. */
  onWebhookReply(method: string, params: Record<string, unknown>): Promise<void>;
  onDeliveryFailed(update: Update, url: string, error: string): void;
  deliveryAttempts: number;
  retryDelayMs: number;
}

// Telegram does not send these unless they are asked for in allowed_updates.
const OPT_IN = new Set(["chat_member", "message_reaction", "message_reaction_count"]);
const conflictWebhook = () =>
  new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
const conflictPoll = () =>
  new ApiError(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running");

interface Poller {
  wake(): void;
  terminate(error: ApiError | undefined): void;
}

/** The update queue of one bot: long polling, webhook delivery with per-chat order. */
export class UpdateHub {
  webhook: Webhook | undefined;
  private allowed: string[] | undefined;
  private queue: Update[] = [];
  private nextId = 100_000_001;
  private poller: Poller | undefined;
  private readonly chains = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stop = new AbortController();

  constructor(private readonly options: UpdateHubOptions) {}

  push(fields: NewUpdate, deliverTo?: string): Update {
    const update = { update_id: this.nextId++, ...fields } as Update;
    const allowed = this.webhook ? this.webhook.allowed_updates : this.allowed;
    const type = Object.keys(fields)[0] ?? "";
    if (allowed && allowed.length > 0 ? !allowed.includes(type) : OPT_IN.has(type)) return update;
    const url = deliverTo ?? this.webhook?.url;
    if (url) this.deliver(update, url);
    else {
      this.queue.push(update);
      this.poller?.wake();
    }
    return update;
  }

  async getUpdates(
    query: { offset?: number; limit?: number; timeout?: number; allowed_updates?: string[] },
    signal: AbortSignal,
  ): Promise<Update[]> {
    if (this.webhook) throw conflictWebhook();
    if (query.allowed_updates) this.allowed = query.allowed_updates;
    this.confirm(query.offset);
    this.poller?.terminate(conflictPoll());
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 100);
    const timeout = query.timeout ?? 0;
    if (this.queue.length > 0 || timeout <= 0) return this.queue.slice(0, limit);
    return new Promise<Update[]>((resolve, reject) => {
      const finish = (error?: ApiError) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        if (this.poller === poller) this.poller = undefined;
        if (error) reject(error);
        else resolve(this.queue.slice(0, limit));
      };
      const poller: Poller = {
        wake: () => finish(this.webhook ? conflictWebhook() : undefined),
        terminate: (error) => finish(error),
      };
      const onAbort = () => finish();
      const timer = setTimeout(() => finish(), timeout * 1000);
      signal.addEventListener("abort", onAbort);
      this.poller = poller;
    });
  }

  setWebhook(webhook: Webhook, dropPending: boolean): void {
    this.webhook = webhook;
    const pending = dropPending ? [] : this.queue;
    this.queue = [];
    for (const update of pending) this.deliver(update, webhook.url);
    this.poller?.wake();
  }

  deleteWebhook(dropPending: boolean): void {
    this.webhook = undefined;
    if (dropPending) this.queue = [];
  }

  info(): WebhookInfo {
    const w = this.webhook;
    return {
      url: w?.url ?? "",
      has_custom_certificate: false,
      pending_update_count: this.queue.length + this.inFlight.size,
      ...(w ? { max_connections: w.max_connections, ip_address: "127.0.0.1" } : {}),
      ...(w?.allowed_updates ? { allowed_updates: w.allowed_updates } : {}),
      ...(w?.last_error_date ? { last_error_date: w.last_error_date, last_error_message: w.last_error_message ?? "" } : {}),
    } as WebhookInfo;
  }

  /** Resolves once every webhook delivery started so far has finished (or given up). */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  close(): void {
    this.stop.abort();
    this.poller?.terminate(undefined);
  }

  private confirm(offset: number | undefined): void {
    if (offset === undefined) return;
    this.queue = offset < 0 ? this.queue.slice(offset) : this.queue.filter((u) => u.update_id >= offset);
  }

  private deliver(update: Update, url: string): void {
    const key = chatKey(update);
    // Each chat gets a chain so its updates arrive in order; different chats go in parallel.
    const run = (this.chains.get(key) ?? Promise.resolve()).then(() => this.post(update, url));
    this.chains.set(key, run);
    this.inFlight.add(run);
    void run.finally(() => {
      this.inFlight.delete(run);
      if (this.chains.get(key) === run) this.chains.delete(key);
    });
  }

  private async post(update: Update, url: string): Promise<void> {
    const { deliveryAttempts, retryDelayMs } = this.options;
    let lastError = "";
    for (let attempt = 0; attempt < deliveryAttempts && !this.stop.signal.aborted; attempt++) {
      if (attempt > 0) await sleep(retryDelayMs * 2 ** (attempt - 1), this.stop.signal);
      try {
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (this.webhook?.secret_token) headers["x-telegram-bot-api-secret-token"] = this.webhook.secret_token;
        const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(update), signal: this.stop.signal });
        const body = await res.text();
        if (res.ok) {
          await this.webhookReply(body);
          return;
        }
        lastError = `Wrong response from the webhook: ${res.status} ${res.statusText}`;
      } catch (error) {
        if (this.stop.signal.aborted) return;
        lastError = `Connection failed: ${error instanceof Error ? error.message : String(error)}`;
      }
      if (this.webhook) Object.assign(this.webhook, { last_error_date: Math.floor(Date.now() / 1000), last_error_message: lastError });
    }
    if (!this.stop.signal.aborted) this.options.onDeliveryFailed(update, url, lastError);
  }

  private async webhookReply(body: string): Promise<void> {
    if (!body.trimStart().startsWith("{")) return;
    try {
      const reply = JSON.parse(body) as Record<string, unknown>;
      if (typeof reply.method === "string") await this.options.onWebhookReply(reply.method, reply);
    } catch {
      // Telegram ignores webhook answers it cannot use.
    }
  }
}

function chatKey(update: Update): string {
  const chat = update.message?.chat ?? update.edited_message?.chat ?? update.callback_query?.message?.chat;
  return String(chat?.id ?? update.callback_query?.from.id ?? "other");
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}
