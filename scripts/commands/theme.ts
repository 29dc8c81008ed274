/**
 * `citelibre theme new|check|build|preview`: a city's theme folder.
 */
import path from "node:path";
import type { Command } from "commander";
import { UsageError, problemsText, summaryLine } from "../lib/problems.js";
import type { Reporter } from "../lib/log.js";
import { sassTimeoutMs } from "../theme/sass-compile.js";
import type { CommandContext } from "./context.js";

/** theme preview --watch: serves until Ctrl-C (or SIGTERM). */
async function watchPreview(dir: string, portFlag: string | undefined, r: Reporter, env: NodeJS.ProcessEnv): Promise<void> {
  const port = portFlag === undefined ? 0 : Number(portFlag);
  if (portFlag !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new UsageError("--port must be a port number from 1 to 65535");
  const { startStudio } = await import("../theme/studio.js");
  r.step(`building ${dir}`);
  const studio = await startStudio(dir, {
    ...(port ? { port } : {}),
    sassTimeoutMs: sassTimeoutMs(env),
    onBuild: (b) => {
      r.step(`${b.ok ? "rebuilt" : "rebuilt with errors (last good build shown)"} in ${b.ms} ms; ${b.problems.filter((p) => p.severity === "error").length} error(s), ${b.problems.filter((p) => p.severity === "warning").length} warning(s)`);
    },
  });
  r.json({ ok: true, url: studio.url });
  r.result(`Theme studio for ${dir}: ${studio.url}
It rebuilds on every save and the page reloads by itself. Ctrl-C stops it.`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await studio.close();
}

function registerThemeNew(theme: Command, ctx: CommandContext): void {
  theme
    .command("new <name>")
    .description("create themes/<name> from an existing theme, ready to edit")
    .option("--from <theme>", "theme to start from (a name in themes/ or a path)", "citelibre")
    .action(async (name: string, opts: { from: string }) => {
      const { scaffoldTheme } = await import("../theme/scaffold.js");
      const r = ctx.reporter();
      const target = await scaffoldTheme(name, { from: opts.from });
      r.json({ theme: name, dir: target });
      r.result(`Created ${path.relative(process.cwd(), target) || target}.\nNext: put your logo in logo.svg, your colours in tokens.json, your links in theme.yaml, then run:\n  npx citelibre theme preview ${path.relative(process.cwd(), target)}`);
    });
}

function registerThemeCheck(theme: Command, ctx: CommandContext): void {
  theme
    .command("check <dir>")
    .description("validate a theme folder and list every problem (exit 1 if any error)")
    .action(async (dir: string) => {
      const { checkTheme } = await import("../theme/build.js");
      const r = ctx.reporter();
      r.step(`checking ${dir}`);
      const outcome = await checkTheme(dir, { sassTimeoutMs: sassTimeoutMs(ctx.env) });
      r.json({ valid: outcome.valid, problems: outcome.problems });
      if (outcome.problems.length > 0) r.result(problemsText(dir, outcome.problems));
      r.result(outcome.valid ? `${dir}: valid (${summaryLine(outcome.problems)})` : `${dir}: invalid (${summaryLine(outcome.problems)})`);
      ctx.setExitCode(outcome.valid ? 0 : 1);
    });
}

function registerThemeBuild(theme: Command, ctx: CommandContext): void {
  theme
    .command("build <dir>")
    .description("compile a theme folder into a CiteLibre overlay (default: dist/themes/<name>)")
    .option("--out <dir>", "output folder")
    .action(async (dir: string, opts: { out?: string }) => {
      const { buildTheme } = await import("../theme/build.js");
      const r = ctx.reporter();
      const started = performance.now();
      r.step(`building ${dir}`);
      const outcome = await buildTheme(dir, opts.out, { sassTimeoutMs: sassTimeoutMs(ctx.env) });
      const ms = Math.round(performance.now() - started);
      if (!outcome.valid || !outcome.manifest || !outcome.outDir) {
        r.json({ ok: false, problems: outcome.problems });
        r.result(problemsText(dir, outcome.problems));
        r.result(`${dir}: not built (${summaryLine(outcome.problems)})`);
        ctx.setExitCode(1);
        return;
      }
      const m = outcome.manifest;
      r.json({ ok: true, theme: m.theme, out: outcome.outDir, digest: m.digest, tokensDigest: m.tokensDigest, files: m.files.length, durationMs: ms, problems: outcome.problems });
      if (outcome.problems.length > 0) r.result(problemsText(dir, outcome.problems));
      r.result(`Built theme ${m.theme.name} ${m.theme.version} -> ${path.relative(process.cwd(), outcome.outDir) || outcome.outDir} (${m.files.length} files, ${m.digest.slice(0, 19)}, ${ms} ms)`);
    });
}

/** Builds the theme once and writes preview.html with light and dark screenshots. */
async function previewOnce(ctx: CommandContext, dir: string, outFlag: string | undefined): Promise<void> {
  const { previewTheme } = await import("../theme/preview.js");
  const r = ctx.reporter();
  const preview = await previewTheme(dir, { ...(outFlag ? { out: outFlag } : {}), env: ctx.env, onStep: (step) => { r.step(step); } });
  if (!preview.ok) {
    r.json({ ok: false, problems: preview.problems });
    r.result(problemsText(dir, preview.problems));
    r.result(`${dir}: no preview (${summaryLine(preview.problems)})`);
    ctx.setExitCode(1);
    return;
  }
  const { outDir: out, screenshots: shots } = preview;
  const rel = (p: string) => path.relative(process.cwd(), p) || p;
  r.json({ ok: shots.blockedRequests.length === 0, page: path.join(out, "preview.html"), screenshots: { light: shots.light, dark: shots.dark }, blockedRequests: shots.blockedRequests });
  if (shots.blockedRequests.length > 0) {
    r.result(`error: the preview tried to contact other hosts (blocked): ${shots.blockedRequests.join(", ")}\n  fix: remove those references from the theme; a city's site must make no third-party request`);
    ctx.setExitCode(1);
    return;
  }
  r.result(`Preview of ${preview.themeName}:\n  page:  ${rel(path.join(out, "preview.html"))}\n  light: ${rel(shots.light)}\n  dark:  ${rel(shots.dark)}`);
}

function registerThemePreview(theme: Command, ctx: CommandContext): void {
  theme
    .command("preview <dir>")
    .description("build the theme, then render preview.html and light/dark screenshots with headless Chromium")
    .option("--out <dir>", "output folder (default: dist/themes/<name>)")
    .option("--watch", "serve the preview on 127.0.0.1, rebuild on every save and reload the page by itself", false)
    .option("--port <n>", "with --watch: port of 127.0.0.1 to serve on (default: a free one)")
    .action((dir: string, opts: { out?: string; watch: boolean; port?: string }) => (opts.watch ? watchPreview(dir, opts.port, ctx.reporter(), ctx.env) : previewOnce(ctx, dir, opts.out)));
}

export function registerTheme(program: Command, ctx: CommandContext): void {
  const theme = program.command("theme").description("create, check, build and preview city themes");
  for (const register of [registerThemeNew, registerThemeCheck, registerThemeBuild, registerThemePreview]) register(theme, ctx);
}
