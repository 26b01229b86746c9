export { createFakeTelegram, type FakeTelegram, type FakeTelegramOptions } from "./client.js";
export type { BotDriver, ClickOptions, FakeGroup, FakeUser, MessageOptions, UpdateOptions } from "./driver.js";
export { Registry, type BotOptions } from "./registry.js";
export type { CallbackAnswer, CallRecord, CommandsEntry, FakeEvent } from "./state.js";
export type { ChatMessage, DocumentView, PhotoView } from "./view.js";
export { createApp } from "./server.js";
