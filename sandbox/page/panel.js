// A simulated SMM panel's card: user balances (a change flashes) and its latest payments.
import { api, el } from "./dom.js";

export class PanelView {
  /** @param shop the API's name for the shop ("shop", or "shop2" on a platform); @param root the element holding the card */
  constructor(shop, root) {
    this.shop = shop;
    this.users = root.querySelector(".panel-users");
    this.payments = root.querySelector(".payments");
    this.balances = new Map();
    this.flashes = new Map(); // login -> { dir: "up" | "down", until }
  }

  async refresh() {
    const panel = await api(`/panel?shop=${this.shop}`);
    const now = Date.now();
    const rows = panel.users.map((u) => {
      const before = this.balances.get(u.login);
      if (before !== undefined && before !== u.balanceMinor) this.flashes.set(u.login, { dir: u.balanceMinor > before ? "up" : "down", until: now + 5000 });
      const flash = this.flashes.get(u.login);
      return el("tr", { dataset: { login: u.login }, class: flash && flash.until > now ? flash.dir : undefined },
        el("td", {}, el("span", { class: "avatar small", "aria-hidden": "true" }, u.login.slice(0, 1).toUpperCase()), u.login),
        el("td", { class: "num balance" }, u.balance));
    });
    this.balances = new Map(panel.users.map((u) => [u.login, u.balanceMinor]));
    this.users.replaceChildren(...rows);
    this.payments.replaceChildren(...panel.payments.slice(0, 4).map((p) =>
      el("li", { class: p.kind },
        el("span", { class: "delta" }, `${p.kind === "credit" ? "+" : "−"}${p.amount}`),
        el("span", { class: "login" }, p.login),
        el("span", { class: "memo", title: p.memo }, p.memo))));
  }
}
