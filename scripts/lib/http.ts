/** Waiting for a site: used by the benchmarks and the integration tests alike. */
import { createServer } from "node:net";

/** A loopback port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

/**
 * Node's fetch sends `Accept-Language: *`, which Lutece 7.0.x answers with HTTP 500 (its LocaleService
 * takes the first two letters of the request's language, and `*` has none); browsers send a language.
 */
export const browserLanguage = { "accept-language": "fr" };

/** Polls a loopback URL until it answers 200 or the time is up; returns the body and the time it took. */
export async function waitForHttp(url: string, timeoutMs = 60_000): Promise<{ body: string; ms: number }> {
  const started = performance.now();
  let last = "";
  while (performance.now() - started < timeoutMs) {
    try {
      const r = await fetch(url, { headers: browserLanguage, signal: AbortSignal.timeout(3000) });
      if (r.status === 200) return { body: await r.text(), ms: Math.round(performance.now() - started) };
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}

/** Registries on this machine are reached without TLS: there is nothing to protect on loopback. */
export function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return name === "localhost" || /^127\.\d+\.\d+\.\d+$/.test(name) || name === "::1";
}
