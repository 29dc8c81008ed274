import { describe, expect, it } from "vitest";
import { Reporter } from "../../../scripts/lib/log.js";

describe("Reporter.during", () => {
  it("says long work is still going at each interval, and stops saying it when the work ends", async () => {
    let stderr = "";
    const reporter = new Reporter({ stdout: { write: () => undefined }, stderr: { write: (t) => void (stderr += t) } }, { json: false, verbose: false });
    const value = await reporter.during("building the base image", new Promise<number>((resolve) => setTimeout(() => { resolve(42); }, 600)), 100);
    expect(value).toBe(42);
    const lines = stderr.split("\n").filter((l) => l.includes("still building the base image"));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(/^\[\s*\d+\.\ds\] still building the base image \(0 s\)$/);
    const before = stderr;
    await new Promise((r) => setTimeout(r, 100));
    expect(stderr).toBe(before);
  });

  it("passes a failure through, and stops the heartbeat", async () => {
    let stderr = "";
    const reporter = new Reporter({ stdout: { write: () => undefined }, stderr: { write: (t) => void (stderr += t) } }, { json: false, verbose: false });
    await expect(reporter.during("pushing", Promise.reject(new Error("registry down")), 20)).rejects.toThrow("registry down");
    await new Promise((r) => setTimeout(r, 60));
    expect(stderr).toBe("");
  });
});
