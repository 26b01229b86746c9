// The platform view: the platform's bot (the panel owner's /newshop and the operator's approval), two shops'
// customer chats and panels, and one bank app that pays either shop. One long poll per bot.
import { Bank } from "./bank.js";
import { ChatView } from "./chat.js";
import { PROVIDERS, api, el } from "./dom.js";
import { follow, offline } from "./live.js";
import { PanelView } from "./panel.js";
import { Tabs } from "./tabs.js";

const $ = (selector) => document.querySelector(selector);

/** The owner's answers to /newshop as buttons that fill the message box (secret ones marked 🔒: the bot deletes them). */
function answerChips(answers) {
  const chips = $('.chips[data-chat="owner"]');
  for (const a of answers) chips.append(el("button", { type: "button", class: "answer", dataset: { fill: a.text }, title: a.secret ? "A secret: the bot deletes the message once read" : a.text }, a.secret ? `🔒 ${a.label}` : a.label));
}

function describeShop(shop, bot, note) {
  const root = $(`.shop[data-shop="${shop}"]`);
  root.querySelector(".shop-name").textContent = bot.name;
  root.querySelector(".shop-note").textContent = `@${bot.username} · ${note}`;
  return root;
}

async function start() {
  const info = await api("/info");
  if (!info.platform) throw new Error("this sandbox runs a single shop: start it with `npm run sandbox:platform`");
  const p = info.platform;
  $(".platform-card").title = `The platform's bot, @${p.bot.username}`;
  $('.tab[data-tab="owner2"]').title = `${p.owner.first_name} in the new shop's own bot, @${p.shop2.username}: its admin once it is live`;
  $('.tab[data-tab="owner"]').firstChild.textContent = `🧑‍💼 ${p.owner.first_name}, panel owner `;
  $('.tab[data-tab="operator"]').firstChild.textContent = `🛡️ ${p.operator.first_name}, operator `;
  $('.tab[data-tab="owner2"]').firstChild.textContent = `🏪 ${p.owner.first_name} in the shop `;
  const providers = (list) => list.map((name) => PROVIDERS[name] ?? name).join(", ");
  const shopA = describeShop("shop", info.bot, `you are ${info.customer.first_name} · ${providers(info.providers)}`);
  const shopB = describeShop("shop2", p.shop2, `you are ${p.customer2.first_name} · ${providers(p.shop2.providers)}`);
  answerChips(p.answers);

  const names = { shop: info.bot.name, shop2: p.shop2.name };
  const bank = new Bank((t) => names[t.shop]);
  const panels = [new PanelView("shop", shopA), new PanelView("shop2", shopB)];
  const hooks = { onUrlButton: (url, message) => bank.openInBank(url, message) };
  const chat = (name) => new ChatView(name, hooks);
  const platformChats = { owner: chat("owner"), operator: chat("operator") };
  const shop2Chats = { customer2: chat("customer2"), owner2: chat("owner2") };
  const tabs = new Tabs($(".platform-card"), { ...platformChats, ...shop2Chats }, "owner");
  const grew = (name) => tabs.badge(name);

  const changed = () => Promise.all([bank.refresh(), ...panels.map((panel) => panel.refresh())]);
  await Promise.all([
    follow("platform", platformChats, { changed, grew }),
    follow("shop", { customer: chat("customer") }, { changed }),
    follow("shop2", shop2Chats, { changed, grew }),
    changed(),
  ]);
  document.body.classList.add("ready");
  setInterval(() => void changed().catch(() => {}), 4000);
}

start().catch(offline);
