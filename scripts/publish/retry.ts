/** Retries of a push: what is worth another attempt is decided by plan.ts (isTransient), the waiting by p-retry. */
import pRetry from "p-retry";
import { isTransient } from "./plan.js";

/** Transient failures (network, registry overload) are retried with exponential backoff; others fail at once. */
export async function withRetries<T>(attempts: number, baseMs: number, work: () => Promise<T>, onRetry: (attempt: number, error: string) => void): Promise<{ value: T; attempts: number }> {
  let made = 0;
  const value = await pRetry(async (attempt) => {
    made = attempt;
    return work();
  }, {
    retries: attempts - 1, factor: 2, minTimeout: baseMs, randomize: false,
    // A failure carries how many attempts were made, for the report.
    onFailedAttempt: ({ error, attemptNumber }) => void Object.assign(error, { attempts: attemptNumber }),
    shouldRetry: ({ error, attemptNumber }) => {
      if (!isTransient(error.message)) return false;
      onRetry(attemptNumber, error.message.split("\n").find((l) => /error|refused|timeout|EOF/i.test(l)) ?? error.message.split("\n")[0] ?? "");
      return true;
    },
  });
  return { value, attempts: made };
}
