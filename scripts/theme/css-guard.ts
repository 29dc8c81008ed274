/**
 * The one home of the rule "a theme's CSS loads nothing from anywhere else": no third-party request
 * (GDPR: every visitor's address would reach that host), no script, no stylesheet import.
 *
 * Two readings of the same rule:
 * - `guardStylesheet` parses the compiled stylesheet with lightningcss and visits every URL it holds
 *   (escapes resolved, quotes gone): `url()`, `@font-face src`, `image-set()` in parsed properties, and the
 *   string arguments of loading functions kept as raw tokens (custom properties); local files are
 *   rewritten to the skin's assets/ folder, anything else is refused;
 * - `cssLoadsSomething` reads small snippets (SVG `<style>` and `style`, presentation attributes, template
 *   `style` attributes) as text after decoding CSS escapes, conservatively: it refuses what it cannot
 *   prove harmless.
 */
import { transform, transformStyleAttribute, type CustomAtRules, type TokenOrValue, type Visitor } from "lightningcss";

/** CSS escapes resolved (`\69` is `i`, `\"` is `"`, an escaped newline disappears). */
export function decodeCssEscapes(text: string): string {
  return text
    .replace(/\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|(\r\n|[\n\r\f])|([\s\S]))/g, (_m, hex: string | undefined, _nl: string | undefined, ch: string | undefined) => {
      if (hex !== undefined) {
        const code = parseInt(hex, 16);
        return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? "\ufffd" : String.fromCodePoint(code);
      }
      return ch ?? "";
    });
}

const fragment = /^#[A-Za-z_][\w.:-]*$/;
/**
 * What a browser ignores when it reads a URL or its scheme: spaces and control characters, around it or
 * inside it ("java\tscript:", "\x01//host").
 */
export function withoutSpaceOrControl(value: string): string {
  return Array.from(value).filter((ch) => ch.charCodeAt(0) > 0x20).join("");
}

/** A URL a stylesheet of the theme may use: a #fragment, or (where allowed) a relative path in the theme. */
export function isLocalReference(target: string, allowRelative: boolean): boolean {
  const t = withoutSpaceOrControl(target);
  if (fragment.test(t)) return true;
  if (!allowRelative) return false;
  return t !== "" && !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith("//") && !t.startsWith("/") && !t.startsWith("\\");
}

/**
 * What a piece of CSS would load or run, described for a message ("loads url(https://...)"), or undefined
 * when it loads nothing. Conservative: a loading function whose argument cannot be read is refused.
 */
export function cssLoadsSomething(css: string, options: { allowRelative: boolean; allowData?: boolean }): string | undefined {
  // Read twice, with comments and without: a "/*" inside a string is not a comment, and the scan does not
  // tell strings from the rest, so it refuses what either reading finds.
  const decoded = decodeCssEscapes(css);
  return textLoadsSomething(decoded, options) ?? textLoadsSomething(decoded.replace(/\/\*[\s\S]*?(\*\/|$)/g, " "), options);
}

