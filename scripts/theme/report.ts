import { formatProblem, type Problem } from "../lib/problems.js";

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
