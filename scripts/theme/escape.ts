/**
 * Escaping for every place a city's text lands. Kept in one file so each context has exactly one rule.
 */

/**
 * Text (or an attribute value) inside a FreeMarker template that renders HTML. Beyond the HTML
 * specials, `$`, `#`, `{`, `}`, `[`, `]` and `@` become character references, so `${...}`, `<#...>`,
 * `[#...]` or `#{...}` written by a user can never be read as FreeMarker: the browser shows them as typed.
 */
export function freemarkerHtml(text: string): string {
  return text.replace(/[&<>"'`=$#{}[\]@\\]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * A MariaDB string literal, quotes included. The SQL file sets sql_mode without NO_BACKSLASH_ESCAPES
 * first, so backslash escapes mean what they say here.
 */
const sqlEscapes: Record<string, string> = {
  "\u0000": "\\0",
  "\n": "\\n",
  "\r": "\\r",
  "\u001a": "\\Z",
  "'": "''",
  '"': '\\"',
  "\\": "\\\\",
};

export function sqlString(text: string): string {
  return `'${Array.from(text, (ch) => sqlEscapes[ch] ?? ch).join("")}'`;
}

/** A value in a Java .properties file (Keycloak theme.properties). */
export function propertiesValue(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/^\s/, (ch) => `\\${ch}`)
    .replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A string inside a CSS quoted string ("..."). */
export function cssString(text: string): string {
  return `"${text.replace(/[\\"\n\r<>]/g, (ch) => `\\${ch.charCodeAt(0).toString(16)} `)}"`;
}
