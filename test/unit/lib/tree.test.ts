import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { placeWhenWhole, writeFileAtomically, writeTreeAtomically } from "../../../scripts/lib/tree.js";

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "citelibre-tree-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("files put in place whole", () => {
  it("moves the produced file where produce says, and returns its value", async () => {
    const value = await placeWhenWhole(path.join(dir, "download.partial"), async (partial) => {
      await writeFile(partial, "whole");
      return { target: path.join(dir, "by-sha256", "artifact.war"), value: 42 };
    });
    expect(value).toBe(42);
    expect(await readFile(path.join(dir, "by-sha256", "artifact.war"), "utf8")).toBe("whole");
    expect(await readdir(dir)).toEqual(["by-sha256"]);
  });

  it("leaves the old file and no partial one when producing fails half-way", async () => {
    await writeFile(path.join(dir, "rootfs.tar"), "old");
    await expect(placeWhenWhole(path.join(dir, "rootfs.tar.partial"), async (partial) => {
      await writeFile(partial, "half");
      throw new Error("mmdebstrap failed");
    })).rejects.toThrow("mmdebstrap failed");
    expect(await readdir(dir)).toEqual(["rootfs.tar"]);
    expect(await readFile(path.join(dir, "rootfs.tar"), "utf8")).toBe("old");
  });

  it("starts afresh when an earlier run left a partial file behind", async () => {
    await writeFile(path.join(dir, "site.war.partial"), "stale bytes from a crash");
    await placeWhenWhole(path.join(dir, "site.war.partial"), async (partial) => {
      await writeFile(partial, "new", { flag: "a" });
      return { target: path.join(dir, "site.war"), value: undefined };
    });
    expect(await readFile(path.join(dir, "site.war"), "utf8")).toBe("new");
  });

  it("writes a file with its mode, creating its folder, and nothing beside it", async () => {
    const file = path.join(dir, "secrets", "db_password");
    await writeFileAtomically(file, "s3cret", 0o600);
    expect(await readFile(file, "utf8")).toBe("s3cret");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(path.join(dir, "secrets"))).toEqual(["db_password"]);
  });

  it("replaces a whole tree, dropping files the new one lacks", async () => {
    const out = path.join(dir, "out");
    await writeTreeAtomically(out, new Map([["a.txt", Buffer.from("1")], ["old/b.txt", Buffer.from("2")]]));
    await writeTreeAtomically(out, new Map([["a.txt", Buffer.from("3")]]));
    expect(await readdir(out)).toEqual(["a.txt"]);
    expect(await readFile(path.join(out, "a.txt"), "utf8")).toBe("3");
    expect(await readdir(dir)).toEqual(["out"]);
  });
});
