/**
 * The Sass worker (build/tools/sass-worker.js): compiles one theme stylesheet sent by its parent over
 * IPC and answers the same way. It leads its own process group (css.ts starts it detached), and when its
 * parent goes away (killed, crashed) it kills that group, the Sass compiler with it: no compiler is left
 * spinning on an endless loop.
 */
import { compileOverridesHere, type SassJob } from "./sass-compile.js";

process.on("disconnect", () => {
  try {
    process.kill(-process.pid, "SIGKILL");
  } finally {
    process.exit(1);
  }
});

process.once("message", (job: SassJob) => {
  void compileOverridesHere(job).then(
    (outcome) => process.send?.(outcome, () => process.exit(0)),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
});
