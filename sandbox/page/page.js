// The sandbox page: three chats, the bank app and the panel, kept current by long polling.
import { ChatView } from "./chat.js";
import { PROVIDERS, api, clock, el, sleep, toast } from "./dom.js";

const $ = (selector) => document.querySelector(selector);
const chats = {};
let topUps = [];
let balances = new Map();
const flashes = new Map(); // login -> { dir: "up" | "down", until }

// ---- bank app -------------------------------------------------------------

function left(expiresAt) {
  if (!expiresAt) return "";
  const seconds = Math.round((Date.parse(expiresAt) - Date.now()) / 1000);
  if (seconds <= 0) return "expired";
  return `expires in ${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

async function pay(topUp, button, amount) {
  button.disabled = true;
  const label = button.textContent;
  button.textContent = "Paying…";
  try {
    const paid = await api("/pay", amount === undefined ? { reference: topUp.reference } : { reference: topUp.reference, amount });
    toast(`Paid ${paid.amount} through ${PROVIDERS[paid.provider] ?? paid.provider}. Watch the chat for the receipt.`, "success");
    await refreshTopUps();
  } catch (error) {
    toast(`Payment failed: ${error.message}`, "error");
    button.disabled = false;
    button.textContent = label;
  }
}

function topUpCard(t) {
  const other = el("input", { class: "other-amount", inputmode: "decimal", placeholder: t.currency === "KHR" ? "e.g. 15000" : "e.g. 4.50", "aria-label": "Different amount" });
  const otherButton = el("button", { type: "button", class: "secondary" }, "Pay this");
  otherButton.addEventListener("click", () => {
    if (other.value.trim()) pay(t, otherButton, other.value.trim());
    else other.focus();
  });
  const payButton = el("button", { type: "button", class: "pay", disabled: !t.payable }, `Pay ${t.amount}`);
  payButton.addEventListener("click", () => pay(t, payButton));
  return el("article", { class: "topup", dataset: { reference: t.reference } },
    el("div", { class: "topup-top" },
      el("span", { class: `provider p-${t.provider}` }, PROVIDERS[t.provider] ?? t.provider),
      el("span", { class: "kind" }, t.kind === "khqr" ? "scanned KHQR" : t.kind === "checkout" ? "checkout link" : ""),
    ),
    el("div", { class: "amount" }, t.amount),
    el("dl", {},
      el("dt", {}, "Reference"), el("dd", { class: "mono" }, t.reference),
      t.login ? [el("dt", {}, "Panel login"), el("dd", {}, t.login)] : null,
      t.expiresAt ? [el("dt", {}, "Valid"), el("dd", { class: "expiry", dataset: { expires: t.expiresAt } }, left(t.expiresAt))] : null,
    ),
    payButton,
    el("details", { class: "other" },
      el("summary", { title: "Try an under- or over-payment" }, "Pay a different amount"),
      el("div", { class: "other-row" }, other, el("span", { class: "cur" }, t.currency), otherButton)),
  );
}

async function refreshTopUps() {
  const answer = await api("/topups");
  const box = $("#topups");
  const key = JSON.stringify([answer.topUps, answer.paid]);
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  topUps = answer.topUps;
  box.replaceChildren(...(topUps.length > 0 ? topUps.map(topUpCard) : [emptyBank(answer.available)]));
  $(".paid-title").hidden = answer.paid.length === 0;
  $("#paid").replaceChildren(...answer.paid.map(paidItem));
}

function paidItem(p) {
  const asked = p.amount !== p.asked ? `asked ${p.asked} · ` : "";
  const again = el("button", { type: "button", class: "secondary", title: "Pay the same QR a second time (a repeat payment)" }, "Pay again");
  again.addEventListener("click", async () => {
    again.disabled = true;
    try {
      const paid = await api("/pay-again", { reference: p.reference });
      toast(`Paid ${paid.amount} again through ${PROVIDERS[paid.provider] ?? paid.provider}. Watch the admin chat.`, "success");
      await refreshTopUps();
    } catch (error) {
      toast(`Payment failed: ${error.message}`, "error");
      again.disabled = false;
    }
  });
  return el("li", { dataset: { reference: p.reference } },
    el("span", { class: "tick", "aria-hidden": "true" }, "✓"),
    el("strong", {}, p.amount),
    el("span", { class: "when" }, clock(Date.parse(p.at) / 1000)),
    el("small", {}, `${asked}${PROVIDERS[p.provider] ?? p.provider} · ref ${p.reference}`),
    again);
}

function emptyBank(available) {
  return el("div", { class: "empty-bank" },
    el("div", { class: "big", "aria-hidden": "true" }, "🧾"),
    available
      ? el("p", {}, "Nothing to pay yet. In the chat, tap ", el("b", {}, "💳 Top up"), " and choose an amount: the top-up appears here, ready to pay.")
      : el("p", {}, "The bank app is not connected to the database in this build, so it cannot list top-ups."));
}

const CARD_BUTTON = /^tu:check:(\d+)$/;

/**
 * A link button in the chat that pays a top-up (a checkout we know, or "Open in bank app" under a KHQR
 * card): show that top-up in the bank app instead, as the phone's bank app would open it.
 */
function openInBank(url, message) {
  const cardId = message?.buttons.flat().map((b) => CARD_BUTTON.exec(b.data ?? "")?.[1]).find(Boolean);
  const topUp = topUps.find((t) => t.checkoutUrl === url) ?? topUps.find((t) => cardId !== undefined && String(t.id) === cardId);
  if (!topUp) return false;
  const card = document.querySelector(`.topup[data-reference="${CSS.escape(topUp.reference)}"]`);
  card?.scrollIntoView({ behavior: "smooth", block: "center" });
  card?.classList.remove("flash");
  void card?.offsetWidth;
  card?.classList.add("flash");
  toast("Opened in the bank app: press Pay there.");
  return true;
}

// ---- panel ---------------------------------------------------------------

async function refreshPanel() {
  const panel = await api("/panel");
  const now = Date.now();
  const rows = panel.users.map((u) => {
    const before = balances.get(u.login);
    if (before !== undefined && before !== u.balanceMinor) flashes.set(u.login, { dir: u.balanceMinor > before ? "up" : "down", until: now + 5000 });
    const flash = flashes.get(u.login);
    return el("tr", { dataset: { login: u.login }, class: flash && flash.until > now ? flash.dir : undefined },
      el("td", {}, el("span", { class: "avatar small", "aria-hidden": "true" }, u.login.slice(0, 1).toUpperCase()), u.login),
      el("td", { class: "num balance" }, u.balance));
  });
  balances = new Map(panel.users.map((u) => [u.login, u.balanceMinor]));
  $("#panel-users").replaceChildren(...rows);
  $("#panel-payments").replaceChildren(...panel.payments.slice(0, 4).map((p) =>
    el("li", { class: p.kind },
      el("span", { class: "delta" }, `${p.kind === "credit" ? "+" : "−"}${p.amount}`),
      el("span", { class: "login" }, p.login),
      el("span", { class: "memo", title: p.memo }, p.memo))));
}

// ---- admin tabs ----------------------------------------------------------

let activeTab = "admin";
function showTab(name) {
  activeTab = name;
  for (const tab of document.querySelectorAll(".tab")) {
    const on = tab.dataset.tab === name;
    tab.classList.toggle("active", on);
    tab.setAttribute("aria-selected", String(on));
    if (on) tab.querySelector(".badge").hidden = true;
  }
  for (const view of document.querySelectorAll(".admin-view")) view.hidden = view.dataset.view !== name;
  chats[name].scrollDown();
}

function badge(name) {
  if (name === activeTab) return;
  const b = document.querySelector(`.tab[data-tab="${name}"] .badge`);
  b.textContent = String((Number(b.hidden ? 0 : b.textContent) || 0) + 1);
  b.hidden = false;
}

// ---- live updates ----------------------------------------------------------

function setStatus(text, ok) {
  const status = $("#status");
  status.textContent = text;
  status.classList.toggle("ok", ok);
}

async function refreshAll() {
  await Promise.all([...Object.values(chats).map((c) => c.refresh()), refreshTopUps(), refreshPanel()]);
}

async function follow(after) {
  for (;;) {
    try {
      const answer = await api(`/events?after=${after}&timeout=5`);
      setStatus("live", true);
      if (answer.reset) {
        after = answer.lastSeq;
        await refreshAll();
        continue;
      }
      after = Math.max(after, answer.lastSeq);
      if (answer.events.length === 0) continue;
      const touched = new Set(answer.events.filter((e) => e.type !== "update" && e.chat).map((e) => e.chat));
      for (const e of answer.events) if (e.toast) toast(e.toast);
      await Promise.all([...touched].map(async (name) => {
        const before = chats[name].shown.size;
        await chats[name].refresh();
        if (chats[name].shown.size > before && name !== "customer") badge(name);
      }));
      await Promise.all([refreshTopUps(), refreshPanel()]);
    } catch {
      setStatus("reconnecting…", false);
      await sleep(1000);
    }
  }
}

async function start() {
  const info = await api("/info");
  document.title = `${info.bot.name} · Sandbox`;
  $("#bot-name").textContent = info.bot.name;
  $("#customer-as").textContent = `@${info.bot.username} · you are ${info.customer.first_name}, a customer`;
  chats.customer = new ChatView("customer", { onUrlButton: openInBank });
  chats.admin = new ChatView("admin", { onUrlButton: openInBank });
  chats.group = new ChatView("group", { onUrlButton: openInBank });
  document.querySelector('.tab[data-tab="group"]').firstChild.textContent = `👥 ${info.group.title} `;
  for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => showTab(tab.dataset.tab));

  const { lastSeq } = await api("/events?after=0&timeout=0");
  await refreshAll();
  document.body.classList.add("ready");
  // Expiry countdowns, and the panel and top-ups for changes that send no Telegram message.
  setInterval(() => {
    for (const dd of document.querySelectorAll(".expiry")) dd.textContent = left(dd.dataset.expires);
  }, 1000);
  setInterval(() => void Promise.all([refreshTopUps(), refreshPanel()]).catch(() => {}), 4000);
  void follow(lastSeq);
}

start().catch((error) => {
  setStatus("offline", false);
  toast(`The sandbox is not answering: ${error.message}`, "error");
});
