import { mkdtemp, rename, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { oneAtATime, watchFolder } from "../../../scripts/theme/watch.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe("oneAtATime", () => {
  it("never overlaps runs, and folds every call made during a run into exactly one more", async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const serial = oneAtATime(async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setTimeout(r, 30));
      active--;
      return ++runs;
    }, () => false);
    const first = serial.run();
    const during = [serial.run(), serial.run(), serial.run()];
    expect(serial.current()).toBe(first);
    // The calls made during the first run are covered by the second: the promise gives its result.
    expect(await first).toBe(2);
    expect(await Promise.all(during)).toEqual([2, 2, 2]);
    expect(runs).toBe(2);
    expect(maxActive).toBe(1);
    expect(serial.current()).toBeUndefined();
    expect(await serial.run()).toBe(3);
  });

  it("runs no more once closed", async () => {
    let closed = false;
    let runs = 0;
    const serial = oneAtATime(async () => {
      await new Promise((r) => setTimeout(r, 20));
      return ++runs;
    }, () => closed);
    const first = serial.run();
    void serial.run();
    closed = true;
    await first;
    expect(runs).toBe(1);
  });
});

describe("watchFolder", () => {
  it("sees every save, also when an editor saves by renaming a new copy over the file, and in new folders", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "citelibre-watch-"));
    dirs.push(dir);
    const file = path.join(dir, "tokens.json");
    await writeFile(file, "1");
    let changes = 0;
    const watch = await watchFolder(dir, () => changes++, (e) => {
      throw e;
    }, 30);
    try {
      for (let i = 2; i <= 4; i++) {
        // sed -i, vim and many editors' "safe write": a new file renamed over the old one.
        await writeFile(`${file}.tmp`, String(i));
        await rename(`${file}.tmp`, file);
        await until(() => changes >= i - 1);
      }
      await writeFile(file, "in place");
      await until(() => changes >= 4);
      await mkdir(path.join(dir, "images"));
      await new Promise((r) => setTimeout(r, 150));
      const before = changes;
      await writeFile(path.join(dir, "images", "logo.svg"), "<svg/>");
      await until(() => changes > before);
    } finally {
      await watch.close();
    }
  });
});
