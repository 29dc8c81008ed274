/** Retries of a push: what is worth another attempt is decided by plan.ts (isTransient), the waiting by p-retry. */
import pRetry from "p-retry";
import { isTransient } from "./plan.js";

/** Transient failures (network, registry overload) are retried with exponential backoff; others fail at once. */
export async function withRetries<T>(attempts: number, baseMs: number, work: () => Promise<T>, onRetry: (attempt: number, error: string) => void): Promise<{ value: T; attempts: number }> {
  let made = 0;
  const value = await pRetry(async (attempt) => {
    made = attempt;
    // p-retry gives up at once on what is not an Error: a tool's odd throw is judged like any failure.
    return work().catch((e: unknown) => {
      throw e instanceof Error ? e : new Error(String(e));
    });
  }, {
    // At least one attempt, and no negative or unreadable wait (CITELIBRE_PUBLISH_BACKOFF_MS is the user's).
    retries: Math.max(0, attempts - 1), factor: 2, minTimeout: Number.isFinite(baseMs) && baseMs > 0 ? baseMs : 0, randomize: false,
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
