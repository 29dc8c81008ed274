/**
 * `citelibre completion bash`: the shell completion script.
 */
import type { Command } from "commander";
import { UsageError } from "../lib/problems.js";
import type { CommandContext } from "./context.js";

export function registerCompletion(program: Command, ctx: CommandContext): void {
  program
    .command("completion")
    .description("print a bash completion script (enable it with: source <(npx citelibre completion bash))")
    .argument("<shell>", "the shell: bash")
    .action(async (shell: string) => {
      if (shell !== "bash") throw new UsageError(`completion: "${shell}" is not supported; use bash`);
      const { bashCompletion } = await import("../lib/completion.js");
      ctx.io.stdout.write(bashCompletion(program));
    });
}
