// The sandbox page: three chats, the bank app and the panel, kept current by long polling.
import { Bank } from "./bank.js";
import { ChatView } from "./chat.js";
import { api } from "./dom.js";
import { follow, offline } from "./live.js";
import { PanelView } from "./panel.js";
import { Tabs } from "./tabs.js";

const $ = (selector) => document.querySelector(selector);
const chats = {};

async function start() {
  const info = await api("/info");
  document.title = `${info.bot.name} · Sandbox`;
  $("#bot-name").textContent = info.bot.name;
  $("#customer-as").textContent = `@${info.bot.username} · you are ${info.customer.first_name}, a customer`;
  $("#platform-link").hidden = info.platform === null;
  const bank = new Bank();
  const panel = new PanelView("shop", $(".panel-card"));
  const hooks = { onUrlButton: (url, message) => bank.openInBank(url, message) };
  for (const name of ["customer", "admin", "group"]) chats[name] = new ChatView(name, hooks);
  document.querySelector('.tab[data-tab="group"]').firstChild.textContent = `👥 ${info.group.title} `;
  const tabs = new Tabs($(".admin-card"), chats, "admin");

  const changed = () => Promise.all([bank.refresh(), panel.refresh()]);
  await Promise.all([follow("shop", chats, { changed, grew: (name) => tabs.badge(name) }), changed()]);
  document.body.classList.add("ready");
  // The panel and top-ups for changes that send no Telegram message.
  setInterval(() => void changed().catch(() => {}), 4000);
}

start().catch(offline);
