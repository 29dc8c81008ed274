/**
 * The CLI as users run it: the compiled bin in a child process, exit codes and messages.
 */
import { execa } from "execa";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoPath } from "../../scripts/lib/repo.js";
import { runCli } from "../helpers/themes.js";

const bin = repoPath("bin/citelibre.js");

describe("citelibre CLI", () => {
  it("builds a shipped theme from the compiled bin and prints where", async () => {
    const out = await mkdtemp(path.join(tmpdir(), "citelibre-out-"));
    try {
      const r = await execa("node", [bin, "--json", "theme", "build", repoPath("themes/citelibre"), "--out", out], { reject: false });
      expect(r.exitCode, r.stderr).toBe(0);
      const json = JSON.parse(r.stdout) as { ok: boolean; theme: { name: string }; files: number; digest: string };
      expect(json).toMatchObject({ ok: true, theme: { name: "citelibre" } });
      expect(json.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      const manifest = JSON.parse(await readFile(path.join(out, "manifest.json"), "utf8")) as { files: unknown[] };
      expect(manifest.files).toHaveLength(json.files);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it("exits 2 on a usage error and says what is wrong", async () => {
    const r = await execa("node", [bin, "theme", "build"], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/missing required argument 'dir'/);
  });

  it("exits 2 on an unknown command", async () => {
    const r = await execa("node", [bin, "paint"], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'paint'/);
  });

  it("reports a user error without a stack trace", async () => {
    const r = await execa("node", [bin, "theme", "build", "/nonexistent"], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: \/nonexistent is not a theme folder/m);
    expect(r.stderr).not.toMatch(/\s+at \S+ \(/);
  });

  it("theme new scaffolds a valid theme that check accepts, and refuses to overwrite", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "citelibre-new-"));
    try {
      const made = await execa("node", [bin, "theme", "new", "saint-exemple"], { cwd: root, reject: false });
      expect(made.exitCode, made.stderr).toBe(0);
      const yaml = await readFile(path.join(root, "themes/saint-exemple/theme.yaml"), "utf8");
      expect(yaml).toMatch(/^name: saint-exemple$/m);
      expect(yaml).toMatch(/^displayName: Saint Exemple$/m);
      const check = await runCli(["theme", "check", path.join(root, "themes/saint-exemple")]);
      expect(check.code, check.stdout).toBe(0);
      // Only the colours a city chooses; the rest derives from them, so a new main colour carries through.
      const tokensPath = path.join(root, "themes/saint-exemple/tokens.json");
      const tokens = JSON.parse(await readFile(tokensPath, "utf8")) as { color: Record<string, unknown> };
      expect(Object.keys(tokens.color).sort()).toEqual(["$type", "background", "primary", "text"]);
      tokens.color.primary = { $value: "#c2410c" };
      await writeFile(tokensPath, JSON.stringify(tokens));
      const built = await runCli(["theme", "build", path.join(root, "themes/saint-exemple"), "--out", path.join(root, "out")]);
      expect(built.code, built.stderr).toBe(0);
      const css = await readFile(path.join(root, "out/webapp/themes/skin/saint-exemple/css/saint-exemple.css"), "utf8");
      const surface = /--white-light-color:\s*(#[0-9a-f]{6})/i.exec(css)?.[1];
      expect(surface).toBeDefined();
      expect(surface!.toLowerCase()).not.toBe("#f4f6f9");
      // The default theme's dark logo is CiteLibre's: not copied, so dark mode shows the city's own logo.
      expect(existsSync(path.join(root, "themes/saint-exemple/logo-dark.svg"))).toBe(false);
      expect(existsSync(path.join(root, "themes/saint-exemple/logo.svg"))).toBe(true);
      const again = await execa("node", [bin, "theme", "new", "saint-exemple"], { cwd: root, reject: false });
      expect(again.exitCode).toBe(1);
      expect(again.stderr).toMatch(/already exists/);
      const bad = await execa("node", [bin, "theme", "new", "../escape"], { cwd: root, reject: false });
      expect(bad.exitCode).toBe(2);
      expect(bad.stderr).toMatch(/cannot be a theme name/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe("bash completion", () => {
  const complete = async (words: string[]): Promise<string[]> => {
    const script = await runCli(["completion", "bash"]);
    expect(script.code).toBe(0);
    const r = await execa("bash", ["-c", `${script.stdout}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${String(words.length - 1)}; _citelibre; printf '%s\\n' "\${COMPREPLY[@]}"`]);
    return r.stdout.split("\n").filter(Boolean);
  };

  it("offers the commands, the subcommands of a command, and its options", async () => {
    expect(await complete(["citelibre", ""])).toEqual(expect.arrayContaining(["theme", "build", "run", "deploy", "--version"]));
    expect(await complete(["citelibre", "theme", ""])).toEqual(expect.arrayContaining(["check", "build", "preview", "new"]));
    expect(await complete(["citelibre", "theme", ""])).not.toContain("deploy");
    expect(await complete(["citelibre", "theme", "preview", "themes/x", "--w"])).toEqual(["--watch"]);
    expect(await complete(["citelibre", "deploy", "k8s", "rendezvous", "--ingress-"])).toEqual(["--ingress-host", "--ingress-class"]);
  });

  it("refuses a shell it does not support", async () => {
    const r = await runCli(["completion", "fish"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"fish" is not supported; use bash/);
  });
});
