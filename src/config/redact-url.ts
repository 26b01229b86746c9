/** scheme://userinfo@ — userinfo stops at the first character that ends an authority (/ ? #) or a quoted string. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'<>]*)@/gi;

/**
 * Masks the credentials embedded in every URL of a text: `https://user:pass@host` becomes
 * `https://user:***@host`, `redis://token@host` becomes `redis://***@host`. Works on text that
 * is not a valid URL too, as that is exactly what an error message about a bad URL contains.
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, (_match, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(":");
    return `${scheme}${colon >= 0 ? `${userinfo.slice(0, colon)}:***` : "***"}@`;
  });
}
