import { describe, expect, it } from "vitest";
import { withRetries } from "../../../scripts/publish/retry.js";

/** Work that fails with these messages, in turn, then answers "pushed". */
function failing(...messages: string[]) {
  let calls = 0;
  const work = () => {
    const message = messages[calls++];
    return message === undefined ? Promise.resolve("pushed") : Promise.reject(new Error(message));
  };
  return { work, calls: () => calls };
}

describe("push retries", () => {
  it("retries transient failures, saying each one, and counts the attempts", async () => {
    const said: Array<[number, string]> = [];
    const { work, calls } = failing("Get https://r/v2/: dial tcp: connection refused", "received unexpected HTTP status: 503 Service Unavailable");
    const started = performance.now();
    expect(await withRetries(3, 20, work, (attempt, why) => said.push([attempt, why]))).toEqual({ value: "pushed", attempts: 3 });
    expect(calls()).toBe(3);
    expect(said).toEqual([[1, "Get https://r/v2/: dial tcp: connection refused"], [2, "received unexpected HTTP status: 503 Service Unavailable"]]);
    // Backoff doubles: 20 ms, then 40 ms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it("fails at once on what another attempt cannot mend, with the attempts made", async () => {
    const { work, calls } = failing("unauthorized: authentication required");
    const error = await withRetries(3, 1, work, () => undefined).then(() => { throw new Error("it should have failed"); }, (e: unknown) => e as Error & { attempts: number });
    expect(calls()).toBe(1);
    expect(error.message).toBe("unauthorized: authentication required");
    expect(error.attempts).toBe(1);
  });

  it("gives up after the last attempt, with the last error", async () => {
    const said: number[] = [];
    const { work, calls } = failing("i/o timeout", "i/o timeout", "EOF", "never reached");
    const error = await withRetries(3, 1, work, (attempt) => said.push(attempt)).then(() => { throw new Error("it should have failed"); }, (e: unknown) => e as Error & { attempts: number });
    expect(calls()).toBe(3);
    expect(said).toEqual([1, 2]);
    expect(error.message).toBe("EOF");
    expect(error.attempts).toBe(3);
  });

  it("makes one attempt at least, and waits nothing for an unreadable backoff", async () => {
    const { work, calls } = failing("i/o timeout");
    expect(await withRetries(0, Number.NaN, work, () => undefined).catch((e: unknown) => (e as Error).message)).toBe("i/o timeout");
    expect(calls()).toBe(1);
    const again = failing("i/o timeout", "i/o timeout");
    expect(await withRetries(3, -5, again.work, () => undefined)).toEqual({ value: "pushed", attempts: 3 });
  });
});
