/**
 * Human progress goes to stderr so that stdout stays clean for `--json` and for piping.
 */
export interface Output {
  write(text: string): void;
}

export interface Io {
  stdout: Output;
  stderr: Output;
}

export const processIo: Io = {
  stdout: { write: (t) => void process.stdout.write(t) },
  stderr: { write: (t) => void process.stderr.write(t) },
};

export class Reporter {
  private readonly started = performance.now();

  constructor(
    private readonly io: Io,
    readonly options: { json: boolean; verbose: boolean },
  ) {}

  /** One line per phase, with the elapsed time, so a person can follow long work. */
  step(message: string): void {
    if (this.options.json && !this.options.verbose) return;
    const seconds = ((performance.now() - this.started) / 1000).toFixed(1);
    this.io.stderr.write(`[${seconds.padStart(5)}s] ${message}\n`);
  }

  /**
   * Runs long work with a line every `everyMs` saying it is still going, so a person watching a minute of
   * image build or push knows it has not hung.
   */
  async during<T>(what: string, work: Promise<T>, everyMs = 15_000): Promise<T> {
    const began = performance.now();
    const timer = setInterval(() => {
      this.step(`still ${what} (${Math.round((performance.now() - began) / 1000)} s)`);
    }, everyMs);
    try {
      return await work;
    } finally {
      clearInterval(timer);
    }
  }

  detail(message: string): void {
    if (this.options.verbose) this.io.stderr.write(`        ${message}\n`);
  }

  warn(message: string): void {
    this.io.stderr.write(`warning: ${message}\n`);
  }

  /** The command's result for a person (stdout), unless --json asked for the machine form. */
  result(text: string): void {
    if (!this.options.json) this.io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  json(value: unknown): void {
    if (this.options.json) this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }
}
