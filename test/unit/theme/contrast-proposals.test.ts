/**
 * A contrast failure comes with a colour that passes: for a table of city colours that fail, every
 * proposed colour reaches the check's ratio against what it is read on, keeps the hue within a few
 * degrees, and stays as close as it can (a lighter or darker shade, not another colour). And theme check
 * says it, naming the token.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { chroma, contrast, hue, lightness, parseTokenColor, passingShade, type Srgb } from "../../../scripts/theme/color.js";
import { contrastChecks, passingProposals } from "../../../scripts/theme/contrast.js";
import { deriveDesign } from "../../../scripts/theme/design.js";
import { resolveTokens } from "../../../scripts/theme/tokens.js";
import { scaffoldTheme } from "../../../scripts/theme/scaffold.js";
import { repoPath } from "../../../scripts/lib/repo.js";
import { copyTheme, runCli } from "../../helpers/themes.js";

const color = (hexValue: string): Srgb => {
  const parsed = parseTokenColor(hexValue);
  if (!parsed.ok) throw new Error(hexValue);
  return parsed.color;
};
const hueDistance = (a: number, b: number) => Math.min(Math.abs(a - b), 360 - Math.abs(a - b));

// City colours that fail as the theme's primary (3:1 on the page, 4.5:1 under white button text) or text.
const cases: Array<{ name: string; fg: string; bg: string; ratio: number }> = [
  { name: "a city's gold on white", fg: "#f0b400", bg: "#ffffff", ratio: 3 },
  { name: "the same gold under white text", fg: "#f0b400", bg: "#ffffff", ratio: 4.5 },
  { name: "a light sky blue", fg: "#7fb2e5", bg: "#ffffff", ratio: 4.5 },
  { name: "a spring green", fg: "#4cd964", bg: "#ffffff", ratio: 4.5 },
  { name: "a pink", fg: "#ff6fae", bg: "#ffffff", ratio: 4.5 },
  { name: "a pale grey text", fg: "#aaaaaa", bg: "#ffffff", ratio: 4.5 },
  { name: "an orange on a cream page", fg: "#ff9500", bg: "#fdf6e3", ratio: 4.5 },
  { name: "a dark blue on the dark page", fg: "#1d3557", bg: "#121417", ratio: 4.5 },
  { name: "a deep red on the dark page", fg: "#8b0000", bg: "#0b0b0c", ratio: 3 },
  { name: "a purple on a dark surface", fg: "#5b2a86", bg: "#1e1e24", ratio: 4.5 },
  { name: "a teal that passes for interface parts but not for text", fg: "#14a3a3", bg: "#ffffff", ratio: 4.5 },
  { name: "a yellow on white, hardest of all", fg: "#ffee00", bg: "#ffffff", ratio: 4.5 },
];

describe("passing colour proposals", () => {
  it.each(cases)("$name", ({ fg, bg, ratio }) => {
    const original = color(fg);
    const against = color(bg);
    expect(contrast(original, against)).toBeLessThan(ratio);
    const proposal = passingShade(original, against, ratio);
    expect(proposal).toBeDefined();
    // Passes as the hex a city would type.
    const typed = color(passingHex(proposal!));
    expect(contrast(typed, against)).toBeGreaterThanOrEqual(ratio);
    // Same hue (greys have none to keep), and only as far as needed: a little more and it would pass by far.
    if (chroma(original) > 0.03) expect(hueDistance(hue(typed), hue(original))).toBeLessThanOrEqual(4);
    // As near as it can: a hex step back towards the original would fail.
    expect(contrast(typed, against)).toBeLessThan(ratio + 0.15);
    expect(Math.abs(lightness(typed) - lightness(original))).toBeGreaterThan(0);
  });

  it("goes the nearer way: a light grey on a mid-grey page gets lighter, not dark", () => {
    const against = color("#767676");
    expect(contrast(color("#bbbbbb"), against)).toBeLessThan(3);
    const proposal = passingShade(color("#bbbbbb"), against, 3);
    expect(proposal).toBeDefined();
    expect(lightness(proposal!)).toBeGreaterThan(lightness(color("#bbbbbb")));
    expect(contrast(proposal!, against)).toBeGreaterThanOrEqual(3);
  });

  it("proposes nothing where no shade can pass", () => {
    expect(passingShade(color("#336699"), color("#777777"), 15)).toBeUndefined();
  });

  it("names the token and proposes a colour for each failing check of a design", () => {
    const { tokens } = resolveTokens({ color: { $type: "color", primary: { $value: "#f0b400" }, text: { $value: "#1a1a1a" }, background: { $value: "#ffffff" } } });
    const { design } = deriveDesign(tokens);
    const failing = contrastChecks(design!).filter((c) => contrast(c.fg, c.bg) < c.minimum);
    expect(failing.map((c) => c.id)).toContain("light/primary-on-background");
    for (const check of failing.filter((c) => c.adjustable.length > 0)) {
      const proposals = passingProposals(check);
      expect(proposals.length, check.id).toBeGreaterThan(0);
      for (const p of proposals) expect(p).toMatch(/^set color\.(dark\.)?[a-z-]+ to #[0-9a-f]{6} \(same hue, \d+\.\d\d:1/);
    }
  });
});

function passingHex(c: Srgb): string {
  const to255 = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255).toString(16).padStart(2, "0");
  return `#${to255(c.r)}${to255(c.g)}${to255(c.b)}`;
}

describe("theme check", () => {
  it("says which gold passes when the city's gold does not", async () => {
    const theme = await copyTheme();
    try {
      const file = path.join(theme.dir, "tokens.json");
      const t = JSON.parse(await readFile(file, "utf8")) as { color: Record<string, { $value: string }> };
      t.color.primary = { $value: "#f0b400" };
      await writeFile(file, JSON.stringify(t, null, 2));
      const r = await runCli(["theme", "check", theme.dir]);
      expect(r.code).toBe(1);
      const proposed = /\[light\/primary-on-background\][\s\S]*?fix: set color\.primary to (#[0-9a-f]{6}) \(same hue/.exec(r.stdout + r.stderr)?.[1];
      expect(proposed).toBeDefined();
      t.color.primary = { $value: proposed! };
      await writeFile(file, JSON.stringify(t, null, 2));
      const again = await runCli(["theme", "check", theme.dir]);
      expect(again.stdout + again.stderr).not.toMatch(/\[light\/primary-on-background\]/);
    } finally {
      await theme.cleanup();
    }
  });

  it("proposes, for a new theme in the city's gold, the colours docs/theming.md's walk through quotes", async () => {
    const themes = await mkdtemp(path.join(tmpdir(), "citelibre-walk-"));
    try {
      const dir = await scaffoldTheme("saint-aubin", { themesDir: themes });
      const file = path.join(dir, "tokens.json");
      const t = JSON.parse(await readFile(file, "utf8")) as { color: Record<string, { $value: string }> };
      t.color.primary = { $value: "#f0b400" };
      await writeFile(file, JSON.stringify(t, null, 2));
      const r = await runCli(["theme", "check", dir]);
      const proposals = [...(r.stdout + r.stderr).matchAll(/fix: set color\.([a-z]+) to (#[0-9a-f]{6})/g)].map((m) => `set color.${m[1]} to ${m[2]}`);
      expect(proposals.sort()).toEqual([expect.stringMatching(/^set color\.link to /), expect.stringMatching(/^set color\.primary to /)]);
      const walkthrough = await readFile(repoPath("docs", "theming.md"), "utf8");
      for (const proposal of proposals) expect(walkthrough).toContain(`\`${proposal}\``);
    } finally {
      await rm(themes, { recursive: true, force: true });
    }
  });
});
