import { describe, expect, it } from "vitest";
import { run, ToolError } from "../../../scripts/lib/exec.js";

describe("running a tool", () => {
  it("hands each line of stdout and stderr to onLine as it comes, the last one too, and still returns the output", async () => {
    const lines: string[] = [];
    const r = await run("sh", ["-c", "echo one; echo two >&2; printf 'tab\\there, 10%%\\r50%%\\rdone\\nthree and no newline'"], { onLine: (l) => lines.push(l) });
    // As the tool wrote them: tabs and carriage returns are not escaped into text.
    expect([...lines].sort()).toEqual(["one", "tab\there, 10%\r50%\rdone", "three and no newline", "two"]);
    expect(r.stdout).toBe("one\ntab\there, 10%\r50%\rdone\nthree and no newline");
    expect(r.stderr).toBe("two");
  });

  it("logs the command a person can paste, and fails with the tool's last words and the exit code in words", async () => {
    const logged: string[] = [];
    const failure = await run("sh", ["-c", "echo context; echo 'it broke' >&2; exit 3", "A=b c"], { verbose: (l) => logged.push(l) }).catch((e: unknown) => e);
    expect(logged).toEqual(["$ sh -c 'echo context; echo '\\''it broke'\\'' >&2; exit 3' 'A=b c'"]);
    expect(failure).toBeInstanceOf(ToolError);
    expect((failure as ToolError).exitCode).toBe(3);
    expect((failure as ToolError).message).toMatch(/^sh -c .* failed \(exit code 3\):\n {2}it broke$/);
  });

  it("says when the tool is not installed", async () => {
    await expect(run("citelibre-no-such-tool", [])).rejects.toThrow(/command not found: is it installed\? `citelibre doctor` says how/);
  });
});
