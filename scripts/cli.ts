/**
 * The `citelibre` command: routing and global flags only; each stage does its own work.
 * Exit codes: 0 success, 1 failed check or build, 2 usage error.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Command, CommanderError } from "commander";
import type { BundleBuildFlags } from "./image/build-bundle.js";
import { processIo, Reporter, type Io } from "./lib/log.js";
import { ToolError } from "./lib/exec.js";
import { UsageError, UserError, formatProblem, problemsText, summaryLine } from "./lib/problems.js";
import { repoPath } from "./lib/repo.js";

interface GlobalOptions {
  json: boolean;
  verbose: boolean;
}

/** theme preview --watch: serves until Ctrl-C (or SIGTERM). */
async function watchPreview(dir: string, portFlag: string | undefined, r: Reporter): Promise<void> {
  const port = portFlag === undefined ? 0 : Number(portFlag);
  if (portFlag !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new UsageError("--port must be a port number from 1 to 65535");
  const { startStudio } = await import("./theme/studio.js");
  r.step(`building ${dir}`);
  const studio = await startStudio(dir, {
    ...(port ? { port } : {}),
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

/** run --watch: the theme kept live in the running site, each sync said in one line (its problems after it). */
async function followTheme(engine: import("./engine/engine.js").Engine, r: Reporter, options: Omit<import("./image/live-theme.js").LiveThemeOptions, "onSync" | "onWatchError">) {
  const { startLiveTheme } = await import("./image/live-theme.js");
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

function toolVersion(): string {
  return (JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as { version: string }).version;
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  // Browserslist data age is not the user's problem, and its warning would pollute --json output.
  process.env.BROWSERSLIST_IGNORE_OLD_DATA ??= "1";
  let exitCode = 0;
  const program = new Command("citelibre")
    .description("Build branded CiteLibre (Lutece) sites: themes, images, scans, releases.")
    .option("--json", "print machine-readable JSON on stdout", false)
    .option("--verbose", "print every step and tool call", false)
    .option("--engine <engine>", "container engine: docker or podman (default: CITELIBRE_ENGINE, else detect)")
    .version(toolVersion(), "--version", "print the version of citelibre-forge")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => {
        io.stdout.write(s);
      },
      writeErr: (s) => {
        io.stderr.write(s);
      },
    });

  const reporter = () => {
    const g = program.opts<GlobalOptions>();
    return new Reporter(io, { json: g.json, verbose: g.verbose });
  };

  const engine = async () => {
    const { selectEngine } = await import("./engine/engine.js");
    const g = program.opts<GlobalOptions & { engine?: string }>();
    return selectEngine(g.engine, g.verbose ? { verbose: (l) => { io.stderr.write(`        ${l}\n`); } } : {});
  };

  program
    .command("doctor")
    .description("list what is installed, what is missing, and how to fix it")
    .action(async () => {
      const { runChecks, doctorText } = await import("./lib/doctor.js");
      const r = reporter();
      const checks = await runChecks();
      r.json({ ok: checks.every((c) => c.ok || c.testsOnly || c.optional), checks });
      r.result(doctorText(checks));
      exitCode = checks.every((c) => c.ok || c.testsOnly || c.optional) ? 0 : 1;
    });

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
      const { buildBaseImage } = await import("./image/base.js");
      if (opts.servletContainer !== "tomcat10" && opts.servletContainer !== "tomcat9") {
        throw new UsageError(`--servlet-container must be tomcat10 or tomcat9, not "${opts.servletContainer}"`);
      }
      const r = reporter();
      const result = await buildBaseImage(await engine(), r, {
        bootstrap: opts.bootstrap, servlet: opts.servletContainer, refreshRootfs: opts.refreshRootfs, noCache: !opts.cache,
        ...(opts.from ? { from: opts.from } : {}),
      });
      r.json({ ok: true, ...result });
      r.result(`Built ${result.image} (${(result.sizeBytes / 1e6).toFixed(0)} MB, ${result.id.slice(0, 12)}) from ${result.from} in ${(result.durationMs / 1000).toFixed(1)} s`);
    });

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

  const buildBundle = async (name: string, opts: BundleBuildFlags, r: Reporter) => {
    const { buildBundleImage } = await import("./image/build-bundle.js");
    return buildBundleImage(await engine(), r, name, opts);
  };

  bundleBuildOptions(
    program.command("build <bundle>").description("bake a bundle image (base + site WAR + bundle config and SQL + theme)"),
  )
    .option("--platform <os/arch>", "build for linux/amd64 or linux/arm64 (a foreign one runs under QEMU: slow; see docs/publishing.md)")
    .action(async (name: string, opts: BundleBuildFlags) => {
      if (opts.platform) {
        const { checkPlatforms } = await import("./image/platform.js");
        const platforms = checkPlatforms(opts.platform);
        if (platforms.length !== 1) throw new UsageError("--platform takes one os/arch; release --platforms builds several");
      }
      const r = reporter();
      const started = performance.now();
      const { result } = await buildBundle(name, opts, r);
      const total = Math.round(performance.now() - started);
      r.json({ ok: true, ...result, durationMs: total });
      r.result([
        `Built ${result.image}${result.site.standIn ? "  (STAND-IN site)" : ""}`,
        `  id:     ${result.id}`,
        `  tags:   ${result.tags.join(", ")}`,
        `  size:   ${(result.sizeBytes / 1e6).toFixed(0)} MB`,
        `  theme:  ${result.theme.name} (${result.theme.digest.slice(0, 19)})`,
        `  site:   ${result.site.source}`,
        `  steps:  ${Object.entries(result.steps).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(", ")}; total ${(total / 1000).toFixed(1)} s`,
      ].join("\n"));
    });

  bundleBuildOptions(
    program.command("run <bundle>").description("build what is missing, start the site with a named volume, wait until it answers, print its URLs"),
  )
    .option("--port <n>", "port of the site on this machine", "8080")
    .option("--mail-port <n>", "port of the caught-mail viewer (on 127.0.0.1 only: the mails hold password-reset links)", "1080")
    .option("--host <ip>", "address to publish the site on (0.0.0.0 to reach it from other machines)", "127.0.0.1")
    .option("--detach", "return once the site has started, leaving it running", false)
    .option("--name <container>", "container name (default citelibre-<bundle>); its data volume is <container>-data")
    .option("--watch", "keep the theme live: every save of the theme folder is checked and copied into the running site, no rebuild", false)
    .action(async (name: string, opts: BundleBuildFlags & { port: string; mailPort: string; host: string; detach: boolean; name?: string; watch: boolean }) => {
      const { runSite } = await import("./image/run-site.js");
      const port = Number(opts.port);
      const mailPort = Number(opts.mailPort);
      for (const [flag, v] of [["--port", port], ["--mail-port", mailPort]] as const) {
        if (!Number.isInteger(v) || v < 1 || v > 65535) throw new UsageError(`${flag} must be a port number`);
      }
      if (opts.name !== undefined && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(opts.name)) {
        throw new UsageError(`--name: "${opts.name}" is not a container name (letters, digits, '_', '.' and '-', starting with a letter or digit)`);
      }
      if (opts.watch && opts.detach) throw new UsageError("--watch follows the theme folder until Ctrl-C: drop --detach");
      const r = reporter();
      const { bundle, result, themeDir } = await buildBundle(name, opts, r);
      const eng = await engine();
      r.step(`starting ${result.image}`);
      // Longer than the entrypoint's own waits (set-up lock, then the site's start: 300 s each), which say why.
      const running = await runSite(eng, r, { image: result.id, manifest: bundle.manifest, port, mailPort, host: opts.host, timeoutMs: 660_000, liveTheme: opts.watch, ...(opts.name ? { name: opts.name } : {}) });
      r.json({ ok: true, image: result.image, standIn: result.site.standIn, ...running });
      r.result([
        "",
        `${bundle.manifest.title} is running (theme ${result.theme.name}), started in ${(running.startupMs / 1000).toFixed(1)} s.`,
        ...(result.site.standIn ? ["NOTE: this is the STAND-IN site, a small demo webapp that shows the theme; the real application needs the Lutece Maven repository (or a built WAR: --site-war)."] : []),
        `  site:         ${running.urls.frontOffice}`,
        ...(result.site.standIn
          ? ["  back office:  (none in the stand-in site)"]
          : [`  back office:  ${running.urls.backOffice}`, `                account admin; its password: ${running.secrets.admin}`]),
        `  mails:        ${running.urls.mail}`,
        `  data volume:  ${running.volume}`,
        `  database password: ${running.secrets.database}`,
        `  logs:         ${eng.name} logs -f ${running.container}`,
      ].join("\n"));
      if (opts.detach) {
        r.result(`Stop it with: ${eng.name} stop ${running.container}`);
        return;
      }
      const live = opts.watch
        ? await followTheme(eng, r, { container: running.container, image: result.id, themeDir, context: bundle.manifest.context, bakedDigest: result.theme.digest }).catch(async (e: unknown) => {
          // Not left running unwatched: the person asked for a live theme.
          await eng.stop(running.container, 10).catch(() => undefined);
          if (e instanceof UserError) throw e;
          const code = (e as NodeJS.ErrnoException).code;
          throw new UserError(`${themeDir} cannot be followed (${(e as Error).message}); the site was stopped. ${code === "ENOSPC" || code === "EMFILE" ? "This machine's limit of watched folders is reached: raise fs.inotify.max_user_watches (sysctl), or " : ""}run citelibre run again${code === "ENOENT" ? " once the theme folder is back" : ""}.`);
        })
        : undefined;
      r.result(`Press Ctrl-C to stop it (the data stays in the volume).${live ? `\nWatching ${themeDir}: each save is checked and, when it passes, shown on the site (reload the page).` : ""}`);
      const { waitForInterruptOrExit } = await import("./image/run-site.js");
      const why = await waitForInterruptOrExit(eng, running.container);
      await live?.close();
      if (why === "exited") {
        r.result(`The container stopped on its own; see: ${eng.name} logs ${running.container}`);
        exitCode = 1;
        return;
      }
      r.step(`stopping ${running.container}`);
      await eng.stop(running.container, 10);
      r.result("Stopped.");
    });

  program
    .command("scan <image>")
    .description("SBOM of an image, Trivy's vulnerability gate (when installed), and pending Debian security updates")
    .option("--sbom <file>", "where to write the CycloneDX SBOM (default: dist/scan/<image>.cdx.json)")
    .option("--sarif <file>", "write Trivy's findings as SARIF 2.1.0 (GitHub code scanning)")
    .option("--markdown <file>", "write a markdown summary (release report, GitHub job summary)")
    .option("--policy <file>", "scan policy: failing severities, unfixed, ignore list (default: config/scan-policy.yaml)")
    .option("--require-trivy", "fail when Trivy is not installed instead of scanning without it", false)
    .option("--trivy-target <what>", "what Trivy scans: image (the saved image) or sbom (the SBOM written here)", "image")
    .option("--no-freshness", "skip the check for pending Debian updates (it needs the Debian mirror)")
    .action(async (image: string, opts: { sbom?: string; sarif?: string; markdown?: string; policy?: string; requireTrivy: boolean; trivyTarget: string; freshness: boolean }) => {
      const { scanImage, scanText } = await import("./scan/scan.js");
      if (opts.trivyTarget !== "image" && opts.trivyTarget !== "sbom") throw new UsageError(`--trivy-target must be image or sbom, not "${opts.trivyTarget}"`);
      const { readFile } = await import("node:fs/promises");
      const { repoPath } = await import("./lib/repo.js");
      const toolVersion = (JSON.parse(await readFile(repoPath("package.json"), "utf8")) as { version: string }).version;
      const r = reporter();
      const result = await scanImage(await engine(), r, image, {
        requireTrivy: opts.requireTrivy, trivyTarget: opts.trivyTarget, freshness: opts.freshness, tool: { name: "citelibre-forge", version: toolVersion },
        ...(opts.sbom ? { sbomFile: opts.sbom } : {}), ...(opts.sarif ? { sarifFile: opts.sarif } : {}),
        ...(opts.markdown ? { markdownFile: opts.markdown } : {}), ...(opts.policy ? { policyFile: opts.policy } : {}),
      });
      r.json({ ok: result.passed, ...result });
      r.result(scanText(result));
      if (!result.passed) exitCode = 1;
    });

  program
    .command("publish <image>")
    .description("push every tag of a built image to registries, verify each by digest, sign when asked")
    .requiredOption("--registry <host/namespace>", "destination, e.g. ghcr.io/citelibre (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--sign <how>", "gpg:<fingerprint> (podman simple signing), cosign (keyless in GitHub Actions) or cosign:<key>")
    .option("--platforms <list>", "linux/amd64,linux/arm64: one manifest list per tag joining each platform's image (built with build --platform)")
    .action(async (image: string, opts: { registry: string[]; sign?: string; platforms?: string }) => {
      const { publishImage, publishText } = await import("./publish/publish.js");
      const { parseSigning } = await import("./publish/sign.js");
      const { parsePlatforms } = await import("./image/platform.js");
      const signing = parseSigning(opts.sign);
      if ("error" in signing) throw new UsageError(signing.error);
      const platforms = opts.platforms ? parsePlatforms(opts.platforms) : undefined;
      const r = reporter();
      const result = await publishImage(await engine(), r, image, { registries: opts.registry, signing, ...(platforms ? { platforms } : {}) });
      r.json(result);
      r.result(publishText(result));
      if (!result.ok) exitCode = 1;
    });

  program
    .command("verify <reference>")
    .description("check the signature of a published image (registry/namespace/bundle:tag or @sha256:...)")
    .option("--gpg-key <fingerprint>", "expect a GPG simple signature by this key (public key in the gpg keyring)")
    .option("--cosign-key <key>", "expect a cosign signature made with this key (file, env://VAR or KMS URI)")
    .option("--cosign-keyless <owner/repo>", "expect a keyless cosign signature by the nightly or release workflow of this GitHub repository")
    .action(async (reference: string, opts: { gpgKey?: string; cosignKey?: string; cosignKeyless?: string }) => {
      const { verifyGpg, verifyCosign, workflowIdentity } = await import("./publish/sign.js");
      const { isLoopback } = await import("./lib/http.js");
      const { remoteManifest } = await import("./publish/registry.js");
      const modes = [opts.gpgKey, opts.cosignKey, opts.cosignKeyless].filter(Boolean).length;
      if (modes !== 1) throw new UsageError("give exactly one of --gpg-key <fingerprint>, --cosign-key <key>, --cosign-keyless <owner/repo>");
      const r = reporter();
      let result;
      if (opts.gpgKey) {
        result = await verifyGpg(reference, opts.gpgKey);
      } else {
        const manifest = await remoteManifest(reference);
        if (!manifest) throw new UserError(`${reference} is not in its registry: check the name and tag`);
        const byDigest = reference.includes("@") ? reference : `${reference.replace(/:[^/:]+$/, "")}@${manifest.digest}`;
        result = await verifyCosign(byDigest, {
          tlsVerify: !isLoopback(reference.split("/")[0] ?? ""),
          ...(opts.cosignKey ? { key: opts.cosignKey } : {}), ...(opts.cosignKeyless ? { identity: workflowIdentity(opts.cosignKeyless) } : {}),
        });
      }
      r.json(result);
      r.result(`${result.verified ? "VERIFIED" : "NOT VERIFIED"}: ${result.reference} (${result.digest}): ${result.detail}`);
      if (!result.verified) exitCode = 1;
    });

  program
    .command("release")
    .description("the whole matrix: base once, then build -> scan -> publish for every bundle x theme, with a report")
    .option("--nightly", "tag nightly and nightly-YYYYMMDD, and rebuild only what changed", false)
    .option("--bundles <list>", "comma-separated bundles (default: every folder in bundles/)")
    .option("--themes <list>", "comma-separated themes (default: every folder in themes/)")
    .option("--registry <host/namespace>", "publish to this registry (repeatable); without it, build and scan only", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--sign <how>", "gpg:<fingerprint>, cosign or cosign:<key> (see citelibre publish)")
    .option("--site-war <war>", "one site for every bundle (tests and demos: stand-in)")
    .option("--stand-in-if-unreachable", "bake the stand-in site where the Lutece repository cannot be reached", false)
    .option("--require-trivy", "fail images that could not be scanned for vulnerabilities", false)
    .option("--max-age-days <n>", "nightly: rebuild when the last nightly is older than this", "7")
    .option("--report-dir <dir>", "where report.json, report.md and the SBOMs go", "dist/release")
    .option("--dry-run", "print every image, tag and registry it would publish, and change nothing", false)
    .option("--platforms <list>", "linux/amd64,linux/arm64: build each and publish one manifest list per tag (foreign ones run under QEMU)")
    .action(async (opts: { platforms?: string; nightly: boolean; bundles?: string; themes?: string; registry: string[]; sign?: string; siteWar?: string; standInIfUnreachable: boolean; requireTrivy: boolean; maxAgeDays: string; reportDir: string; dryRun: boolean }) => {
      const { runRelease } = await import("./release/release.js");
      const { reportMarkdown } = await import("./release/report.js");
      const { parseSigning } = await import("./publish/sign.js");
      const { readFile } = await import("node:fs/promises");
      const { repoPath } = await import("./lib/repo.js");
      const signing = parseSigning(opts.sign);
      if ("error" in signing) throw new UsageError(signing.error);
      const { checkPlatforms } = await import("./image/platform.js");
      const platforms = opts.platforms ? checkPlatforms(opts.platforms) : undefined;
      const maxAgeDays = Number(opts.maxAgeDays);
      if (!Number.isFinite(maxAgeDays) || maxAgeDays <= 0) throw new UsageError("--max-age-days must be a positive number of days");
      const list = (v: string | undefined) => v?.split(",").map((x) => x.trim()).filter(Boolean);
      const toolVersion = (JSON.parse(await readFile(repoPath("package.json"), "utf8")) as { version: string }).version;
      const bundles = list(opts.bundles);
      const themes = list(opts.themes);
      const r = reporter();
      const report = await runRelease(await engine(), r, {
        nightly: opts.nightly, registries: opts.registry, dryRun: opts.dryRun, signing, standInIfUnreachable: opts.standInIfUnreachable,
        requireTrivy: opts.requireTrivy, maxAgeDays, reportDir: path.resolve(opts.reportDir), tool: { name: "citelibre-forge", version: toolVersion },
        ...(bundles ? { bundles } : {}), ...(themes ? { themes } : {}), ...(opts.siteWar ? { siteWar: opts.siteWar } : {}), ...(platforms ? { platforms } : {}),
      });
      r.json(report);
      r.result(reportMarkdown(report).trimEnd());
      if (!report.dryRun) r.result(`\nReport: ${path.join(path.resolve(opts.reportDir), "report.md")} and report.json`);
      if (!report.ok) exitCode = 1;
    });

  const deploy = program.command("deploy").description("generate a compose stack or Kubernetes manifests that run a bundle image beyond one container");
  const deployFlags = (cmd: Command) =>
    cmd
      .option("--theme <name|dir>", "theme baked into the image (its tag gets -<theme> unless it is the default)")
      .option("--image <ref>", "image to run (default: citelibre/<bundle>:<version>[-<theme>])")
      .option("--registry <host>", "registry of the derived image name (e.g. ghcr.io)")
      .option("--namespace <name>", "namespace of the derived image name", "citelibre")
      .option("--name <stack>", "prefix of every service, object and volume name (default citelibre-<bundle>)")
      .option("--out <dir>", "folder to write (default: dist/deploy/<bundle>[-<theme>]/<kind>)");
  deployFlags(deploy.command("compose <bundle>").description("compose.yaml: app-only container, MariaDB, mail catcher, secrets as files, .env.example"))
    .action(async (name: string, opts: import("./deploy/deploy.js").DeployFlags) => {
      const { deployCompose } = await import("./deploy/deploy.js");
      const r = reporter();
      const result = await deployCompose(name, opts);
      const rel = path.relative(process.cwd(), result.outDir) || ".";
      r.json({ ok: true, outDir: result.outDir, image: result.model.image, files: result.files, passwordsCreated: result.passwordsCreated });
      r.result([
        `Wrote the compose stack of ${result.model.bundle} (${result.model.image}) to ${rel}:`,
        ...result.files.map((f) => `  ${f}`),
        ...["secrets/db_password", "secrets/admin_password"].map((f) => `  ${f.padEnd(24)}${result.passwordsCreated.includes(f) ? "(new random password, mode 0600: keep it private)" : "(kept as it was)"}`),
        "  (admin_password: the back-office account admin, set when the database is first set up)",
        "Start it with:",
        `  cd ${rel} && docker compose -p ${result.model.stack} up -d      (docker-compose and podman-compose take the same -p)`,
        `Then open http://127.0.0.1:8080${result.model.frontOfficePath}`,
      ].join("\n"));
      for (const note of result.notes ?? []) r.warn(note);
    });
  deployFlags(deploy.command("k8s <bundle>").description("Kubernetes manifests (kustomize-ready), validated against the Kubernetes OpenAPI schemas"))
    .option("--replicas <n>", "application replicas", "2")
    .option("--external-db <host[:port]>", "use a database outside the cluster instead of the MariaDB StatefulSet")
    .option("--db-storage <size>", "size of the database volume", "5Gi")
    .option("--smtp <host[:port]>", "send mail through this SMTP server (user and password from the Secret) instead of the mail catcher")
    .option("--ingress-host <host>", "an Ingress publishing the site under this host name (also its LUTECE_PROD_URL)")
    .option("--tls-secret <name>", "TLS certificate Secret for the Ingress (https)")
    .option("--ingress-class <name>", "IngressClass of the Ingress (default: the cluster's)")
    .option("--podman", "also write podman-play.yaml, for `podman kube play` on one machine", false)
    .option("--podman-port <n>", "with --podman: port of 127.0.0.1 where the site is published", "8080")
    .action(async (name: string, opts: Omit<import("./deploy/deploy.js").K8sFlags, "podmanPort"> & { replicas: string; podmanPort: string }) => {
      const { deployKubernetes } = await import("./deploy/deploy.js");
      const replicas = Number(opts.replicas);
      if (!Number.isInteger(replicas) || replicas < 1 || replicas > 50) throw new UsageError("--replicas must be a whole number from 1 to 50");
      const r = reporter();
      const podmanPort = Number(opts.podmanPort);
      if (!Number.isInteger(podmanPort) || podmanPort < 1 || podmanPort > 65535) throw new UsageError("--podman-port must be a port number from 1 to 65535");
      const result = await deployKubernetes(name, { ...opts, replicas, podmanPort });
      const rel = path.relative(process.cwd(), result.outDir) || ".";
      r.json({ ok: true, outDir: result.outDir, image: result.model.image, files: result.files, kubernetesVersion: result.kubernetesVersion });
      r.result([
        `Wrote Kubernetes manifests for ${result.model.bundle} (${result.model.image}), valid for Kubernetes ${result.kubernetesVersion}, to ${rel}:`,
        ...result.files.map((f) => `  ${f}`),
        "Apply them with:",
        `  kubectl create secret generic ${result.model.stack}-db --from-literal=db-password="$(openssl rand -base64 24)" --from-literal=admin-password="$(openssl rand -base64 24)"${opts.smtp ? " --from-literal=smtp-user=<user> --from-literal=smtp-password=<password>" : ""}`,
        `  kubectl apply -k ${rel}`,
        ...(opts.podman ? ["On one machine with podman:", `  podman network create ${result.model.stack}; podman kube play --network ${result.model.stack} ${rel}/podman-play.yaml`] : []),
      ].join("\n"));
    });

  const bundleCmd = program.command("bundle").description("check bundle manifests and show what they generate");
  bundleCmd
    .command("check [bundles...]")
    .description("validate bundle manifests (default: every folder of bundles/); exit 1 if any is invalid")
    .action(async (names: string[]) => {
      const { listBundles, loadBundle, resolveBundleDir } = await import("./bundle/manifest.js");
      const r = reporter();
      const targets = names.length > 0 ? names : await listBundles();
      const results = [];
      for (const name of targets) {
        const dir = await resolveBundleDir(name);
        const { bundle, problems } = await loadBundle(dir);
        results.push({ bundle: name, valid: bundle !== undefined, problems: problems.items });
        if (problems.items.length > 0) r.result(problemsText(dir, problems.items));
        r.result(`${name}: ${bundle ? "valid" : "invalid"} (${summaryLine(problems.items)})`);
      }
      r.json({ valid: results.every((x) => x.valid), bundles: results });
      exitCode = results.every((x) => x.valid) ? 0 : 1;
    });
  bundleCmd
    .command("pom <bundle>")
    .description("print the Maven site POM generated from a bundle's site.build")
    .action(async (name: string) => {
      const { loadBundle, resolveBundleDir } = await import("./bundle/manifest.js");
      const { sitePom } = await import("./bundle/site-pom.js");
      const dir = await resolveBundleDir(name);
      const { bundle, problems } = await loadBundle(dir);
      if (!bundle) throw new UserError(`bundle ${name} is not valid:\n${problemsText(dir, problems.items)}`);
      const m = bundle.manifest;
      if (!("build" in m.site)) throw new UserError(`${name} uses a prebuilt site (site.war): there is no POM to generate`);
      io.stdout.write(sitePom({ ...m, site: m.site }));
    });

  const theme = program.command("theme").description("create, check, build and preview city themes");

  theme
    .command("new <name>")
    .description("create themes/<name> from an existing theme, ready to edit")
    .option("--from <theme>", "theme to start from (a name in themes/ or a path)", "citelibre")
    .action(async (name: string, opts: { from: string }) => {
      const { scaffoldTheme } = await import("./theme/scaffold.js");
      const r = reporter();
      const target = await scaffoldTheme(name, { from: opts.from });
      r.json({ theme: name, dir: target });
      r.result(`Created ${path.relative(process.cwd(), target) || target}.\nNext: put your logo in logo.svg, your colours in tokens.json, your links in theme.yaml, then run:\n  npx citelibre theme preview ${path.relative(process.cwd(), target)}`);
    });

  theme
    .command("check <dir>")
    .description("validate a theme folder and list every problem (exit 1 if any error)")
    .action(async (dir: string) => {
      const { checkTheme } = await import("./theme/build.js");
      const r = reporter();
      r.step(`checking ${dir}`);
      const outcome = await checkTheme(dir);
      r.json({ valid: outcome.valid, problems: outcome.problems });
      if (outcome.problems.length > 0) r.result(problemsText(dir, outcome.problems));
      r.result(outcome.valid ? `${dir}: valid (${summaryLine(outcome.problems)})` : `${dir}: invalid (${summaryLine(outcome.problems)})`);
      exitCode = outcome.valid ? 0 : 1;
    });

  theme
    .command("build <dir>")
    .description("compile a theme folder into a CiteLibre overlay (default: dist/themes/<name>)")
    .option("--out <dir>", "output folder")
    .action(async (dir: string, opts: { out?: string }) => {
      const { buildTheme } = await import("./theme/build.js");
      const r = reporter();
      const started = performance.now();
      r.step(`building ${dir}`);
      const outcome = await buildTheme(dir, opts.out);
      const ms = Math.round(performance.now() - started);
      if (!outcome.valid || !outcome.manifest || !outcome.outDir) {
        r.json({ ok: false, problems: outcome.problems });
        r.result(problemsText(dir, outcome.problems));
        r.result(`${dir}: not built (${summaryLine(outcome.problems)})`);
        exitCode = 1;
        return;
      }
      const m = outcome.manifest;
      r.json({ ok: true, theme: m.theme, out: outcome.outDir, digest: m.digest, tokensDigest: m.tokensDigest, files: m.files.length, durationMs: ms, problems: outcome.problems });
      if (outcome.problems.length > 0) r.result(problemsText(dir, outcome.problems));
      r.result(`Built theme ${m.theme.name} ${m.theme.version} -> ${path.relative(process.cwd(), outcome.outDir) || outcome.outDir} (${m.files.length} files, ${m.digest.slice(0, 19)}, ${ms} ms)`);
    });

  theme
    .command("preview <dir>")
    .description("build the theme, then render preview.html and light/dark screenshots with headless Chromium")
    .option("--out <dir>", "output folder (default: dist/themes/<name>)")
    .option("--watch", "serve the preview on 127.0.0.1, rebuild on every save and reload the page by itself", false)
    .option("--port <n>", "with --watch: port of 127.0.0.1 to serve on (default: a free one)")
    .action(async (dir: string, opts: { out?: string; watch: boolean; port?: string }) => {
      if (opts.watch) {
        await watchPreview(dir, opts.port, reporter());
        return;
      }
      const { assertReplaceable, checkTheme, defaultOutDir } = await import("./theme/build.js");
      const { addPreviewPage, takeScreenshots } = await import("./theme/preview.js");
      const { writeTreeAtomically } = await import("./lib/tree.js");
      const r = reporter();
      r.step(`building ${dir}`);
      const outcome = await checkTheme(dir);
      if (!outcome.valid || !outcome.tree || !outcome.themeName || !outcome.config) {
        r.json({ ok: false, problems: outcome.problems });
        r.result(problemsText(dir, outcome.problems));
        r.result(`${dir}: no preview (${summaryLine(outcome.problems)})`);
        exitCode = 1;
        return;
      }
      await addPreviewPage(outcome.tree, { locale: outcome.config.locale, displayName: outcome.config.displayName });
      const out = path.resolve(opts.out ?? defaultOutDir(outcome.themeName));
      await assertReplaceable(out);
      await writeTreeAtomically(out, outcome.tree);
      r.step("taking light and dark screenshots with headless Chromium");
      const shots = await takeScreenshots(out);
      const rel = (p: string) => path.relative(process.cwd(), p) || p;
      r.json({ ok: shots.blockedRequests.length === 0, page: path.join(out, "preview.html"), screenshots: { light: shots.light, dark: shots.dark }, blockedRequests: shots.blockedRequests });
      if (shots.blockedRequests.length > 0) {
        r.result(`error: the preview tried to contact other hosts (blocked): ${shots.blockedRequests.join(", ")}\n  fix: remove those references from the theme; a city's site must make no third-party request`);
        exitCode = 1;
        return;
      }
      r.result(`Preview of ${outcome.themeName}:\n  page:  ${rel(path.join(out, "preview.html"))}\n  light: ${rel(shots.light)}\n  dark:  ${rel(shots.dark)}`);
    });

  program
    .command("completion")
    .description("print a bash completion script (enable it with: source <(npx citelibre completion bash))")
    .argument("<shell>", "the shell: bash")
    .action(async (shell: string) => {
      if (shell !== "bash") throw new UsageError(`completion: "${shell}" is not supported; use bash`);
      const { bashCompletion } = await import("./lib/completion.js");
      io.stdout.write(bashCompletion(program));
    });

  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are successes; everything else commander reports is a usage error.
      return e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help" ? 0 : 2;
    }
    if (e instanceof ToolError) {
      // A tool the user's machine runs failed (engine, mmdebstrap...): its message is the useful part.
      io.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    if (e instanceof UserError) {
      const json = program.opts<GlobalOptions>().json;
      if (json) io.stdout.write(`${JSON.stringify({ ok: false, error: e.message, problems: e.problems }, null, 2)}\n`);
      io.stderr.write(`error: ${e.message}\n`);
      for (const p of e.problems) io.stderr.write(`${formatProblem(p)}\n`);
      return e.exitCode;
    }
    // A bug in the toolkit, not in the user's input: the stack helps whoever fixes it.
    io.stderr.write(`internal error (please report it with the command you ran): ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}
