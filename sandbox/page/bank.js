// The bank app pane: the top-ups waiting for payment (of every shop on a platform), paid through their provider's simulator.
import { PROVIDERS, api, clock, el, toast } from "./dom.js";

const $ = (selector) => document.querySelector(selector);
const CARD_BUTTON = /^tu:check:(\d+)$/;

function left(expiresAt) {
  if (!expiresAt) return "";
  const seconds = Math.round((Date.parse(expiresAt) - Date.now()) / 1000);
  if (seconds <= 0) return "expired";
  return `expires in ${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

export class Bank {
  /** @param shopName(t) a shop's name for its cards (a platform's bank pays several shops), or undefined */
  constructor(shopName = () => undefined) {
    this.shopName = shopName;
    this.topUps = [];
    // Expiry countdowns.
    setInterval(() => {
      for (const dd of document.querySelectorAll(".expiry")) dd.textContent = left(dd.dataset.expires);
    }, 1000);
  }

  async pay(topUp, button, amount) {
    button.disabled = true;
    const label = button.textContent;
    button.textContent = "Paying…";
    try {
      const paid = await api("/pay", amount === undefined ? { reference: topUp.reference } : { reference: topUp.reference, amount });
      toast(`Paid ${paid.amount} through ${PROVIDERS[paid.provider] ?? paid.provider}. Watch the chat for the receipt.`, "success");
      await this.refresh();
    } catch (error) {
      toast(`Payment failed: ${error.message}`, "error");
      button.disabled = false;
      button.textContent = label;
    }
  }

  card(t) {
    const other = el("input", { class: "other-amount", inputmode: "decimal", placeholder: t.currency === "KHR" ? "e.g. 15000" : "e.g. 4.50", "aria-label": "Different amount" });
    const otherButton = el("button", { type: "button", class: "secondary" }, "Pay this");
    otherButton.addEventListener("click", () => {
      if (other.value.trim()) this.pay(t, otherButton, other.value.trim());
      else other.focus();
    });
    const payButton = el("button", { type: "button", class: "pay", disabled: !t.payable }, `Pay ${t.amount}`);
    payButton.addEventListener("click", () => this.pay(t, payButton));
    const shop = this.shopName(t);
    return el("article", { class: "topup", dataset: { reference: t.reference } },
      el("div", { class: "topup-top" },
        el("span", { class: `provider p-${t.provider}` }, PROVIDERS[t.provider] ?? t.provider),
        el("span", { class: "kind" }, t.kind === "khqr" ? "scanned KHQR" : t.kind === "checkout" ? "checkout link" : ""),
      ),
      el("div", { class: "amount" }, t.amount),
      el("dl", {},
        shop ? [el("dt", {}, "Shop"), el("dd", {}, shop)] : null,
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

  async refresh() {
    const answer = await api("/topups");
    const box = $("#topups");
    const key = JSON.stringify([answer.topUps, answer.paid]);
    if (box.dataset.key === key) return;
    box.dataset.key = key;
    this.topUps = answer.topUps;
    box.replaceChildren(...(this.topUps.length > 0 ? this.topUps.map((t) => this.card(t)) : [emptyBank(answer.available)]));
    $(".paid-title").hidden = answer.paid.length === 0;
    $("#paid").replaceChildren(...answer.paid.map((p) => this.paidItem(p)));
  }

  paidItem(p) {
    const asked = p.amount !== p.asked ? `asked ${p.asked} · ` : "";
    const again = el("button", { type: "button", class: "secondary", title: "Pay the same QR a second time (a repeat payment)" }, "Pay again");
    again.addEventListener("click", async () => {
      again.disabled = true;
      try {
        const paid = await api("/pay-again", { reference: p.reference });
        toast(`Paid ${paid.amount} again through ${PROVIDERS[paid.provider] ?? paid.provider}. Watch the admin chat.`, "success");
        await this.refresh();
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

  /**
   * A link button in the chat that pays a top-up (a checkout we know, or "Open in bank app" under a KHQR
   * card): show that top-up in the bank app instead, as the phone's bank app would open it.
   */
  openInBank(url, message) {
    const cardId = message?.buttons.flat().map((b) => CARD_BUTTON.exec(b.data ?? "")?.[1]).find(Boolean);
    const topUp = this.topUps.find((t) => t.checkoutUrl === url) ?? this.topUps.find((t) => cardId !== undefined && String(t.id) === cardId);
    if (!topUp) return false;
    const card = document.querySelector(`.topup[data-reference="${CSS.escape(topUp.reference)}"]`);
    card?.scrollIntoView({ behavior: "smooth", block: "center" });
    card?.classList.remove("flash");
    void card?.offsetWidth;
    card?.classList.add("flash");
    toast("Opened in the bank app: press Pay there.");
    return true;
  }
}

function emptyBank(available) {
  return el("div", { class: "empty-bank" },
    el("div", { class: "big", "aria-hidden": "true" }, "🧾"),
    available
      ? el("p", {}, "Nothing to pay yet. In the chat, tap ", el("b", {}, "💳 Top up"), " and choose an amount: the top-up appears here, ready to pay.")
      : el("p", {}, "The bank app is not connected to the database in this build, so it cannot list top-ups."));
}
