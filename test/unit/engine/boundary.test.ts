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

/** Every module a file imports, static or dynamic (ESLint's no-restricted-imports sees only the static ones). */
function importsOf(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)["']([^"']+)["']/gm)].map((m) => m[1] ?? "");
}

describe("import directions, dynamic imports included", () => {
  it("reads static and dynamic imports", () => {
    expect(importsOf('import { a } from "../lib/x.js";\nconst { b } = await import("../engine/engine.js");\nimport "./side.js";')).toEqual(["../lib/x.js", "../engine/engine.js", "./side.js"]);
  });

  it("keeps scripts/ off test/, lib/ at the bottom, and the engine package on lib/ only", async () => {
    const entries = await readdir(repoPath("scripts"), { recursive: true, withFileTypes: true });
    const found: string[] = [];
    for (const e of entries.filter((x) => x.isFile() && x.name.endsWith(".ts"))) {
      const file = path.join(e.parentPath, e.name);
      const folder = path.relative(repoPath("scripts"), e.parentPath).split(path.sep)[0] ?? "";
      for (const spec of importsOf(await readFile(file, "utf8")).filter((s) => s.startsWith("."))) {
        const target = path.relative(repoPath(), path.resolve(e.parentPath, spec));
        const into = target.split(path.sep).slice(0, 2).join("/");
        const where = `${path.relative(repoPath(), file)} imports ${spec}`;
        if (target.startsWith("test")) found.push(`${where}: scripts/ never imports test code`);
        if (folder === "lib" && into !== "scripts/lib" && !target.startsWith("package.json")) found.push(`${where}: lib/ is the bottom layer`);
        if (folder === "engine" && into !== "scripts/lib" && into !== "scripts/engine") found.push(`${where}: the engine package depends on lib/ only`);
      }
    }
    expect(found).toEqual([]);
  });
});
