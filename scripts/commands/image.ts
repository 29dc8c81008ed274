/**
 * `citelibre base build`, `build` and `run` (with --watch): the image stages and the running site.
 */
import type { Command } from "commander";
import { UsageError, UserError, problemsText } from "../lib/problems.js";
import type { Reporter } from "../lib/log.js";
import { sassTimeoutMs } from "../theme/sass-compile.js";
import type { CommandContext } from "./context.js";
import type { BundleBuildFlags } from "../image/build-bundle.js";
import type { Engine } from "../engine/engine.js";
import type { LiveThemeOptions } from "../image/live-theme.js";
import type { BakeResult } from "../image/bake.js";
import type { Running } from "../image/run-site.js";

/** run --watch: the theme kept live in the running site, each sync said in one line (its problems after it). */
async function followTheme(engine: Engine, r: Reporter, options: Omit<LiveThemeOptions, "onSync" | "onWatchError">) {
  const { startLiveTheme } = await import("../image/live-theme.js");
  return startLiveTheme(engine, {
    ...options,
    onSync: (sync) => {
      if (!sync.ok) {
        r.warn(`the theme was not copied to the site (it shows the last good one):\n${problemsText(options.themeDir, sync.problems.filter((p) => p.severity === "error"))}`);
        return;
      }
      if (sync.copied > 0) r.result(`theme updated on the site in ${sync.ms} ms (${sync.copied} file(s) copied)`);
      for (const note of sync.notes) r.warn(note);
    },
    onWatchError: (e) => {
      r.warn(`${options.themeDir} can no longer be watched (${e.message}); the site keeps running: start citelibre run --watch again to follow the theme`);
    },
  });
}

const bundleBuildOptions = (cmd: Command) =>
  cmd
    .option("--theme <dir>", "theme folder (default: the bundle's default theme)")
    .option("--site-war <war>", "site to bake instead of the manifest's: a path, an http(s)/file URL, groupId:artifactId:version, or stand-in")
    .option("--maven-repo <url>", "Maven repository for coordinates (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--offline", "use only the local artifact cache", false)
    .option("--stand-in-if-unreachable", "bake the stand-in site when the Lutece repository cannot be reached", false)
    .option("--registry <host>", "registry part of the image name (for example ghcr.io)")
    .option("--namespace <name>", "namespace part of the image name", "citelibre")
    .option("--no-cache", "rebuild every layer of the bundle image");

/** The build flags commander parses; the environment is added from the context. */
type BuildFlags = Omit<BundleBuildFlags, "env">;

const buildBundle = async (ctx: CommandContext, name: string, opts: BuildFlags, r: Reporter) => {
  const { buildBundleImage } = await import("../image/build-bundle.js");
  return buildBundleImage(await ctx.engine(), r, name, { ...opts, env: ctx.env });
};

function registerBase(program: Command, ctx: CommandContext): void {
  program
    .command("base")
    .description("the runtime base image")
    .command("build")
    .description("build the base image from Dockerfile.base")
    .option("--bootstrap", "build the Debian root filesystem with mmdebstrap instead of pulling it from a registry", false)
    .option("--servlet-container <name>", "tomcat10 (Debian, security-maintained) or tomcat9 (Debian's 9.0.70 jars)", "tomcat10")
    .option("--from <image>", "base image when not bootstrapping (default: CITELIBRE_BASE_FROM or debian:bookworm-slim)")
    .option("--refresh-rootfs", "rebuild the root filesystem even if the cached one is less than a day old", false)
    .option("--no-cache", "do not reuse cached layers")
    .action(async (opts: { bootstrap: boolean; servletContainer: string; from?: string; refreshRootfs: boolean; cache: boolean }) => {
      const { buildBaseImage } = await import("../image/base.js");
      if (opts.servletContainer !== "tomcat10" && opts.servletContainer !== "tomcat9") {
        throw new UsageError(`--servlet-container must be tomcat10 or tomcat9, not "${opts.servletContainer}"`);
      }
      const r = ctx.reporter();
      const result = await buildBaseImage(await ctx.engine(), r, {
        bootstrap: opts.bootstrap, servlet: opts.servletContainer, refreshRootfs: opts.refreshRootfs, noCache: !opts.cache, env: ctx.env,
        ...(opts.from ? { from: opts.from } : {}),
      });
      r.json({ ok: true, ...result });
      r.result(`Built ${result.image} (${(result.sizeBytes / 1e6).toFixed(0)} MB, ${result.id.slice(0, 12)}) from ${result.from} in ${(result.durationMs / 1000).toFixed(1)} s`);
    });
}

