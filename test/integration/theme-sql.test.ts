/**
 * theme.sql against a real MariaDB core_datastore: loads twice without error, upserts existing rows,
 * and stores hostile text byte for byte, whatever the session's sql_mode.
 */
import { readFile, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freemarkerHtml } from "../../scripts/theme/escape.js";
import { checkTheme } from "../../scripts/theme/build.js";
import { loadTheme } from "../../scripts/theme/load.js";
import { siteProperties } from "../../scripts/theme/sql.js";
import { repoPath } from "../../scripts/lib/repo.js";
import { startMariaDb, type TestDatabase } from "../helpers/mariadb.js";
import { copyTheme } from "../helpers/themes.js";
import { sassTimeoutMs } from "../../scripts/theme/sass-compile.js";

let db: TestDatabase;

beforeAll(async () => {
  db = await startMariaDb();
});
afterAll(async () => {
  await db?.stop();
});

async function freshSchema(name: string): Promise<void> {
  await db.sql(`DROP DATABASE IF EXISTS ${name}; CREATE DATABASE ${name} CHARACTER SET utf8mb4;
    CREATE TABLE ${name}.core_datastore (entity_key VARCHAR(255) NOT NULL PRIMARY KEY, entity_value TEXT) DEFAULT CHARSET=utf8mb4;`);
}

async function datastore(database: string): Promise<Map<string, string>> {
  const out = await db.sql("SELECT HEX(entity_key), HEX(entity_value) FROM core_datastore ORDER BY entity_key", { database });
  return new Map(out.split("\n").filter(Boolean).map((line) => {
    const [k, v] = line.split("\t");
    return [Buffer.from(k!, "hex").toString("utf8"), Buffer.from(v ?? "", "hex").toString("utf8")];
  }));
}

async function expectedRows(dir: string): Promise<Map<string, string>> {
  const loaded = await loadTheme(dir);
  const input = loaded.input!;
  return new Map(siteProperties(input.config, input.design, input.banner ? `themes/skin/${input.config.name}/images/banner.webp` : undefined));
}

describe.each(["citelibre", "exampleville"])("theme.sql of themes/%s", (name) => {
  it("loads twice into core_datastore with the expected values", async () => {
    const database = `t_${name}`;
    await freshSchema(database);
    await db.sql("INSERT INTO core_datastore VALUES ('portal.site.site_property.name', 'LUTECE'), ('unrelated.key', 'kept');", { database });
    const sql = (await checkTheme(repoPath("themes", name), { sassTimeoutMs: sassTimeoutMs(process.env) })).tree!.get("sql/theme.sql")!.toString();
    await db.sql(sql, { database });
    await db.sql(sql, { database });
    const rows = await datastore(database);
    const expected = await expectedRows(repoPath("themes", name));
    for (const [key, value] of expected) expect(rows.get(key), key).toBe(value);
    expect(rows.get("unrelated.key")).toBe("kept");
    expect(rows.size).toBe(expected.size + 1);
  });
});

describe("theme.sql with hostile text", () => {
  it("stores quotes, backslashes, newlines and markup exactly, as escaped HTML text, even under NO_BACKSLASH_ESCAPES", async () => {
    const theme = await copyTheme("citelibre", "hostile");
    try {
      const hostile = "It's \"quoted\" \\ back\\slash\\'; DROP TABLE core_datastore; --\nsecond line <script>x</script> ${y} <#if z>";
      const yamlPath = `${theme.dir}/theme.yaml`;
      const yaml = (await readFile(yamlPath, "utf8")).replace("name: citelibre", "name: hostile").replace(/ {2}about: \|\n(?: {4}.*\n|\n)*/, `  about: ${JSON.stringify(hostile)}\n`);
      await writeFile(yamlPath, yaml);
      const outcome = await checkTheme(theme.dir, { sassTimeoutMs: sassTimeoutMs(process.env) });
      expect(outcome.problems.filter((p) => p.severity === "error")).toEqual([]);
      const sql = outcome.tree!.get("sql/theme.sql")!.toString();
      await freshSchema("t_hostile");
      await db.sql(sql, { database: "t_hostile", initCommand: "SET SESSION sql_mode='NO_BACKSLASH_ESCAPES,ANSI_QUOTES'" });
      await db.sql(sql, { database: "t_hostile" });
      const rows = await datastore("t_hostile");
      // Stored exactly, as the HTML text a page shows as typed (quotes, markup and FreeMarker's signs as
      // character references): the SQL escaping held, and nothing of it can run where Lutece prints it.
      expect(rows.get("themecitelibre.site_property.footer.about")).toBe(freemarkerHtml(hostile));
      expect(rows.get("themecitelibre.site_property.footer.about")).not.toMatch(/[<>'"\\$]|#\{/);
      expect(rows.has("themecitelibre.site_property.Url.legalURL")).toBe(true);
    } finally {
      await theme.cleanup();
    }
  });
});
