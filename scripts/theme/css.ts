/**
 * Compiles the theme stylesheet: the custom properties theme-citelibre reads (generated from tokens),
 * the hook styles, then the theme's overrides.scss compiled with Sass (tokens exposed as Sass variables),
 * then lightningcss for vendor prefixes, minification and the source map.
 * Any stylesheet that would make the browser contact another host is refused (GDPR: no third-party fonts).
 *
 * lightningcss stands where autoprefixer and cssnano would: together they cost 0.75 s of module loading,
 * most of the one-second budget of a cold `theme build`; lightningcss loads in 25 ms.
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { pathTextRefusal, resolveInsideTheme } from "./paths.js";
import { execaNode } from "execa";
import { transform, type Targets } from "lightningcss";
import { hex } from "./color.js";
import { guardStylesheet } from "./css-guard.js";
import type { SassJob, SassOutcome } from "./sass-compile.js";
import { darkProperties, fontStack, lightProperties, sharedProperties, type Declarations } from "./css-contract.js";
import type { Design } from "./design.js";
import type { TokenSet } from "./tokens.js";
import type { Problem } from "../lib/problems.js";
import { repoPath } from "../lib/repo.js";

/** Browsers the CSS is prefixed for: the last two years of evergreen browsers plus Safari 15 (iOS 15 devices). */
const targets: Targets = { chrome: 109 << 16, edge: 109 << 16, firefox: 115 << 16, safari: 15 << 16, ios_saf: 15 << 16, samsung: 20 << 16 };

export interface CompiledCss {
  css: string;
  minCss: string;
  map: string;
  /** Files from the theme folder referenced with url(): relative path in the theme -> path in the skin's assets/. */
  assets: Map<string, string>;
}

const assetExtensions = new Set([".woff2", ".woff", ".ttf", ".otf", ".png", ".jpg", ".jpeg", ".webp", ".gif"]);
const maxAssetBytes = 5 * 1024 * 1024;

function block(selector: string, decls: Declarations): string {
  return `${selector} {\n${decls.map(([n, v]) => `  ${n}: ${v};`).join("\n")}\n}\n`;
}

/** Sass variables for every token (`color.dark.primary` -> `$color-dark-primary`) and every derived colour. */
function tokensModule(tokens: TokenSet, design: Design): string {
  const lines: string[] = ["// Generated from tokens.json."];
  for (const [p, t] of [...tokens].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const name = `$${p.replace(/\./g, "-")}`;
    const v = t.value;
    const css =
      v.type === "color" ? hex(v.color)
      : v.type === "dimension" ? `${v.value}${v.unit}`
      : v.type === "fontFamily" ? fontStack(v.families)
      : v.type === "fontWeight" ? String(v.weight)
      : v.type === "number" ? String(v.value)
      : undefined;
    if (css !== undefined) lines.push(`${name}: ${css};`);
  }
  for (const mode of ["light", "dark"] as const) {
    for (const [role, c] of Object.entries(design[mode])) lines.push(`$${mode}-${role}: ${hex(c)};`);
  }
  return lines.join("\n") + "\n";
}

/** The generated part of the stylesheet: custom properties for both modes and the hook styles. */
function generatedCss(design: Design): string {
  return [
    block(":root", sharedProperties(design)),
    block(':root,\n[data-bs-theme="light"]', lightProperties(design)),
    block('[data-bs-theme="dark"]', darkProperties(design)),
    "body {\n  font-family: var(--font-family-basics);\n}\n",
    readFileSync(repoPath("scripts/theme/styles/hooks.css"), "utf8"),
  ].join("\n");
}

