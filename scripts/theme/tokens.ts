/**
 * Design tokens in the W3C DTCG format (2025.10): groups, `$value`, `$type` (inherited from groups),
 * `$description`, `$extensions`, and aliases written "{group.token}".
 */
import { parseTokenColor, type Srgb } from "./color.js";
import type { Problem } from "../lib/problems.js";
import { closest } from "../lib/validate.js";

export type TokenType = "color" | "dimension" | "fontFamily" | "fontWeight" | "number" | "duration" | "cubicBezier" | "string";

export type TokenValue =
  | { type: "color"; color: Srgb }
  | { type: "dimension"; value: number; unit: "px" | "rem" }
  | { type: "fontFamily"; families: string[] }
  | { type: "fontWeight"; weight: number }
  | { type: "number"; value: number }
  | { type: "other"; raw: unknown; declaredType: string };

export interface ResolvedToken {
  path: string;
  value: TokenValue;
  /** The alias chain followed to reach the value, empty when the value was literal. */
  via: string[];
}

export type TokenSet = Map<string, ResolvedToken>;

interface RawToken {
  path: string;
  type?: string;
  raw: unknown;
}

const aliasPattern = /^\{([^{}]+)\}$/;
const knownTypes = new Set(["color", "dimension", "fontFamily", "fontWeight", "number", "duration", "cubicBezier", "strokeStyle", "border", "transition", "shadow", "gradient", "typography"]);
const fontWeightNames: Record<string, number> = {
  thin: 100, hairline: 100, "extra-light": 200, "ultra-light": 200, light: 300, normal: 400, regular: 400, book: 400,
  medium: 500, "semi-bold": 600, "demi-bold": 600, bold: 700, "extra-bold": 800, "ultra-bold": 800, black: 900, heavy: 900,
  "extra-black": 950, "ultra-black": 950,
};

/** Walks the token tree, collecting tokens and problems with the DTCG structure itself. */
function flatten(tree: unknown, file: string, problems: Problem[]): RawToken[] {
  const tokens: RawToken[] = [];
  const visit = (node: unknown, path: string[], inheritedType: string | undefined): void => {
    if (!node || typeof node !== "object" || Array.isArray(node)) {
      problems.push({
        severity: "error", file, field: path.join("."),
        message: "is not a token or a group (it has no \"$value\")",
        fix: `write it as {"$value": ...} or as a group of tokens`,
      });
      return;
    }
    const obj = node as Record<string, unknown>;
    let type = inheritedType;
    if ("$type" in obj) {
      if (typeof obj.$type !== "string" || !knownTypes.has(obj.$type)) {
        problems.push({
          severity: "error", file, field: [...path, "$type"].join("."),
          message: `${JSON.stringify(obj.$type)} is not a DTCG token type`,
          fix: `use one of: ${[...knownTypes].join(", ")}`,
        });
      } else {
        type = obj.$type;
      }
    }
    if ("$value" in obj) {
      tokens.push({ path: path.join("."), raw: obj.$value, ...(type ? { type } : {}) });
      return;
    }
    for (const [key, child] of Object.entries(obj)) {
      if (key.startsWith("$")) continue;
      if (/[{}.]/.test(key)) {
        problems.push({
          severity: "error", file, field: [...path, key].join("."),
          message: "token and group names may not contain '{', '}' or '.'",
          fix: "rename it with letters, digits and '-'",
        });
        continue;
      }
      visit(child, [...path, key], type);
    }
  };
  visit(tree, [], undefined);
  return tokens;
}

