import { describe, expect, it } from "vitest";
import { startedLine, startupFailureCause, stoppedLine } from "../../../scripts/image/run-site.js";

const failed = [
  "[citelibre] first set-up of lutece: 2 script(s) of the site, 1 of the bundle",
  "[tomcat] 01-Dec-2026 15:11:05.001 INFOS [main] org.apache.catalina.startup.Catalina.load ...",
  "[lutece] 2026-12-01 15:11:08 INFO  [Lutece-MainThread] l.event - Creating connexions pool 'portal'.",
  "[lutece] 2026-12-01 15:11:08 ERROR [Lutece-MainThread] l.error - Exception when getting the property poolservice",
  "[lutece] 2026-12-01 15:11:08 ERROR [http-nio-0.0.0.0-8080-exec-1] l.error - Lutece did not start: Error initializing pool : Exception when getting the pool 'portal'. (fr.example.NoSuchPoolService)",
  "[citelibre] stopping tomcat",
  "[citelibre] error: Lutece did not start; its reason is in the [lutece] lines above",
  "[mariadb] 2026-12-01 15:11:09 0 [Note] mariadbd: Shutdown complete",
].join("\n");

describe("why a start failed", () => {
  it("gives Lutece's own reason first, then its other errors and the entrypoint's, and nothing else", () => {
    expect(startupFailureCause(failed)).toEqual([
      "[lutece] 2026-12-01 15:11:08 ERROR [http-nio-0.0.0.0-8080-exec-1] l.error - Lutece did not start: Error initializing pool : Exception when getting the pool 'portal'. (fr.example.NoSuchPoolService)",
      "[lutece] 2026-12-01 15:11:08 ERROR [Lutece-MainThread] l.error - Exception when getting the property poolservice",
      "[citelibre] error: Lutece did not start; its reason is in the [lutece] lines above",
    ]);
  });

  it("falls back to the log's last lines when nothing says error", () => {
    const logs = Array.from({ length: 30 }, (_, i) => `[mariadb] line ${i}`).join("\n");
    expect(startupFailureCause(logs, 5)).toEqual(["[mariadb] line 25", "[mariadb] line 26", "[mariadb] line 27", "[mariadb] line 28", "[mariadb] line 29"]);
  });

  it("recognises the entrypoint's started line only", () => {
    expect(startedLine.test("[citelibre] started: site http://localhost:8080/rendezvous/jsp/site/Portal.jsp")).toBe(true);
    expect(startedLine.test("[citelibre] started: database lutece on port 3306")).toBe(false);
    expect(startedLine.test("[lutece] |____| started successfully in 2s !!!")).toBe(false);
    // The entrypoint's last line: a failed start is seen even when the restart policy has started it again.
    expect(stoppedLine.exec("[citelibre] error: x\n[citelibre] stopped (exit status 1)\n[citelibre] first start")?.[1]).toBe("1");
    expect(stoppedLine.test("[lutece] stopped (exit status 1)")).toBe(false);
  });
});
