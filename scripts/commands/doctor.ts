/**
 * `citelibre doctor`: what this machine has, what is missing, and how to fix it.
 */
import type { Command } from "commander";
import type { CommandContext } from "./context.js";

export function registerDoctor(program: Command, ctx: CommandContext): void {
  program
    .command("doctor")
    .description("list what is installed, what is missing, and how to fix it")
    .action(async () => {
      const { runChecks, doctorText } = await import("../host/doctor.js");
      const r = ctx.reporter();
      const checks = await runChecks();
      r.json({ ok: checks.every((c) => c.ok || c.testsOnly || c.optional), checks });
      r.result(doctorText(checks));
      ctx.setExitCode(checks.every((c) => c.ok || c.testsOnly || c.optional) ? 0 : 1);
    });
}
