/**
 * `citelibre run --watch` on the real Lutece 7.0.6 site (../shared/fixtures), as a city's officer uses it:
 * the site runs, the theme folder is edited (saved the way editors save: a new file renamed over the old),
 * and a reload of the real portal shows the change, with no new image. A broken save changes nothing on the
 * site. A site started without --watch cannot be changed this way. Skipped, with the reason, where the
 * fixture is not on the machine.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCli, type CliSession } from "../../scripts/lib/cli-session.js";
import { browserLanguage } from "../../scripts/lib/http.js";
import { writeFileAtomically } from "../../scripts/lib/tree.js";
import { lookAt } from "../helpers/browser.js";
import { cleanup, engine, freePort, removeImagesUnder, track, uniqueName } from "../helpers/containers.js";
import { luteceSite } from "../helpers/lutece.js";
import { copyTheme, runCli } from "../helpers/themes.js";

const fixture = await luteceSite();
if (fixture.reason) console.log(`SKIPPED live theme tests: ${fixture.reason}`);
const namespace = `citelibre-test-live-${process.pid}`;

/** Saves as many editors do (sed -i, vim, "safe write"): a new file renamed over the old one. */
async function save(file: string, edit: (text: string) => string): Promise<void> {
  await writeFileAtomically(file, edit(await readFile(file, "utf8")));
}

const portalTitle = async (base: string) => /<title>([^<]*)<\/title>/.exec(await (await fetch(`${base}/jsp/site/Portal.jsp`, { headers: browserLanguage })).text())?.[1] ?? "";

describe.skipIf(!fixture.site)("citelibre run --watch on the real Lutece site", () => {
  let theme: Awaited<ReturnType<typeof copyTheme>>;
  let cli: CliSession | undefined;
  let base = "";
  let container = "";
  const output = () => cli?.output() ?? "";
  const waitForOutput = (pattern: RegExp, from: number, ms: number): Promise<string> => {
    if (!cli) throw new Error("citelibre run --watch did not start");
    return cli.waitFor(pattern, from, ms);
  };

  beforeAll(async () => {
    const built = await runCli(["base", "build", "--bootstrap"]);
    expect(built.code, built.stderr + built.stdout).toBe(0);
    theme = await copyTheme("exampleville");
    container = track("containers", uniqueName("live"));
    track("volumes", `${container}-data`);
    const port = await freePort();
    base = `http://127.0.0.1:${port}/rendezvous`;
    cli = startCli([
      "run", "rendezvous", "--site-war", fixture.site ?? "", "--theme", theme.dir, "--namespace", namespace,
      "--name", container, "--port", String(port), "--mail-port", String(await freePort()), "--watch",
    ]);
    await waitForOutput(/^Watching .*: each save is checked/m, 0, 600_000);
  }, 1_200_000);

  afterAll(async () => {
    cli?.kill();
    await cleanup();
    await removeImagesUnder(namespace);
    await theme?.cleanup();
  }, 120_000);

  it("shows a new main colour on the real portal after a save, without a new image", async () => {
    const before = await lookAt(`${base}/jsp/site/Portal.jsp`);
    expect(before.failurePage).toBe(false);
    expect(before.menuBackground).toBe("rgb(122, 31, 92)");
    const image = await engine.inspectFormat(container, "{{.Image}}");
    const from = output().length;
    const saved = performance.now();
    await save(path.join(theme.dir, "tokens.json"), (t) => t.replace('"plum": { "$value": "#7a1f5c" }', '"plum": { "$value": "#1f4e7a" }'));
    const line = await waitForOutput(/^theme updated on the site in \d+ ms \(\d+ file\(s\) copied\)$/m, from, 30_000);
    console.log(`live theme: "${line}"; edit to the line: ${Math.round(performance.now() - saved)} ms`);
    const after = await lookAt(`${base}/jsp/site/Portal.jsp`);
    expect(after.failurePage).toBe(false);
    expect(after.menuBackground).toBe("rgb(31, 78, 122)");
    expect(after.offLoopback).toEqual([]);
    // The same container, on the same image: nothing was rebuilt or restarted.
    expect(await engine.inspectFormat(container, "{{.Image}}")).toBe(image);
    expect(await engine.inspectFormat(container, "{{.State.Status}}")).toBe("running");
  });

  it("shows a new site name at once: the theme's datastore rows are loaded and Lutece's caches emptied", async () => {
    expect(await portalTitle(base)).toMatch(/^Exampleville - /);
    const from = output().length;
    await save(path.join(theme.dir, "theme.yaml"), (t) => t.replace(/^displayName: .*$/m, 'displayName: "Saint-Aubin & Co"'));
    await waitForOutput(/^theme updated on the site/m, from, 30_000);
    // As typed, escaped once for HTML (sql.ts): the title shows "Saint-Aubin & Co".
    expect(await portalTitle(base)).toMatch(/^Saint-Aubin &#38; Co - /);
    // The site properties are read by Lutece at start only: the officer is told so.
    expect(output().slice(from)).toMatch(/warning: the site name in the back office and the default language change when the site starts again/);
  });

  it("keeps the last good theme on the site when a save breaks it, and says why", async () => {
    const from = output().length;
    await save(path.join(theme.dir, "tokens.json"), (t) => t.replace('"#1f4e7a"', '"not a colour"'));
    const warning = await waitForOutput(/^warning: the theme was not copied to the site \(it shows the last good one\):\n.*tokens\.json.*$/m, from, 30_000);
    expect(warning).not.toMatch(/\n\s+at /);
    const look = await lookAt(`${base}/jsp/site/Portal.jsp`);
    expect(look.failurePage).toBe(false);
    expect(look.menuBackground).toBe("rgb(31, 78, 122)");
    // Mended: the next save goes through again.
    const mended = output().length;
    await save(path.join(theme.dir, "tokens.json"), (t) => t.replace('"not a colour"', '"#2d6a1f"'));
    await waitForOutput(/^theme updated on the site/m, mended, 30_000);
    expect((await lookAt(`${base}/jsp/site/Portal.jsp`)).menuBackground).toBe("rgb(45, 106, 31)");
  });

  it("empties Lutece's caches only for the container's own token", async () => {
    const page = `${base}/citelibre-live.jsp`;
    expect((await fetch(page, { method: "POST" })).status).toBe(403);
    expect((await fetch(page, { method: "POST", headers: { "X-Citelibre-Live-Token": "guess" } })).status).toBe(403);
    expect((await fetch(page, { headers: { "X-Citelibre-Live-Token": "guess" } })).status).toBe(403);
  });

  it("stops the site and the watch on Ctrl-C", async () => {
    if (!cli) throw new Error("citelibre run --watch did not start");
    expect(await cli.interrupt(60_000), output()).toBe(0);
    expect(output()).toMatch(/^Stopped\.$/m);
    expect(await engine.inspectFormat(container, "{{.State.Status}}")).toMatch(/exited|stopped/);
  });
});
