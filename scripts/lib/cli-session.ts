/**
 * A citelibre command run as a child process, its output followed as a person reads it: how the
 * benchmarks and the integration tests drive long-running commands such as `run --watch`. Neither imports
 * the other; both import this.
 */
import { execa, type ResultPromise } from "execa";
import { repoPath } from "./repo.js";

export interface CliSession {
  /** Everything printed so far, stdout and stderr interleaved as they came. */
  output(): string;
  /** The first match of `pattern` in what was printed after offset `from`; throws after `ms` or if the command ended first. */
  waitFor(pattern: RegExp, from: number, ms: number): Promise<string>;
  /** Ctrl-C, as a person stops it; the exit status, or SIGKILL and undefined after `ms`. */
  interrupt(ms: number): Promise<number | undefined>;
  /** Kills the command if it still runs (clean-up after a failure). */
  kill(): void;
}

export function startCli(args: string[]): CliSession {
  const child: ResultPromise<{ all: true; reject: false }> = execa("node", [repoPath("bin", "citelibre.js"), ...args], { all: true, reject: false, cwd: repoPath() });
  let output = "";
  child.all.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    output: () => output,
    async waitFor(pattern, from, ms) {
      for (const end = Date.now() + ms; ;) {
        const match = pattern.exec(output.slice(from));
        if (match) return match[0];
        if (!running()) throw new Error(`citelibre ${args[0] ?? ""} ended before printing ${String(pattern)}:\n${output}`);
        if (Date.now() > end) throw new Error(`waited ${ms} ms for ${String(pattern)} in the output of citelibre ${args[0] ?? ""}:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async interrupt(ms) {
      child.kill("SIGINT");
      const ended = await Promise.race([child, new Promise<undefined>((r) => setTimeout(r, ms))]);
      if (ended === undefined) child.kill("SIGKILL");
      return ended?.exitCode;
    },
    kill() {
      if (running()) child.kill("SIGKILL");
    },
  };
}