function convert(raw: unknown, type: string | undefined, path: string, file: string): { value?: TokenValue; problem?: Problem } {
  const fail = (message: string, fix: string) => ({ problem: { severity: "error" as const, file, field: path, message, fix } });
  const effective = type ?? inferType(raw);
  switch (effective) {
    case "color": {
      const parsed = parseTokenColor(raw);
      return parsed.ok ? { value: { type: "color", color: parsed.color } } : fail(parsed.reason, parsed.fix);
    }
    case "dimension": {
      let value: unknown;
      let unit: unknown;
      if (typeof raw === "string") {
        const m = /^(-?\d*\.?\d+)(px|rem)$/.exec(raw.trim());
        if (m) [value, unit] = [Number(m[1]), m[2]];
      } else if (raw && typeof raw === "object") {
        ({ value, unit } = raw as { value?: unknown; unit?: unknown });
      }
      if (typeof value !== "number" || !Number.isFinite(value) || (unit !== "px" && unit !== "rem")) {
        return fail("is not a dimension", 'write it as {"value": 16, "unit": "px"} or {"value": 1, "unit": "rem"}');
      }
      return { value: { type: "dimension", value, unit } };
    }
    case "fontFamily": {
      const families = typeof raw === "string" ? [raw] : Array.isArray(raw) ? raw : undefined;
      if (!families || families.length === 0 || !families.every((f) => typeof f === "string" && f.trim() !== "")) {
        return fail("is not a font family", 'write a name or a list, for example ["Marianne", "system-ui", "sans-serif"]');
      }
      const bad = (families as string[]).find((f) => /[;{}<>\\"]|url\(/i.test(f));
      if (bad !== undefined) return fail(`font name "${bad}" contains characters that are not allowed in a font name`, "use plain font names such as \"Open Sans\"");
      return { value: { type: "fontFamily", families: families as string[] } };
    }
    case "fontWeight": {
      const weight = typeof raw === "number" ? raw : typeof raw === "string" ? fontWeightNames[raw] : undefined;
      if (weight === undefined || weight < 1 || weight > 1000) {
        return fail("is not a font weight", "write a number from 1 to 1000 (400 is normal, 700 bold) or a name such as \"bold\"");
      }
      return { value: { type: "fontWeight", weight } };
    }
    case "number":
      if (typeof raw !== "number" || !Number.isFinite(raw)) return fail("is not a number", "write a plain number such as 1.5");
      return { value: { type: "number", value: raw } };
    case undefined:
      return fail("has no $type and its type cannot be inferred", 'add "$type" to the token or to its group');
    default:
      return { value: { type: "other", raw, declaredType: effective } };
  }
}

function inferType(raw: unknown): string | undefined {
  if (typeof raw === "string" && raw.startsWith("#")) return "color";
  if (raw && typeof raw === "object" && "colorSpace" in raw) return "color";
  if (typeof raw === "number") return "number";
  return undefined;
}

/** Parses and resolves every token; aliases are followed with cycle detection. */
export function resolveTokens(tree: unknown, file = "tokens.json"): { tokens: TokenSet; problems: Problem[] } {
  const problems: Problem[] = [];
  const raw = flatten(tree, file, problems);
  const byPath = new Map(raw.map((t) => [t.path, t]));
  const resolved: TokenSet = new Map();
  const failed = new Set<string>();

  const resolve = (token: RawToken, stack: string[]): ResolvedToken | undefined => {
    const done = resolved.get(token.path);
    if (done) return done;
    if (failed.has(token.path)) return undefined;
    const alias = typeof token.raw === "string" ? aliasPattern.exec(token.raw.trim())?.[1] : undefined;
    if (alias !== undefined) {
      if (stack.includes(alias) || alias === token.path) {
        const cycle = [...stack.slice(stack.indexOf(alias)), token.path, alias];
        problems.push({
          severity: "error", file, field: token.path,
          message: `alias cycle: ${cycle.join(" -> ")}`,
          fix: "give one token in the cycle a literal value instead of an alias",
        });
        failed.add(token.path);
        return undefined;
      }
      const target = byPath.get(alias);
      if (!target) {
        problems.push({
          severity: "error", file, field: token.path,
          message: `alias {${alias}} points to no token`,
          fix: `define ${alias} or correct the alias${closest(alias, [...byPath.keys()])}`,
        });
        failed.add(token.path);
        return undefined;
      }
      const targetResolved = resolve(target, [...stack, token.path]);
      if (!targetResolved) {
        failed.add(token.path);
        return undefined;
      }
      if (token.type && token.type !== targetResolved.value.type && targetResolved.value.type !== "other") {
        problems.push({
          severity: "error", file, field: token.path,
          message: `is a ${token.type} but its alias {${alias}} is a ${targetResolved.value.type}`,
          fix: "point the alias at a token of the same type",
        });
        failed.add(token.path);
        return undefined;
      }
      const result = { path: token.path, value: targetResolved.value, via: [alias, ...targetResolved.via] };
      resolved.set(token.path, result);
      return result;
    }
    const { value, problem } = convert(token.raw, token.type, token.path, file);
    if (problem) problems.push(problem);
    if (!value) {
      failed.add(token.path);
      return undefined;
    }
    const result = { path: token.path, value, via: [] };
    resolved.set(token.path, result);
    return result;
  };

  for (const token of raw) resolve(token, []);
  return { tokens: resolved, problems };
}
