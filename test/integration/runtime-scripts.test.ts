/**
 * The runtime's helper scripts, on this machine: the properties templating checked against Java's own
 * Properties parser (a value with '/', '&', quotes, '=', ':', '#', a backslash, non-ASCII or a leading
 * space must arrive unchanged), the order of a site's SQL scripts, and the stored form of a back-office
 * password checked with the JDK's PBKDF2, as Lutece checks it.
 */
import { execa } from "execa";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
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
    java.io.PrintStream out = new java.io.PrintStream(System.out, true, "UTF-8");
    for (int i = 1; i < a.length; i++) out.print(p.getProperty(a[i]) + "\\u0000");
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
        // An emoji lies beyond the first plane: Java reads it from a UTF-16 surrogate pair only.
        TEST_PASSWORD: " p/a&s's\"w=o:r#d!\\é€😀 ",
      };
      await execa("python3", [script, file, "portal.url=TEST_URL", "portal.password=TEST_PASSWORD", "portal.user=USER"], { env: { ...values, USER: "lutece" } });
      const text = await readFile(file, "latin1");
      expect(text).toContain("portal.poolservice=fr.paris.lutece.util.pool.service.LuteceConnectionService");
      expect(text).toContain("portal.maxconns=10");
      expect(text).not.toContain("continued");
      await writeFile(path.join(dir, "Read.java"), reader);
      const { stdout } = await execa("java", [path.join(dir, "Read.java"), file, "portal.url", "portal.password", "portal.user", "portal.maxconns"]);
      expect(stdout.split("\u0000").slice(0, 4)).toEqual([values.TEST_URL, values.TEST_PASSWORD, "lutece", "10"]);
      // The readiness check and the live theme reload (citelibre_site.py) read the same file back the way Java does.
      const health = repoPath("images/runtime/rootfs/usr/local/lib/citelibre/citelibre_site.py");
      const readBack = await execa("python3", ["-c", [
        "import importlib.util, sys",
        "spec = importlib.util.spec_from_file_location('health', sys.argv[1]); health = importlib.util.module_from_spec(spec); spec.loader.exec_module(health)",
        "line = next(l for l in open(sys.argv[2], encoding='iso-8859-1') if l.startswith('portal.password='))",
        "sys.stdout.buffer.write(health.properties_value(line.rstrip('\\n').partition('=')[2]).encode('utf-8'))",
      ].join("\n"), health, file]);
      expect(readBack.stdout).toBe(values.TEST_PASSWORD);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("site-sql-plan", () => {
  it("orders core, then every plugin's core/, then every plugin's plugin/ scripts; create before init; never upgrade/ or init_db/", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "citelibre-sql-plan-"));
    try {
      const files = [
        "init_db_lutece_core.sql", "create_db_lutece_core.sql", "build.xml", "upgrade/update_db_lutece_core-6.0-7.0.sql", "init_db/mysql.sql",
        "plugins/zeta/plugin/init_db_zeta.sql", "plugins/zeta/plugin/create_db_zeta.sql", "plugins/zeta/core/init_core_zeta.sql",
        "plugins/alpha/core/alpha_rights.sql", "plugins/alpha/modules/beta/core/Create_beta.sql", "plugins/alpha/modules/beta/plugin/init_beta.sql",
        "plugins/alpha/upgrade/update_db_alpha.sql", "plugins/alpha/plugin/upgrade/update_again.sql", "plugins/alpha/plugin/notes.txt",
      ];
      for (const f of files) {
        await mkdir(path.dirname(path.join(dir, f)), { recursive: true });
        await writeFile(path.join(dir, f), "-- test\n");
      }
      const { stdout } = await execa("bash", [repoPath("images/runtime/rootfs/usr/local/lib/citelibre/site-sql-plan"), dir]);
      expect(stdout.split("\n")).toEqual([
        "create_db_lutece_core.sql", "init_db_lutece_core.sql",
        "plugins/alpha/core/alpha_rights.sql", "plugins/alpha/modules/beta/core/Create_beta.sql", "plugins/zeta/core/init_core_zeta.sql",
        "plugins/alpha/modules/beta/plugin/init_beta.sql", "plugins/zeta/plugin/create_db_zeta.sql", "plugins/zeta/plugin/init_db_zeta.sql",
      ]);
      // Nothing to load is an empty plan, not an error.
      const empty = await mkdtemp(path.join(tmpdir(), "citelibre-sql-plan-"));
      expect((await execa("bash", [repoPath("images/runtime/rootfs/usr/local/lib/citelibre/site-sql-plan"), empty])).stdout).toBe("");
      await rm(empty, { recursive: true, force: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("lutece-password.py", () => {
  const checker = `
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.util.HexFormat;
public class Check {
  // What Lutece 7's PasswordFactory does with PBKDF2WITHHMACSHA512:<iterations>:<hex salt>:<hex hash>.
  public static void main(String[] a) throws Exception {
    String[] p = a[0].split(":");
    if (!p[0].equals("PBKDF2WITHHMACSHA512")) throw new IllegalArgumentException(p[0]);
    byte[] salt = HexFormat.of().parseHex(p[2]), hash = HexFormat.of().parseHex(p[3]);
    PBEKeySpec spec = new PBEKeySpec(a[1].toCharArray(), salt, Integer.parseInt(p[1]), hash.length * 8);
    byte[] test = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
    System.out.print(java.util.Arrays.equals(hash, test) ? "match" : "no match");
  }
}`;

  it("stores a password the way Lutece 7 checks it, salted, and only from the environment", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "citelibre-password-"));
    try {
      await writeFile(path.join(dir, "Check.java"), checker);
      const script = repoPath("images/runtime/rootfs/usr/local/lib/citelibre/lutece-password.py");
      const password = "Ville-d'Été €42";
      const stored = (await execa("python3", [script], { env: { CL_PASSWORD: password } })).stdout;
      expect(stored).toMatch(/^PBKDF2WITHHMACSHA512:40000:[0-9a-f]{32}:[0-9a-f]{256}$/);
      const check = (candidate: string) => execa("java", [path.join(dir, "Check.java"), stored, candidate]).then((r) => r.stdout);
      expect(await check(password)).toBe("match");
      expect(await check("adminadmin")).toBe("no match");
      // A new salt each time: the same password never stores the same way twice.
      expect((await execa("python3", [script], { env: { CL_PASSWORD: password } })).stdout).not.toBe(stored);
      const empty = await execa("python3", [script], { env: { CL_PASSWORD: "" }, reject: false });
      expect(empty.exitCode).not.toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
