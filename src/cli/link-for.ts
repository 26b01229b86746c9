import { Api } from "grammy";
import { createStartLinks, startLink } from "../customers/start-links.js";
import type { Command } from "./command.js";

/** `link-for <login>`: the start link for a panel login, as the admin command /link_for gives it. */
export const linkForCommand: Command = {
  args: "<login>",
  summary: "the link that opens the bot with <login> linked and offers the amounts (for the panel's \"Add funds\" page)",
  minArgs: 1,
  maxArgs: 1,
  needs: "outside",
  async run([login], ctx) {
    const { token, apiRoot } = ctx.config.bot;
    const me = await new Api(token, { apiRoot }).getMe();
    const { database } = await ctx.services();
    const link = startLink(me.username, await createStartLinks(database.db, token).payloadFor(login!));
    ctx.print(link);
    ctx.print(`HTML for the panel's page: <a href="${link}">Top up with KHQR in Telegram</a>`);
    return 0;
  },
};
