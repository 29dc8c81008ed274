/**
 * WCAG 2.1 (RGAA 4) contrast checks on the colour pairs a citizen actually reads, in both modes.
 * Text needs 4.5:1; large text and interface parts 3:1.
 */
import { contrast, hex, passingShade, type Srgb } from "./color.js";
import { shadesOf, type Design, type Palette } from "./design.js";
import type { Problem } from "../lib/problems.js";

export interface ContrastCheck {
  id: string;
  description: string;
  fg: Srgb;
  bg: Srgb;
  minimum: number;
  /** Tokens to change to fix a failure. */
  tokens: string[];
  /** Colours of the pair a city sets, each with what it is read against: a passing shade is proposed for each. */
  adjustable: Array<{ token: string; color: Srgb; against: Srgb }>;
}

function checksFor(mode: "light" | "dark", p: Palette): ContrastCheck[] {
  const s = shadesOf(p, mode === "dark");
  const t = (role: string) => (mode === "dark" ? `color.dark.${role}` : `color.${role}`);
  const on = (token: string, color: Srgb, against: Srgb) => ({ token: t(token), color, against });
  const checks: ContrastCheck[] = [
    { id: "text-on-background", description: "body text on the page background", fg: p.text, bg: p.background, minimum: 4.5, tokens: [t("text"), t("background")], adjustable: [on("text", p.text, p.background)] },
    { id: "text-on-surface", description: "text on cards and panels", fg: p.text, bg: p.surface, minimum: 4.5, tokens: [t("text"), t("surface")], adjustable: [on("text", p.text, p.surface)] },
    { id: "muted-on-background", description: "secondary text on the page background", fg: p.muted, bg: p.background, minimum: 4.5, tokens: [t("muted"), t("background")], adjustable: [on("muted", p.muted, p.background)] },
    { id: "link-on-background", description: "links on the page background", fg: p.link, bg: p.background, minimum: 4.5, tokens: [t("link"), t("primary"), t("background")], adjustable: [on("link", p.link, p.background)] },
    {
      id: "button-text-on-primary", description: "text on primary buttons", fg: p["on-primary"], bg: p.primary, minimum: 4.5, tokens: [t("on-primary"), t("primary")],
      adjustable: [on("primary", p.primary, p["on-primary"]), on("on-primary", p["on-primary"], p.primary)],
    },
    { id: "primary-on-background", description: "primary buttons and focus ring against the page (interface, 3:1)", fg: p.primary, bg: p.background, minimum: 3, tokens: [t("primary"), t("background")], adjustable: [on("primary", p.primary, p.background)] },
  ];
  for (const status of ["success", "info", "warning", "danger"] as const) {
    checks.push({
      id: `${status}-alert-text`, description: `text of ${status} alerts on their background`,
      fg: s[status].text, bg: s[status].lightest, minimum: 4.5, tokens: [t(status)], adjustable: [],
    });
  }
  return checks.map((c) => ({ ...c, id: `${mode}/${c.id}` }));
}

export function contrastChecks(design: Design): ContrastCheck[] {
  return [...checksFor("light", design.light), ...checksFor("dark", design.dark)];
}

/** Tokens a scaffolded theme may not carry: they follow another colour until set. */
const optionalTokens: Record<string, string> = { link: "primary", muted: "text", surface: "background", "on-primary": "primary" };

/** "set color.primary to #8a6a00 (same hue, 3.05:1)", for each colour of the pair that has a passing shade. */
export function passingProposals(check: ContrastCheck): string[] {
  return check.adjustable.flatMap(({ token, color, against }) => {
    const proposal = passingShade(color, against, check.minimum);
    if (!proposal) return [];
    const role = token.split(".").pop() ?? token;
    const follows = optionalTokens[role];
    return [`set ${token} to ${hex(proposal)} (same hue, ${contrast(proposal, against).toFixed(2)}:1${follows ? `; add it to tokens.json if it is not there: it follows ${follows} otherwise` : ""})`];
  });
}

export interface AcceptedFailure {
  check: string;
  reason: string;
}

export function checkContrast(design: Design, accepted: AcceptedFailure[], tokensFile: string, themeFile: string): Problem[] {
  const problems: Problem[] = [];
  const checks = contrastChecks(design);
  const ids = new Set(checks.map((c) => c.id));
  for (const [i, a] of accepted.entries()) {
    if (!ids.has(a.check)) {
      problems.push({
        severity: "error", file: themeFile, field: `accessibility.acceptContrastFailures.${i}.check`,
        message: `"${a.check}" is not a contrast check`,
        fix: `use one of: ${[...ids].join(", ")}`,
      });
    }
  }
  for (const c of checks) {
    const ratio = contrast(c.fg, c.bg);
    if (ratio + 1e-9 >= c.minimum) continue;
    const acceptance = accepted.find((a) => a.check === c.id);
    const message = `contrast of ${c.description} is ${ratio.toFixed(2)}:1 (${hex(c.fg)} on ${hex(c.bg)}), below the ${c.minimum}:1 that WCAG 2.1 AA / RGAA require`;
    if (acceptance) {
      problems.push({ severity: "warning", file: themeFile, field: `accessibility (${c.id})`, message: `${message}; accepted: ${acceptance.reason}`, fix: "none needed while the acceptance stands; removing it makes this an error again" });
    } else {
      const proposals = passingProposals(c);
      problems.push({
        severity: "error", file: tokensFile, field: c.tokens.join(" / "),
        message: `[${c.id}] ${message}`,
        fix: `${proposals.length ? proposals.join(", or ") : `darken or lighten ${c.tokens.join(" or ")} until the ratio reaches ${c.minimum}:1`}; to ship a known failure, list {check: "${c.id}", reason: "..."} under accessibility.acceptContrastFailures in theme.yaml`,
      });
    }
  }
  return problems;
}