function registerBuild(program: Command, ctx: CommandContext): void {
  bundleBuildOptions(
    program.command("build <bundle>").description("bake a bundle image (base + site WAR + bundle config and SQL + theme)"),
  )
    .option("--platform <os/arch>", "build for linux/amd64 or linux/arm64 (a foreign one runs under QEMU: slow; see docs/publishing.md)")
    .action(async (name: string, opts: BuildFlags) => {
      if (opts.platform) {
        const { checkPlatforms } = await import("../image/platform.js");
        const platforms = checkPlatforms(opts.platform);
        if (platforms.length !== 1) throw new UsageError("--platform takes one os/arch; release --platforms builds several");
      }
      const r = ctx.reporter();
      const started = performance.now();
      const { result } = await buildBundle(ctx, name, opts, r);
      const { pluginsText } = await import("../bundle/plugins.js");
      const total = Math.round(performance.now() - started);
      r.json({ ok: true, ...result, durationMs: total });
      r.result([
        `Built ${result.image}${result.site.standIn ? "  (STAND-IN site)" : ""}`,
        `  id:     ${result.id}`,
        `  tags:   ${result.tags.join(", ")}`,
        `  size:   ${(result.sizeBytes / 1e6).toFixed(0)} MB`,
        `  theme:  ${result.theme.name} (${result.theme.digest.slice(0, 19)})`,
        `  site:   ${result.site.source}`,
        ...(result.site.standIn ? [] : [`  plugins: ${pluginsText(result.plugins)}`]),
        `  steps:  ${Object.entries(result.steps).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(", ")}; total ${(total / 1000).toFixed(1)} s`,
      ].join("\n"));
    });
}

type RunFlags = BuildFlags & { port: string; mailPort: string; host: string; detach: boolean; name?: string; watch: boolean };

function registerRun(program: Command, ctx: CommandContext): void {
  bundleBuildOptions(
    program.command("run <bundle>").description("build what is missing, start the site with a named volume, wait until it answers, print its URLs"),
  )
    .option("--port <n>", "port of the site on this machine", "8080")
    .option("--mail-port <n>", "port of the caught-mail viewer (on 127.0.0.1 only: the mails hold password-reset links)", "1080")
    .option("--host <ip>", "address to publish the site on (0.0.0.0 to reach it from other machines)", "127.0.0.1")
    .option("--detach", "return once the site has started, leaving it running", false)
    .option("--name <container>", "container name (default citelibre-<bundle>); its data volume is <container>-data")
    .option("--watch", "keep the theme live: every save of the theme folder is checked and copied into the running site, no rebuild", false)
    .action((name: string, opts: RunFlags) => runBundle(ctx, name, opts));
}

function checkRunFlags(opts: RunFlags): { port: number; mailPort: number } {
  const port = Number(opts.port);
  const mailPort = Number(opts.mailPort);
  for (const [flag, v] of [["--port", port], ["--mail-port", mailPort]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 65535) throw new UsageError(`${flag} must be a port number`);
  }
  if (opts.name !== undefined && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(opts.name)) {
    throw new UsageError(`--name: "${opts.name}" is not a container name (letters, digits, '_', '.' and '-', starting with a letter or digit)`);
  }
  if (opts.watch && opts.detach) throw new UsageError("--watch follows the theme folder until Ctrl-C: drop --detach");
  return { port, mailPort };
}

