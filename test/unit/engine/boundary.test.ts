/**
 * The engine package (scripts/engine/) owns every container and registry command line: outside it, no
 * code calls an engine or registry tool, passes argv to the engine, or decides by the engine's name (it
 * asks for a capability instead).
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoPath } from "../../../scripts/lib/repo.js";

const rules: Array<[string, RegExp]> = [
  ["runs an engine or registry tool", /\b(run|execa|spawn|execFile)\(\s*["'`](docker|podman|skopeo|buildah|cosign|docker-compose|podman-compose)["'`]/],
  ["passes argv to the engine", /\.raw\(/],
  ["decides by the engine's name", /\.name\s*[!=]==?\s*["'`](docker|podman)["'`]|["'`](docker|podman)["'`]\s*[!=]==?\s*\w+\.name\b/],
];

async function sources(): Promise<string[]> {
  const entries = await readdir(repoPath("scripts"), { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(".ts")).map((e) => path.join(e.parentPath, e.name)).filter((f) => !f.startsWith(repoPath("scripts", "engine") + path.sep));
}

describe("the engine package's boundary", () => {
  it.each([
    ['await run("podman", ["push", image]);', true],
    ['const r = await execa("docker-compose", ["up"]);', true],
    ['await engine.raw(["tag", a, b]);', true],
    ['if (engine.name === "docker") tag();', true],
    ['if ("podman" !== engine.name) return;', true],
    ['await run("mmdebstrap", argv);', false],
    ['reporter.step(`see: ${engine.name} logs ${container}`);', false],
    ['if (engine.capabilities.gpgSigning) sign();', false],
  ])("tells a command line or a name check from other code: %s", (line, caught) => {
    expect(rules.some(([, pattern]) => pattern.test(line))).toBe(caught);
  });

  it("has no engine or registry command line, and no decision by engine name, outside scripts/engine/", async () => {
    const found: string[] = [];
    for (const file of await sources()) {
      const lines = (await readFile(file, "utf8")).split("\n");
      lines.forEach((line, i) => {
        for (const [what, pattern] of rules) if (pattern.test(line)) found.push(`${path.relative(repoPath(), file)}:${i + 1} ${what}: ${line.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });
});
