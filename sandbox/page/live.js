// Live updates: one long poll per bot; each event refreshes the chats it touched, then whatever else may have changed.
import { api, sleep, toast } from "./dom.js";

function setStatus(text, ok) {
  const status = document.querySelector("#status");
  status.textContent = text;
  status.classList.toggle("ok", ok);
}

/**
 * Shows bot `bot`'s chats, then follows its events for good (resolves once the chats are shown).
 * @param chats name -> ChatView of this bot's chats
 * @param hooks.changed() after every batch of events (the bank and panels); hooks.grew(name): a chat got a message
 */
export async function follow(bot, chats, hooks) {
  const refreshChats = () => Promise.all(Object.values(chats).map((c) => c.refresh()));
  let { lastSeq: after } = await api(`/events?bot=${bot}&after=0&timeout=0`);
  await refreshChats();
  void (async () => {
    for (;;) {
      try {
        const answer = await api(`/events?bot=${bot}&after=${after}&timeout=5`);
        setStatus("live", true);
        if (answer.reset) {
          after = answer.lastSeq;
          await Promise.all([refreshChats(), hooks.changed()]);
          continue;
        }
        after = Math.max(after, answer.lastSeq);
        if (answer.events.length === 0) continue;
        const touched = new Set(answer.events.filter((e) => e.type !== "update" && chats[e.chat]).map((e) => e.chat));
        for (const e of answer.events) if (e.toast) toast(e.toast);
        await Promise.all([...touched].map(async (name) => {
          const before = chats[name].shown.size;
          await chats[name].refresh();
          if (chats[name].shown.size > before) hooks.grew?.(name);
        }));
        await hooks.changed();
      } catch {
        setStatus("reconnecting…", false);
        await sleep(1000);
      }
    }
  })();
}

/** The page could not start: say so. */
export function offline(error) {
  setStatus("offline", false);
  toast(`The sandbox is not answering: ${error.message}`, "error");
}
