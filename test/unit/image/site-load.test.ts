import { describe, expect, it } from "vitest";
import { parseMemUsage, parseWrk, pathsScript, stylesheetPath } from "../../../scripts/image/site-load.js";

// wrk 4.1.0's report, as printed on this machine with --latency (and the error lines it adds when needed).
const clean = `Running 5s test @ http://127.0.0.1:18080
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    28.35ms   20.85ms 132.78ms   59.78%
    Req/Sec     0.92k   136.60     1.15k    72.00%
  Latency Distribution
     50%   29.81ms
     75%   43.94ms
     90%   54.73ms
     99%   82.21ms
  9128 requests in 5.01s, 50.15MB read
Requests/sec:   1822.77
Transfer/sec:     10.01MB
`;
const failing = clean
  .replace("     50%   29.81ms", "     50%  812.00us")
  .replace("    Latency    28.35ms   20.85ms 132.78ms", "    Latency    28.35ms   20.85ms    1.20s")
  .replace("Requests/sec:", "  Socket errors: connect 3, read 2, write 1, timeout 7\n  Non-2xx or 3xx responses: 11\nRequests/sec:");

describe("wrk report", () => {
  it("reads throughput, latency percentiles in ms, and no errors", () => {
    expect(parseWrk(clean, 50, 5)).toEqual({
      connections: 50, seconds: 5, requests: 9128, perSecond: 1822.77,
      latencyMs: { p50: 29.81, p90: 54.73, p99: 82.21, max: 132.78 },
      errors: 0, timeouts: 0, non2xx: 0,
    });
  });

  it("counts socket errors, timeouts and non-2xx answers, and converts us and s", () => {
    const step = parseWrk(failing, 50, 5);
    expect(step).toMatchObject({ errors: 6, timeouts: 7, non2xx: 11 });
    expect(step.latencyMs.p50).toBeCloseTo(0.812);
    expect(step.latencyMs.max).toBe(1200);
  });

  it("refuses output that is not a wrk report", () => {
    expect(() => parseWrk("unable to connect to 127.0.0.1:1 Connection refused", 1, 1)).toThrow(/cannot read wrk.s report/);
  });
});

describe("load helpers", () => {
  it("sends the paths in turn from a Lua hook, and refuses anything but plain paths", () => {
    expect(pathsScript(["/a/Portal.jsp", "/a/x.css?v=1"])).toContain('local paths = { "/a/Portal.jsp", "/a/x.css?v=1" }');
    expect(() => pathsScript(['/a" } os.execute("rm'])).toThrow(/not a plain URL path/);
  });

  it("finds the stylesheet the way a browser resolves it, through <base href>", () => {
    const html = '<base href="/rendezvous/"><link rel="stylesheet" href="themes/skin/c/css/c.min.css?v&#61;12">';
    expect(stylesheetPath("http://127.0.0.1:1/rendezvous/jsp/site/Portal.jsp", html)).toBe("/rendezvous/themes/skin/c/css/c.min.css?v=12");
    expect(stylesheetPath("http://127.0.0.1:1/x", "<p>no css</p>")).toBeUndefined();
  });

  it("reads podman's memory column", () => {
    expect(parseMemUsage("226.7MB / 1.074GB")).toEqual({ used: 226_700_000, limit: 1_074_000_000 });
    expect(parseMemUsage("512kB / 2GiB")).toEqual({ used: 512_000, limit: 2 * 1024 ** 3 });
    expect(() => parseMemUsage("--")).toThrow(/cannot read the memory usage/);
  });
});