function textLoadsSomething(text: string, options: { allowRelative: boolean; allowData?: boolean }): string | undefined {
  const lower = text.toLowerCase();
  if (lower.includes("@import")) return "imports another stylesheet (@import)";
  if (/expression\s*\(|(java|vb)script\s*:|-moz-binding|behavior\s*:/.test(lower)) return "holds script";
  for (const m of lower.matchAll(/(?:^|[^a-z0-9_-])(url|src)\s*\(/g)) {
    const start = (m.index ?? 0) + m[0].length;
    const close = text.indexOf(")", start);
    if (close < 0) return `has an unclosed ${m[1] ?? "url"}(`;
    const target = text.slice(start, close).trim().replace(/^(['"])([\s\S]*)\1$/, "$2");
    if (options.allowData && /^data:[a-z]+\/[a-z0-9.+-]+[;,]/i.test(target)) continue;
    if (/['"()\s]/.test(target) && !fragment.test(target)) return `loads ${m[1] ?? "url"}(${target.slice(0, 80)})`;
    if (!isLocalReference(target, options.allowRelative)) return `loads ${m[1] ?? "url"}(${target.slice(0, 80)})`;
  }
  for (const m of lower.matchAll(/(?:^|[^a-z0-9_-])((?:-webkit-)?image-set|image|cross-fade|element)\s*\(/g)) {
    // Every string up to the end of the declaration: arguments may nest parentheses (url(a) 1x, "...").
    const start = (m.index ?? 0) + m[0].length;
    const end = text.indexOf(";", start);
    const args = text.slice(start, end < 0 ? undefined : end);
    if (/(?:^|[^a-z0-9_-])(var|env|attr)\s*\(/i.test(args)) return `loads ${m[1] ?? "image-set"}() from a variable`;
    for (const s of args.matchAll(/(['"])([\s\S]*?)\1/g)) {
      if (!isLocalReference(s[2] ?? "", options.allowRelative)) return `loads ${m[1] ?? "image-set"}("${(s[2] ?? "").slice(0, 80)}")`;
    }
  }
  return undefined;
}

export interface StylesheetFinding {
  /** What was found, as written: `url(https://...)`, `@import ...`. */
  found: string;
  message: string;
}

/** Functions that load their string arguments as images when a property uses them (or a var() holding them). */
const loadingFunctions = new Set(["image-set", "-webkit-image-set", "image", "cross-fade", "src", "url", "element"]);
const absoluteUrl = /^[a-z][a-z0-9+.-]*:|^\/\//i;

/** Arguments of a loading function that name another host, or that come from a variable (unknowable here). */
function loadingArgumentProblems(name: string, args: TokenOrValue[]): string[] {
  const found: string[] = [];
  for (const arg of args) {
    if (arg.type === "var" || arg.type === "env" || (arg.type === "function" && arg.value.name.toLowerCase() === "attr")) {
      found.push(`${name}(${arg.type === "function" ? "attr()" : `${arg.type}()`})`);
    } else if (arg.type === "token" && arg.value.type === "string") {
      const target = withoutSpaceOrControl(arg.value.value);
      if (!target.startsWith("data:") && !isLocalReference(target, false)) found.push(`${name}("${arg.value.value}")`);
    }
  }
  return found;
}

/**
 * Every URL of a compiled stylesheet, read by lightningcss: local ones pass through `resolveLocal` (which
 * returns the new URL, or a reason to refuse), others are refused. Returns the stylesheet with local URLs
 * rewritten. Invalid CSS is refused: what the parser cannot read, a browser may read differently.
 */
export function guardStylesheet(
  css: string,
  resolveLocal: (target: string) => { url: string } | { refuse: string },
  inputSourceMap?: string,
): { css: string; map?: string; findings: StylesheetFinding[] } {
  const findings: StylesheetFinding[] = [];
  const refuseExternal = (target: string, how: string) => {
    findings.push({
      found: how,
      message: `points outside the theme (${target}): every visitor's browser would contact that host, which the GDPR forbids without consent`,
    });
  };
  const checkUrl = (target: string, how: string): string | undefined => {
    if (target.startsWith("data:") || fragment.test(target)) return undefined;
    if (!isLocalReference(target, true)) {
      refuseExternal(target, how);
      return undefined;
    }
    const local = resolveLocal(target);
    if ("refuse" in local) {
      findings.push({ found: how, message: `the referenced file ${local.refuse}` });
      return undefined;
    }
    return local.url;
  };
  const visitor: Visitor<CustomAtRules> = {
    Url(url) {
      const rewritten = checkUrl(url.url, `url(${url.url})`);
      return rewritten === undefined ? url : { ...url, url: rewritten };
    },
    Rule: {
      import(rule) {
        findings.push({
          found: `@import ${rule.value.url}`,
          message: "a CSS @import makes the browser fetch another stylesheet (from another host, a third-party request)",
        });
      },
    },
    // Returning nothing leaves the function as it is.
    Function(fn) {
      if (!loadingFunctions.has(fn.name.toLowerCase())) return;
      for (const how of loadingArgumentProblems(fn.name, fn.arguments)) refuseExternal(how.slice(fn.name.length + 1, -1), how);
    },
    // A string naming another host in a raw token list (a custom property) is loaded the moment a
    // loading function reads it through var().
    Token: {
      string(token) {
        if (absoluteUrl.test(withoutSpaceOrControl(token.value))) refuseExternal(token.value, `"${token.value}"`);
      },
    },
  };
  let out: string;
  let map: string | undefined;
  try {
    const result = transform({
      filename: "theme.css", code: Buffer.from(css), minify: false, errorRecovery: false, visitor,
      sourceMap: inputSourceMap !== undefined, ...(inputSourceMap !== undefined ? { inputSourceMap } : {}),
    });
    out = Buffer.from(result.code).toString("utf8");
    map = result.map ? Buffer.from(result.map).toString("utf8") : undefined;
  } catch (e) {
    const err = e as Error & { loc?: { line: number; column: number } };
    findings.push({ found: err.loc ? `line ${err.loc.line}` : "the stylesheet", message: `is not CSS a browser is sure to read the same way (${err.message})` });
    return { css, findings };
  }
  // The same rule read as text, after the rewrite: a second net under the parser's.
  const leftover = cssLoadsSomething(out, { allowRelative: true, allowData: true });
  if (leftover && findings.length === 0) findings.push({ found: leftover, message: `the compiled stylesheet ${leftover}` });
  return { css: out, ...(map !== undefined ? { map } : {}), findings };
}

/**
 * The parsed reading for small pieces of CSS (an SVG's <style>, a style attribute): lightningcss finds
 * every URL, @import and loading function, escapes and comments resolved as a browser resolves them; CSS
 * it cannot read is refused. The text scan runs too, and either refusal stands.
 */
export function cssSnippetLoadsSomething(css: string, kind: "stylesheet" | "declarations", options: { allowRelative: boolean }): string | undefined {
  const found: string[] = [];
  const visitor: Visitor<CustomAtRules> = {
    Url(url) {
      if (!isLocalReference(url.url, options.allowRelative)) found.push(`loads url(${url.url.slice(0, 80)})`);
    },
    Rule: {
      import() {
        found.push("imports another stylesheet (@import)");
      },
    },
    Function(fn) {
      if (!loadingFunctions.has(fn.name.toLowerCase())) return;
      for (const how of loadingArgumentProblems(fn.name, fn.arguments)) found.push(`loads ${how.slice(0, 80)}`);
    },
    Token: {
      string(token) {
        if (absoluteUrl.test(withoutSpaceOrControl(token.value))) found.push(`names another host ("${token.value.slice(0, 80)}")`);
      },
    },
  };
  try {
    if (kind === "stylesheet") transform({ filename: "snippet.css", code: Buffer.from(css), errorRecovery: false, visitor });
    else transformStyleAttribute({ filename: "style", code: Buffer.from(css), errorRecovery: false, visitor });
  } catch (e) {
    return `is not CSS a browser is sure to read the same way (${(e as Error).message.slice(0, 80)})`;
  }
  return found[0] ?? cssLoadsSomething(css, { allowRelative: options.allowRelative });
}
