/** Step timings for the "steps" a command reports (build, scan): milliseconds per named step. */
export function stepTimer(): { steps: Record<string, number>; timed: <T>(name: string, work: () => Promise<T>) => Promise<T> } {
  const steps: Record<string, number> = {};
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      steps[name] = Math.round(performance.now() - started);
    }
  };
  return { steps, timed };
}
