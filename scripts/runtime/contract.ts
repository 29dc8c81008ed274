/**
 * The runtime's environment contract (images/runtime/environment.yaml): every variable an image reads at
 * start, its default, whether it has a _FILE variant, whether it is a password, and the roles that read it.
 * ENVIRONMENT.md's table is rendered from it; unit tests hold the entrypoint, the health check and the
 * deployment generators to it.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import { repoPath } from "../lib/repo.js";

export const ROLES = ["app", "database", "mail", "init"] as const;
export type Role = (typeof ROLES)[number];

const variableSchema = z
  .object({
    name: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
    default: z.string().nullable(),
    shown: z.string().optional(),
    file: z.boolean().default(false),
    secret: z.boolean().default(false),
    roles: z.array(z.enum(ROLES)).min(1),
    meaning: z.string().min(1),
  })
  .strict()
  .refine((v) => v.default !== null || v.shown !== undefined, { error: "a variable without a literal default needs `shown`" })
  .refine((v) => !v.secret || v.file, { error: "a secret must have a _FILE variant" });

const contractSchema = z
  .object({
    variables: z.array(variableSchema).min(1),
    image: z.array(z.object({ name: z.string().regex(/^[A-Z][A-Z0-9_]*$/), default: z.string(), meaning: z.string().min(1) }).strict()),
  })
  .strict();

export type ContractVariable = z.infer<typeof variableSchema>;
export type RuntimeContract = z.infer<typeof contractSchema>;

export const contractFile = repoPath("images", "runtime", "environment.yaml");
export const environmentDoc = repoPath("images", "runtime", "ENVIRONMENT.md");

export function loadRuntimeContract(file = contractFile): RuntimeContract {
  const parsed = contractSchema.safeParse(parse(readFileSync(file, "utf8")));
  if (!parsed.success) {
    throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  const names = parsed.data.variables.map((v) => v.name);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length) throw new Error(`${file}: ${twice.join(", ")} listed twice`);
  return parsed.data;
}

/** The variable a container of this role may be given: `NAME`, or `NAME_FILE` for one with a file variant. */
export function contractVariableFor(contract: RuntimeContract, envName: string): ContractVariable | undefined {
  const direct = contract.variables.find((v) => v.name === envName);
  if (direct) return direct;
  const base = envName.endsWith("_FILE") ? contract.variables.find((v) => v.file && `${v.name}_FILE` === envName) : undefined;
  return base;
}

const cell = (text: string) => text.replace(/\s+/g, " ").trim().replace(/\|/g, "\\|");

export function renderEnvironmentTable(contract: RuntimeContract): string {
  const rows = contract.variables.map((v) => {
    const name = `\`${v.name}\`${v.file ? ` (or \`${v.name}_FILE\`)` : ""}`;
    const shown = v.shown ?? `\`${v.default}\``;
    return `| ${name} | ${cell(shown)} | ${v.roles.join(", ")} | ${cell(v.meaning)} |`;
  });
  return ["| variable | default | roles | meaning |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

const START = "<!-- environment table: generated from environment.yaml by `npm run docs:environment` -->";
const END = "<!-- end of the environment table -->";

/** The document with its generated table replaced; throws when the markers are missing. */
export function withEnvironmentTable(markdown: string, contract: RuntimeContract): string {
  const start = markdown.indexOf(START);
  const end = markdown.indexOf(END);
  if (start < 0 || end < start) throw new Error(`ENVIRONMENT.md has lost its markers:\n${START}\n${END}`);
  return `${markdown.slice(0, start)}${START}\n${renderEnvironmentTable(contract)}\n${markdown.slice(end)}`;
}