export async function compileCss(options: { themeDir: string; themeName: string; tokens: TokenSet; design: Design; sassTimeoutMs: number }): Promise<{ result?: CompiledCss; problems: Problem[] }> {
  const { themeDir, themeName, tokens, design } = options;
  const problems: Problem[] = [];
  const generated = generatedCss(design);
  let css = generated;
  let map: string | undefined;
  if (existsSync(path.join(themeDir, "overrides.scss"))) {
    const compiled = await compileOverrides(themeDir, generated, tokensModule(tokens, design), options.sassTimeoutMs);
    if ("problem" in compiled) return { problems: [compiled.problem] };
    ({ css, map } = compiled);
  }

  const assets = new Map<string, string>();
  const guard = guardStylesheet(css, (target) => {
    const checked = localAsset(themeDir, target);
    if ("refuse" in checked) return checked;
    assets.set(checked.rel, `assets/${checked.rel}`);
    return { url: `../assets/${checked.rel}` };
  }, map);
  for (const f of guard.findings) {
    problems.push({
      severity: "error", file: "overrides.scss", field: f.found, message: f.message,
      fix: f.found.startsWith("@import")
        ? "remove the @import; for fonts, put the font files in the theme folder and declare them with @font-face and url(\"fonts/...\")"
        : "copy the file into the theme folder (for example fonts/) and refer to it with a relative path such as url(\"fonts/city.woff2\")",
    });
  }
  if (problems.length > 0) return { problems };
  const guarded = guard.css;
  map = guard.map ?? map;

  const filename = `${themeName}.css`;
  const readable = transform({ filename, code: Buffer.from(guarded), targets, minify: false, sourceMap: false });
  const minified = transform({
    filename,
    code: Buffer.from(guarded),
    targets,
    minify: true,
    sourceMap: true,
    ...(map ? { inputSourceMap: map } : {}),
  });
  const mapJson = JSON.parse((minified.map ? Buffer.from(minified.map).toString("utf8") : undefined) ?? "{}") as { sources?: string[]; file?: string };
  mapJson.sources = (mapJson.sources ?? []).map((s) => (s === filename ? `generated/${filename}` : s));
  mapJson.file = `${themeName}.min.css`;
  return {
    problems,
    result: {
      css: Buffer.from(readable.code).toString("utf8"),
      minCss: `${Buffer.from(minified.code).toString("utf8")}\n/*# sourceMappingURL=${themeName}.min.css.map */\n`,
      map: JSON.stringify(mapJson),
      assets,
    },
  };
}

let pinnedWorker: string | undefined;

/**
 * The Sass worker of the build this process first used: `build` is a link a rebuild moves (bundle.js), and
 * a long-running command (run --watch, the studio) keeps talking to the worker of its own build.
 */
function sassWorkerPath(): string {
  if (pinnedWorker === undefined) {
    const worker = repoPath("build", "tools", "sass-worker.js");
    if (!existsSync(worker)) throw new Error(`internal: ${worker} is missing; run npm run build`);
    pinnedWorker = realpathSync(worker);
  }
  return pinnedWorker;
}

/**
 * Sass for overrides.scss, in a process of its own (sass-worker.ts) with a time limit: an endless @while
 * must end with a message, and its compiler must not outlive this command. The worker leads its own
 * process group, so the compiler it starts goes with it when the group is killed: on time-out, when this
 * process exits, and (the worker watching its parent) when this process is killed outright.
 */
async function compileOverrides(themeDir: string, generated: string, tokensScss: string, timeoutMs: number): Promise<SassOutcome> {
  const worker = sassWorkerPath();
  const subprocess = execaNode(worker, [], { ipc: true, detached: true, reject: false, stdin: "ignore", stdout: "ignore", stderr: "pipe", cleanup: false });
  const killGroup = () => {
    try {
      if (subprocess.pid !== undefined) process.kill(-subprocess.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  process.once("exit", killGroup);
  let timer: NodeJS.Timeout | undefined;
  try {
    const job: SassJob = { themeDir, generated, tokensScss };
    const answer = subprocess.getOneMessage().then((m) => m as unknown as SassOutcome);
    const ended = subprocess.then((r) => {
      throw new Error(`internal: the Sass worker ended without an answer (exit ${String(r.exitCode ?? r.signal)}): ${r.stderr.slice(0, 500)}`);
    });
    const timedOut = new Promise<SassOutcome>((resolve) => {
      timer = setTimeout(() => {
        resolve({
          problem: {
            severity: "error", file: "overrides.scss",
            message: `took longer than ${timeoutMs / 1000} s to compile, and was stopped (an endless @while or @for, or a loop that builds a huge stylesheet?)`,
            fix: "make every loop end (a @while whose condition becomes false, a @for over a small range); a theme stylesheet compiles in well under a second",
          },
        });
      }, timeoutMs);
    });
    await subprocess.sendMessage(job);
    return await Promise.race([answer, ended, timedOut]);
  } finally {
    if (timer) clearTimeout(timer);
    killGroup();
    process.off("exit", killGroup);
    await subprocess.catch(() => undefined);
  }
}

/** A local file a stylesheet refers to: inside the theme (paths.ts), of a type a stylesheet loads, of sane size. */
function localAsset(themeDir: string, target: string): { rel: string } | { refuse: string } {
  const rel = path.posix.normalize(target.split(/[?#]/)[0] ?? "");
  const refusal = pathTextRefusal(rel);
  if (refusal) return { refuse: refusal };
  const ext = path.extname(rel).toLowerCase();
  if (!assetExtensions.has(ext)) return { refuse: `has an unsupported type (${ext || "no extension"}); allowed: ${[...assetExtensions].join(" ")}` };
  const resolved = resolveInsideTheme(themeDir, rel);
  if (!resolved.ok) return { refuse: resolved.reason === "does not exist" ? "does not exist in the theme folder" : resolved.reason };
  if (statSync(resolved.absolute).size > maxAssetBytes) return { refuse: `is over ${maxAssetBytes / 1048576} MiB` };
  return { rel };
}
