/**
 * The runtime's properties templating, checked against Java's own Properties parser: a value with
 * '/', '&', quotes, '=', ':', '#', a backslash, non-ASCII or a leading space must arrive unchanged.
 */
import { execa } from "execa";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoPath } from "../../scripts/lib/repo.js";

const script = repoPath("images/runtime/rootfs/usr/local/lib/citelibre/set-properties.py");
const reader = `
import java.io.FileInputStream;
import java.util.Properties;
public class Read {
  public static void main(String[] a) throws Exception {
    Properties p = new Properties();
    try (FileInputStream in = new FileInputStream(a[0])) { p.load(in); }
    for (int i = 1; i < a.length; i++) System.out.print(p.getProperty(a[i]) + "\\u0000");
  }
}`;

describe("set-properties.py", () => {
  it("writes values Java reads back unchanged, and keeps the other lines", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "citelibre-props-"));
    try {
      const file = path.join(dir, "db.properties");
      await writeFile(file, "# Lutece db.properties\nportal.poolservice=fr.paris.lutece.util.pool.service.LuteceConnectionService\nportal.url=jdbc:old\nportal.password=old\\\n  continued\nportal.maxconns=10\n");
      const values = {
        TEST_URL: "jdbc:mariadb://db:3306/lutece?useUnicode=true&characterEncoding=utf8",
        TEST_PASSWORD: " p/a&s's\"w=o:r#d!\\é€ ",
      };
      await execa("python3", [script, file, "portal.url=TEST_URL", "portal.password=TEST_PASSWORD", "portal.user=USER"], { env: { ...values, USER: "lutece" } });
      const text = await readFile(file, "latin1");
      expect(text).toContain("portal.poolservice=fr.paris.lutece.util.pool.service.LuteceConnectionService");
      expect(text).toContain("portal.maxconns=10");
      expect(text).not.toContain("continued");
      await writeFile(path.join(dir, "Read.java"), reader);
      const { stdout } = await execa("java", [path.join(dir, "Read.java"), file, "portal.url", "portal.password", "portal.user", "portal.maxconns"]);
      expect(stdout.split("\u0000").slice(0, 4)).toEqual([values.TEST_URL, values.TEST_PASSWORD, "lutece", "10"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
