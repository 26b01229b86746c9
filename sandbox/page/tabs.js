// Tabs over chats in one card: the shown one scrolls to its newest message, a hidden one counts what it got.
export class Tabs {
  /** @param root the card holding `.tab[data-tab]` buttons and `[data-view]` views; @param chats name -> ChatView */
  constructor(root, chats, active) {
    this.root = root;
    this.chats = chats;
    this.active = active;
    for (const tab of root.querySelectorAll(".tab")) tab.addEventListener("click", () => this.show(tab.dataset.tab));
  }

  show(name) {
    this.active = name;
    for (const tab of this.root.querySelectorAll(".tab")) {
      const on = tab.dataset.tab === name;
      tab.classList.toggle("active", on);
      tab.setAttribute("aria-selected", String(on));
      if (on) tab.querySelector(".badge").hidden = true;
    }
    for (const view of this.root.querySelectorAll("[data-view]")) view.hidden = view.dataset.view !== name;
    this.chats[name].scrollDown();
  }

  /** Chat `name` got a message: counted on its tab unless it is shown (or not in these tabs). */
  badge(name) {
    const b = this.root.querySelector(`.tab[data-tab="${name}"] .badge`);
    if (name === this.active || !b) return;
    b.textContent = String((Number(b.hidden ? 0 : b.textContent) || 0) + 1);
    b.hidden = false;
  }
}
