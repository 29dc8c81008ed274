/**
 * Validation of a YAML or JSON document against a zod schema, turned into Problems that name the file,
 * the field (with its line when known) and the fix. Unknown keys get the closest valid key suggested.
 * Shared by theme.yaml and bundle.yaml.
 */
import { distance as levenshtein } from "fastest-levenshtein";
import type { z } from "zod";
import type { Problem } from "./problems.js";

export interface Position {
  line: number;
  column: number;
}

export type Locate = (path: (string | number)[]) => Position | undefined;

/** " (did you mean x?)" for the closest candidate, or nothing. */
export function closest(word: string, candidates: string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = levenshtein(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? ` (did you mean ${best}?)` : "";
}

type ZodDef = Record<string, unknown>;
interface ZodLike {
  _zod?: { def: ZodDef };
}

/** The keys an object accepts at a path of the schema (through optional, default, pipe and arrays). */
export function keysAt(schema: z.ZodType, path: PropertyKey[]): string[] {
  const unwrap = (s: unknown): ZodLike | undefined => {
    let cur = s as ZodLike | undefined;
    for (let i = 0; i < 10 && cur?._zod; i++) {
      const def = cur._zod.def;
      if (def.innerType) cur = def.innerType;
      else if (def.in) cur = def.in;
      else break;
    }
    return cur;
  };
  // Follows every branch of a union: a key is valid when any branch accepts it.
  let current: unknown[] = [schema];
  for (const key of path) {
    current = current.flatMap((node) => {
      const def = unwrap(node)?._zod?.def;
      if (def?.type === "union") return (def.options as unknown[]).map((o) => unwrap(o)).flatMap((o) => {
        const d = o?._zod?.def;
        return d?.type === "object" ? [(d.shape as Record<string, unknown>)[String(key)]] : [];
      });
      if (def?.type === "object") return [(def.shape as Record<string, unknown>)[String(key)]];
      if (def?.type === "array") return [def.element];
      return [];
    }).filter((n) => n !== undefined);
  }
  const keys = new Set<string>();
  for (const node of current) {
    const def = unwrap(node)?._zod?.def;
    const objects = def?.type === "union" ? (def.options as unknown[]).map((o) => unwrap(o)?._zod?.def) : [def];
    for (const d of objects) if (d?.type === "object") for (const k of Object.keys(d.shape as object)) keys.add(k);
  }
  return [...keys];
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

export function validateDocument<S extends z.ZodType>(
  schema: S,
  value: unknown,
  file: string,
  locate: Locate,
  docs: string,
): { value?: z.infer<S>; problems: Problem[] } {
  const result = schema.safeParse(value ?? {});
  if (result.success) return { value: result.data, problems: [] };
  const problems: Problem[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.map((p) => (typeof p === "number" ? p : String(p)));
    if (issue.code === "unrecognized_keys") {
      const valid = keysAt(schema, issue.path);
      for (const key of issue.keys) {
        problems.push({
          severity: "error", file, field: [...path, key].join("."), ...locate([...path, key]),
          message: "is not a known key",
          fix: `remove it or correct the spelling${closest(key, valid)}; valid keys here: ${valid.join(", ")}`,
        });
      }
      continue;
    }
    // zod does not keep the input in issues by default: look the value up to tell "missing" from "wrong".
    const missing = issue.code === "invalid_type" && valueAt(value, issue.path) === undefined;
    const field = path.join(".");
    problems.push({
      severity: "error", file, field: field || "(document)", ...locate(path),
      message: missing ? "is required but missing" : issue.message,
      fix: missing
        ? `add ${field.split(".").at(-1) ?? field}: to ${file} (see ${docs} for an example)`
        : issue.code === "too_big" ? "shorten it"
        : issue.code === "too_small" ? "give it a value"
        : issue.code === "invalid_type" ? `give it a value of the right kind (${issue.expected})`
        : `correct the value as described (see ${docs})`,
    });
  }
  return { problems };
}
