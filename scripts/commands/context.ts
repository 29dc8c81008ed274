/**
 * What every command module gets from the router (cli.ts): the output streams, the environment, a reporter
 * and the engine as the global flags ask, and the exit status to set when the command's work says so.
 */
import type { Engine } from "../engine/engine.js";
import type { Io, Reporter } from "../lib/log.js";

export interface CommandContext {
  io: Io;
  /** citelibre-forge's version, read once by the router (SBOMs and release reports name it). */
  version: string;
  /** The environment, read here and passed on: stages take what they need of it as arguments. */
  env: NodeJS.ProcessEnv;
  reporter(): Reporter;
  engine(): Promise<Engine>;
  setExitCode(code: number): void;
}
