/**
 * The `citelibre` command: global flags, the commands (each a module of scripts/commands/ that parses its
 * flags, calls its stage and formats the result), and errors turned into exit codes. Nothing else.
 * Exit codes: 0 success, 1 failed check or build, 2 usage error.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { registerBundle } from "./commands/bundle.js";
import { registerCompletion } from "./commands/completion.js";
import type { CommandContext } from "./commands/context.js";
import { registerDeploy } from "./commands/deploy.js";
import { registerDoctor } from "./commands/doctor.js";
import { registerImageCommands } from "./commands/image.js";
import { registerPublish } from "./commands/publish.js";
import { registerRelease } from "./commands/release.js";
import { registerScan } from "./commands/scan.js";
import { registerTheme } from "./commands/theme.js";
import { processIo, Reporter, type Io } from "./lib/log.js";
import { ToolError } from "./lib/exec.js";
import { UserError, formatProblem } from "./lib/problems.js";
import { repoPath } from "./lib/repo.js";

interface GlobalOptions {
  json: boolean;
  verbose: boolean;
  engine?: string;
}

function toolVersion(): string {
  return (JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as { version: string }).version;
}

export async function main(argv: string[], io: Io = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // Browserslist data age is not the user's problem, and its warning would pollute --json output.
  process.env.BROWSERSLIST_IGNORE_OLD_DATA ??= "1";
  let exitCode = 0;
  const version = toolVersion();
  const program = new Command("citelibre")
    .description("Build branded CiteLibre (Lutece) sites: themes, images, scans, releases.")
    .option("--json", "print machine-readable JSON on stdout", false)
    .option("--verbose", "print every step and tool call", false)
    .option("--engine <engine>", "container engine: docker or podman (default: CITELIBRE_ENGINE, else detect)")
    .version(version, "--version", "print the version of citelibre-forge")
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

  const ctx: CommandContext = {
    io,
    version,
    env,
    reporter: () => {
      const g = program.opts<GlobalOptions>();
      return new Reporter(io, { json: g.json, verbose: g.verbose });
    },
    engine: async () => {
      const { selectEngine } = await import("./engine/engine.js");
      const g = program.opts<GlobalOptions>();
      return selectEngine(g.engine ?? env.CITELIBRE_ENGINE, g.verbose ? { verbose: (l) => { io.stderr.write(`        ${l}\n`); } } : {});
    },
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  for (const register of [registerDoctor, registerImageCommands, registerScan, registerPublish, registerRelease, registerDeploy, registerBundle, registerTheme, registerCompletion]) {
    register(program, ctx);
  }

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

