// A Telegram-like chat: bubbles, photos, documents, inline keyboards and the message box.
import { api, clock, el, toast } from "./dom.js";

const WRAPS = {
  bold: () => el("b"),
  italic: () => el("i"),
  underline: () => el("u"),
  strikethrough: () => el("s"),
  code: () => el("code"),
  pre: () => el("code", { class: "pre" }),
  spoiler: () => el("span", { class: "spoiler" }),
  blockquote: () => el("span", { class: "quote" }),
  expandable_blockquote: () => el("span", { class: "quote" }),
};

const EMPTY = {
  customer: "Say hello: tap /start below.",
  admin: "Chat as the admin: try /pending or /report today.",
  group: "Payment notifications for the admins appear here.",
  customer2: "Once its owner opened this shop with /newshop and the operator approved it, say hello: tap /start below.",
  owner: "Open a shop: tap /newshop, then send the answers below one by one.",
  operator: "Shops waiting for your approval appear here.",
  owner2: "Once the shop is live, its owner runs it here, in its own bot: tap /start.",
};

const safeUrl = (url) => (/^https?:\/\//i.test(url ?? "") ? url : undefined);

/** Text with Telegram entities (offsets in UTF-16 units, as JavaScript strings count) as DOM nodes. */
export function renderText(text, entities = []) {
  const cuts = new Set([0, text.length]);
  for (const e of entities) {
    cuts.add(Math.min(e.offset, text.length));
    cuts.add(Math.min(e.offset + e.length, text.length));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i < points.length - 1; i++) {
    const [from, to] = [points[i], points[i + 1]];
    const piece = text.slice(from, to);
    let node = document.createTextNode(piece);
    for (const e of entities) {
      if (e.offset > from || e.offset + e.length < to) continue;
      const href = e.type === "text_link" ? safeUrl(e.url) : e.type === "url" ? safeUrl(piece) : undefined;
      const wrap = href ? el("a", { href, target: "_blank", rel: "noopener noreferrer" }) : WRAPS[e.type]?.();
      if (!wrap) continue;
      wrap.append(node);
      node = wrap;
    }
    out.push(node);
  }
  return out;
}

export class ChatView {
  /**
   * @param name "customer" | "admin" | "group": the API's name for the chat
   * @param hooks.onUrlButton(url, message) returns true when the page handled a link button itself
   */
  constructor(name, hooks = {}) {
    this.name = name;
    this.hooks = hooks;
    this.list = document.getElementById(`chat-${name}`);
    this.shown = new Map(); // message id -> { key, node }
    this.showSender = name === "group";
    const form = document.querySelector(`form.composer[data-chat="${name}"]`);
    this.input = form.elements.text;
    // A multi-line box (several credentials in one message): Enter sends, Shift+Enter starts a new line.
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && this.input.tagName === "TEXTAREA") {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (text) this.send(text).then((ok) => ok && (this.input.value = ""));
    });
    for (const chip of document.querySelectorAll(`.chips[data-chat="${name}"] button`)) {
      chip.addEventListener("click", () => {
        if (chip.dataset.send) return void this.send(chip.dataset.send);
        this.input.value = chip.dataset.fill ?? "";
        this.input.focus();
      });
    }
  }

  async send(text) {
    try {
      const answer = await api(`/chats/${this.name}/send`, { text });
      if (!answer.delivered) toast("The bot does not see this message (Telegram privacy mode).", "info");
      return true;
    } catch (error) {
      toast(`Could not send: ${error.message}`, "error");
      return false;
    }
  }

  async refresh() {
    const { messages } = await api(`/chats/${this.name}/messages`);
    this.render(messages);
  }

  render(messages) {
    const nearBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 80;
    const seen = new Set();
    let grew = false;
    let previous = null;
    for (const message of messages) {
      seen.add(message.id);
      const key = JSON.stringify(message);
      let entry = this.shown.get(message.id);
      if (!entry || entry.key !== key) {
        const node = this.bubble(message);
        if (entry) entry.node.replaceWith(node);
        else grew = true;
        entry = { key, node };
        this.shown.set(message.id, entry);
      }
      const want = previous ? previous.nextSibling : this.list.firstChild;
      if (want !== entry.node) this.list.insertBefore(entry.node, want);
      previous = entry.node;
    }
    for (const [id, entry] of this.shown) {
      if (!seen.has(id)) {
        entry.node.remove();
        this.shown.delete(id);
      }
    }
    if (messages.length === 0 && !this.list.querySelector(".empty")) {
      this.list.append(el("p", { class: "empty" }, EMPTY[this.name]));
    } else if (messages.length > 0) {
      this.list.querySelector(".empty")?.remove();
    }
    if (grew || nearBottom) this.scrollDown();
    return grew;
  }

  scrollDown() {
    this.list.scrollTop = this.list.scrollHeight;
  }

  bubble(m) {
    const photo = m.photo
      ? el("img", {
          class: "photo", src: m.photo.url, alt: "Photo from the bot",
          width: m.photo.width || undefined, height: m.photo.height || undefined,
          onload: () => this.scrollDown(),
        })
      : null;
    const doc = m.document
      ? el("a", { class: "document", href: m.document.url, download: m.document.name },
          el("span", { class: "doc-icon", "aria-hidden": "true" }, "📄"),
          el("span", {}, el("strong", {}, m.document.name), el("small", {}, `${Math.max(1, Math.round(m.document.size / 1024))} KB`)))
      : null;
    const bubble = el("div", { class: `bubble${photo ? " has-photo" : ""}` },
      this.showSender && !m.fromBot ? el("div", { class: "sender" }, m.from) : null,
      photo,
      doc,
      m.text ? el("div", { class: "text" }, renderText(m.text, m.entities)) : null,
      el("span", { class: "meta" }, m.edited ? "edited " : "", clock(m.date)),
    );
    return el("div", { class: `msg ${m.fromBot ? "in" : "out"}`, dataset: { id: m.id } },
      bubble,
      m.buttons.length > 0 ? this.keyboard(m) : null,
    );
  }

  keyboard(m) {
    return el("div", { class: "keyboard" },
      m.buttons.map((row) => el("div", { class: "kb-row" }, row.map((b) => this.button(m, b)))));
  }

  button(m, b) {
    if (b.url) {
      return el("button", {
        type: "button", class: "kb link", title: b.url,
        onclick: () => {
          if (!this.hooks.onUrlButton?.(b.url, m) && safeUrl(b.url)) window.open(b.url, "_blank", "noopener");
        },
      }, b.text, el("span", { class: "arrow", "aria-hidden": "true" }, " ↗"));
    }
    if (b.data === undefined) return el("button", { type: "button", class: "kb", disabled: true }, b.text);
    return el("button", {
      type: "button", class: "kb", dataset: { callback: b.data },
      onclick: async (event) => {
        const target = event.currentTarget;
        target.classList.add("pressed");
        try {
          await api(`/chats/${this.name}/click`, { messageId: m.id, data: b.data });
        } catch (error) {
          toast(error.message, "error");
        } finally {
          setTimeout(() => target.classList.remove("pressed"), 400);
        }
      },
    }, b.text);
  }
}
