/**
 * The Sass compile of a theme's overrides.scss, as the worker process runs it (sass-worker.ts, started
 * by css.ts with a time limit).
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import type { Problem } from "../lib/problems.js";

/**
 * How long a theme stylesheet may take to compile: a theme's takes well under a second. CITELIBRE_SASS_TIMEOUT
 * (seconds) changes it, for a slow machine or a test.
 */
const defaultSassTimeoutMs = 20_000;

export function sassTimeoutMs(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.CITELIBRE_SASS_TIMEOUT ?? "20");
  return Number.isFinite(seconds) && seconds > 0 && seconds <= 600 ? seconds * 1000 : defaultSassTimeoutMs;
}

export interface SassJob {
  themeDir: string;
  generated: string;
  tokensScss: string;
}

export type SassOutcome = { css: string; map: string } | { problem: Problem };

/** A stylesheet of the theme, and what Sass may make of them all (a loop can multiply rules). */
const maxSassSourceBytes = 1024 * 1024;
export const maxCompiledCssBytes = 4 * 1024 * 1024;

/** Resolves a Sass load inside the theme folder only, trying partials and index files as Sass does. */
function findInTheme(themeDir: string, rel: string): string | undefined {
  const realTheme = realpathSync(themeDir);
  const dir = path.posix.dirname(rel);
  const base = path.posix.basename(rel);
  const candidates = /\.(s?css|sass)$/.test(base)
    ? [rel, `${dir}/_${base}`]
    : ["scss", "sass", "css"].flatMap((ext) => [`${dir}/_${base}.${ext}`, `${dir}/${base}.${ext}`, `${rel}/_index.${ext}`, `${rel}/index.${ext}`]);
  for (const candidate of candidates) {
    const normal = path.posix.normalize(candidate);
    if (normal.startsWith("..") || path.isAbsolute(normal)) return undefined;
    const abs = path.join(themeDir, normal);
    if (!existsSync(abs)) continue;
    const real = realpathSync(abs);
    if (!real.startsWith(realTheme + path.sep)) return undefined;
    // A FIFO or device would hang the compiler when read.
    if (!statSync(real).isFile()) return undefined;
    return normal;
  }
  return undefined;
}

/** Sass for overrides.scss, with every token available as a variable. Loads stay inside the theme folder. Runs in the worker. */
export async function compileOverridesHere(job: SassJob): Promise<SassOutcome> {
  const { themeDir, generated, tokensScss } = job;
  const sass = await import("sass-embedded");
  const importer: import("sass-embedded").Importer<"sync"> = {
    canonicalize(url, context) {
      if (url === "citelibre:tokens") return new URL(url);
      let rel: string | undefined;
      if (url.startsWith("theme:")) rel = url.slice("theme:".length);
      else if (!/^[a-z][a-z0-9+.-]*:/i.test(url) && context.containingUrl?.protocol === "theme:") {
        rel = path.posix.join(path.posix.dirname(context.containingUrl.pathname), url);
      }
      if (rel === undefined) return null;
      const found = findInTheme(themeDir, rel);
      return found ? new URL(`theme:${found}`) : null;
    },
    load(canonicalUrl) {
      if (canonicalUrl.href === "citelibre:tokens") return { contents: tokensScss, syntax: "scss" };
      const rel = canonicalUrl.pathname;
      const file = path.join(themeDir, rel);
      if (statSync(file).size > maxSassSourceBytes) throw new Error(`${rel} is over ${maxSassSourceBytes / 1024} KiB, the most a theme stylesheet may take`);
      const contents = readFileSync(file, "utf8");
      const syntax = rel.endsWith(".sass") ? "indented" : rel.endsWith(".css") ? "css" : "scss";
      // Same line as the user's first line, so reported line numbers stay true.
      return { contents: syntax === "scss" ? `@use "citelibre:tokens" as *; ${contents}` : contents, syntax };
    },
  };
  const entry = `@use "sass:meta";\n${generated}\n@include meta.load-css("theme:overrides.scss");\n`;
  try {
    const compiled = await sass.compileStringAsync(entry, {
      url: new URL("citelibre:generated.css"),
      importers: [importer],
      sourceMap: true,
      sourceMapIncludeSources: true,
      style: "expanded",
      silenceDeprecations: [],
      logger: sass.Logger.silent,
    });
    // Sass names sources with our importer URLs; give them stable, readable relative names.
    const sassMap = compiled.sourceMap ?? { version: 3, sources: [], names: [], mappings: "" };
    sassMap.sources = sassMap.sources.map((s) => (s.startsWith("theme:") ? `theme/${s.slice(6)}` : s.startsWith("citelibre:") ? `generated/${s.slice(10)}` : "generated/entry.scss"));
    if (compiled.css.length > maxCompiledCssBytes) {
      return {
        problem: {
          severity: "error", file: "overrides.scss",
          message: `compiles to ${(compiled.css.length / 1048576).toFixed(1)} MiB of CSS, over the ${maxCompiledCssBytes / 1048576} MiB limit (a loop that generates rules?)`,
          fix: "generate fewer rules; a theme stylesheet is a few kilobytes",
        },
      };
    }
    return { css: compiled.css, map: JSON.stringify(sassMap) };
  } catch (e) {
    if (e instanceof sass.Exception) {
      const url = e.span.url;
      return {
        problem: {
          severity: "error", file: url?.protocol === "theme:" ? url.pathname : "overrides.scss",
          line: e.span.start.line + 1, column: e.span.start.column + 1,
          message: `Sass error: ${e.sassMessage}`,
          fix: "correct the stylesheet at that line; tokens are available as Sass variables such as $color-primary",
        },
      };
    }
    throw e;
  }
}

