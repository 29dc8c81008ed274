/**
 * The one place the pipeline runs external tools: argv arrays only (never a shell string), the argv
 * logged in verbose mode, and failures turned into errors that carry the command, the exit code in
 * words and the tool's own message.
 */
import { execa, type Options, type ResultPromise } from "execa";

export class ToolError extends Error {
  readonly command: string;
  readonly exitCode: number | undefined;
  readonly stderr: string;

  constructor(command: string, exitCode: number | undefined, stderr: string, explanation: string) {
    super(`${command} failed (${explanation})${stderr ? `:\n${indent(lastLines(stderr, 20))}` : ""}`);
    this.name = "ToolError";
    this.command = command;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split("\n").slice(-n).join("\n");
}

function indent(text: string): string {
  return text.split("\n").map((l) => `  ${l}`).join("\n");
}

/** A command line a person can paste: arguments with spaces or quotes are single-quoted. */
export function displayCommand(file: string, args: readonly string[]): string {
  return [file, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}

export function explainExit(exitCode: number | undefined, signal: string | undefined): string {
  if (signal) return `killed by ${signal}`;
  switch (exitCode) {
    case 126: return "exit code 126: found but not executable";
    case 127: return "exit code 127: command not found";
    case 130: return "exit code 130: interrupted";
    case 137: return "exit code 137: killed (out of memory or SIGKILL)";
    default: return `exit code ${exitCode ?? "unknown"}`;
  }
}

export interface RunOptions extends Pick<Options, "cwd" | "env" | "input" | "timeout"> {
  /** Called with each line the tool prints, for progress display. */
  onLine?: (line: string) => void;
  verbose?: (line: string) => void;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  durationMs: number;
}

function lineTap(onLine: (line: string) => void) {
  return function* (line: unknown) {
    onLine(String(line));
    yield line;
  };
}

export async function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const command = displayCommand(file, args);
  options.verbose?.(`$ ${command}`);
  const started = performance.now();
  const onLine = options.onLine;
  const child: ResultPromise = execa(file, args, {
    reject: false,
    stripFinalNewline: true,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.timeout ? { timeout: options.timeout } : {}),
    // execa splits the output into lines for a transform: each one is handed on as it arrives, unchanged.
    ...(onLine ? { stdout: [lineTap(onLine), "pipe"], stderr: [lineTap(onLine), "pipe"] } : {}),
  });
  const result = await child;
  const durationMs = Math.round(performance.now() - started);
  const stdout = String(result.stdout ?? "");
  const stderr = String(result.stderr ?? "");
  if (result.failed) {
    const explanation = result.code === "ENOENT" ? "command not found: is it installed? `citelibre doctor` says how" : result.timedOut ? `timed out after ${options.timeout ?? 0} ms` : explainExit(result.exitCode, result.signal);
    throw new ToolError(command, result.exitCode, stderr || stdout, explanation);
  }
  return { stdout, stderr, exitCode: result.exitCode ?? 0, durationMs };
}
