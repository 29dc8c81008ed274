/**
 * Problems a user can cause and fix: every one names the file, the field (or token path) and the fix.
 * Stages collect them instead of throwing on the first, so `check` can list everything at once.
 */
export type Severity = "error" | "warning";

export interface Problem {
  severity: Severity;
  /** Path of the file at fault, relative to the folder the user pointed at when possible. */
  file: string;
  /** Dotted field or token path inside the file; absent when the file as a whole is at fault. */
  field?: string;
  /** 1-based position in the file, when known. */
  line?: number;
  column?: number;
  message: string;
  fix: string;
}

export class ProblemList {
  readonly items: Problem[] = [];

  error(p: Omit<Problem, "severity">): void {
    this.items.push({ severity: "error", ...p });
  }

  warning(p: Omit<Problem, "severity">): void {
    this.items.push({ severity: "warning", ...p });
  }

  addAll(problems: Iterable<Problem>): void {
    for (const p of problems) this.items.push(p);
  }

  get errors(): Problem[] {
    return this.items.filter((p) => p.severity === "error");
  }

  get warnings(): Problem[] {
    return this.items.filter((p) => p.severity === "warning");
  }

  get hasErrors(): boolean {
    return this.items.some((p) => p.severity === "error");
  }
}

/** An error caused by the user's input or environment: printed as a message, never as a stack trace. */
export class UserError extends Error {
  readonly problems: Problem[];
  readonly exitCode: number;

  constructor(message: string, problems: Problem[] = [], exitCode = 1) {
    super(message);
    this.name = "UserError";
    this.problems = problems;
    this.exitCode = exitCode;
  }
}

/** A mistake in how a command was called (unknown flag, missing argument): exit code 2. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, [], 2);
    this.name = "UsageError";
  }
}

export function formatProblem(p: Problem): string {
  const where = [p.file, p.line !== undefined ? `${p.line}:${p.column ?? 1}` : undefined]
    .filter(Boolean)
    .join(":");
  const field = p.field ? ` ${p.field}:` : "";
  return `${p.severity === "error" ? "error" : "warning"}: ${where}${field} ${p.message}\n  fix: ${p.fix}`;
}

/** Problems for a person: errors first, then warnings, each with its fix. */
export function problemsText(dir: string, problems: Problem[]): string {
  const ordered = [...problems.filter((p) => p.severity === "error"), ...problems.filter((p) => p.severity === "warning")];
  return ordered.map((p) => formatProblem({ ...p, file: p.file.startsWith("(") ? p.file : `${dir.replace(/\/$/, "")}/${p.file}` })).join("\n");
}

export function summaryLine(problems: Problem[]): string {
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.length - errors;
  return `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`;
}