async function runBundle(ctx: CommandContext, name: string, opts: RunFlags): Promise<void> {
  const { port, mailPort } = checkRunFlags(opts);
  const { runSite, waitForInterruptOrExit } = await import("../image/run-site.js");
  const r = ctx.reporter();
  const { bundle, result, themeDir } = await buildBundle(ctx, name, opts, r);
  const eng = await ctx.engine();
  r.step(`starting ${result.image}`);
  // Longer than the entrypoint's own waits (set-up lock, then the site's start: 300 s each), which say why.
  const { carriesApplication, pluginsText } = await import("../bundle/plugins.js");
  const applicationPresent = !result.site.standIn && carriesApplication(bundle.manifest, result.plugins);
  const running = await runSite(eng, r, { image: result.id, manifest: bundle.manifest, port, mailPort, host: opts.host, timeoutMs: 660_000, liveTheme: opts.watch, applicationPresent, ...(opts.name ? { name: opts.name } : {}) });
  r.json({ ok: true, image: result.image, standIn: result.site.standIn, plugins: result.plugins, ...running });
  r.result(runningSummary(eng.name, bundle.manifest.title, result, running, pluginsText(result.plugins, "none (a bare Lutece core site)")));
  if (opts.detach) {
    r.result(`Stop it with: ${eng.name} stop ${running.container}`);
    return;
  }
  const live = opts.watch ? await followThemeOrStop(eng, r, { container: running.container, image: result.id, themeDir, context: bundle.manifest.context, bakedDigest: result.theme.digest, sassTimeoutMs: sassTimeoutMs(ctx.env) }) : undefined;
  r.result(`Press Ctrl-C to stop it (the data stays in the volume).${live ? `\nWatching ${themeDir}: each save is checked and, when it passes, shown on the site (reload the page).` : ""}`);
  const why = await waitForInterruptOrExit(eng, running.container);
  await live?.close();
  if (why === "exited") {
    r.result(`The container stopped on its own; see: ${eng.name} logs ${running.container}`);
    ctx.setExitCode(1);
    return;
  }
  r.step(`stopping ${running.container}`);
  await eng.stop(running.container, 10);
  r.result("Stopped.");
}

function runningSummary(engineName: string, title: string, result: BakeResult, running: Running, plugins: string): string {
  return [
    "",
    `${title} is running (theme ${result.theme.name}), started in ${(running.startupMs / 1000).toFixed(1)} s.`,
    ...(result.site.standIn ? ["NOTE: this is the STAND-IN site, a small demo webapp that shows the theme; the real application needs the Lutece Maven repository (or a built WAR: --site-war)."] : []),
    `  site:         ${running.urls.frontOffice}`,
    ...(running.urls.application ? [`  application:  ${running.urls.application}`] : []),
    ...(result.site.standIn
      ? ["  back office:  (none in the stand-in site)"]
      : [`  back office:  ${running.urls.backOffice}`, `                account admin; its password: ${running.secrets.admin}`]),
    ...(running.urls.applicationBackOffice ? [`                its screens: ${running.urls.applicationBackOffice}`] : []),
    ...(result.site.standIn ? [] : [`  plugins:      ${plugins}`]),
    `  mails:        ${running.urls.mail}`,
    `  data volume:  ${running.volume}`,
    `  database password: ${running.secrets.database}`,
    `  logs:         ${engineName} logs -f ${running.container}`,
  ].join("\n");
}

/** The site is not left running unwatched when the person asked for a live theme. */
async function followThemeOrStop(engine: Engine, r: Reporter, options: Omit<LiveThemeOptions, "onSync" | "onWatchError">) {
  return followTheme(engine, r, options).catch(async (e: unknown) => {
    await engine.stop(options.container, 10).catch(() => undefined);
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${options.themeDir} cannot be followed (${(e as Error).message}); the site was stopped. ${code === "ENOSPC" || code === "EMFILE" ? "This machine's limit of watched folders is reached: raise fs.inotify.max_user_watches (sysctl), or " : ""}run citelibre run again${code === "ENOENT" ? " once the theme folder is back" : ""}.`);
  });
}

export function registerImageCommands(program: Command, ctx: CommandContext): void {
  registerBase(program, ctx);
  registerBuild(program, ctx);
  registerRun(program, ctx);
}
