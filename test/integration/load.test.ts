/**
 * The all-in-one container under bounded load (loopback only): 50 connections for 15 s on the site's
 * page and its theme stylesheet must give zero errors, and the container must stay within its memory
 * limit. The 60-second run and the figures per concurrency are `npm run bench:load`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadStep, sampleMemory, stepLine, stylesheetPath } from "../../scripts/image/site-load.js";
import { cleanup, engine, freePort, track, uniqueName, waitForHttp } from "../helpers/containers.js";
import { runCli } from "../helpers/themes.js";

let page: string;
let container: string;

beforeAll(async () => {
  const r = await runCli(["--json", "build", "rendezvous", "--site-war", "stand-in"]);
  expect(r.code, r.stderr).toBe(0);
  const image = (JSON.parse(r.stdout) as { id: string }).id;
  const port = await freePort();
  container = track("containers", uniqueName("load"));
  await engine.raw(["run", "--detach", "--name", container, "--memory", "1g", "-p", `127.0.0.1:${port}:8080`, image]);
  page = `http://127.0.0.1:${port}/rendezvous/jsp/site/Portal.jsp`;
}, 600_000);

afterAll(cleanup);

describe("all-in-one container under load", () => {
  it("answers 50 connections for 15 s without an error and stays within its memory limit", async () => {
    const { body } = await waitForHttp(page, 120_000);
    const css = stylesheetPath(page, body);
    expect(css).toMatch(/\.css/);
    await waitForHttp(new URL(css ?? "", page).href, 10_000);
    const memory = sampleMemory(engine, container);
    const step = await loadStep(page, [css ?? ""], 50, 15);
    const mem = await memory.stop();
    console.log(`load: ${stepLine(step)}; memory peak ${(mem.peak / 1e6).toFixed(0)} MB of ${(mem.limit / 1e6).toFixed(0)} MB`);
    expect(step.requests).toBeGreaterThan(1000);
    expect({ errors: step.errors, timeouts: step.timeouts, non2xx: step.non2xx }).toEqual({ errors: 0, timeouts: 0, non2xx: 0 });
    expect(mem.samples).toBeGreaterThan(5);
    expect(mem.limit).toBeGreaterThan(1e9);
    expect(mem.peak).toBeLessThan(mem.limit);
    expect(await engine.inspectFormat(container, "{{.State.OOMKilled}}")).toBe("false");
    expect(await engine.inspectFormat(container, "{{.State.Status}}")).toBe("running");
  });
});
