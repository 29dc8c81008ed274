import { describe, expect, it } from "vitest";
import { freemarkerHtml, sqlString } from "../../../scripts/theme/escape.js";

describe("escaping", () => {
  it("neutralises HTML and every FreeMarker syntax in text", () => {
    const out = freemarkerHtml(`<script>alert(1)</script> \${user.password} <#assign x=1> [#if x][/#if] #{x} <@macro/> "'`);
    for (const dangerous of ["<", ">", "${", "[#", "#{", "@", '"', "'"]) expect(out).not.toContain(dangerous);
    expect(out).toContain("&#60;script&#62;");
    expect(out).toContain("&#36;&#123;user.password&#125;");
  });

  it("quotes MariaDB string literals so that no value can end the string", () => {
    expect(sqlString("O'Brien")).toBe("'O''Brien'");
    expect(sqlString("a\\'; DROP TABLE core_datastore; --")).toBe("'a\\\\''; DROP TABLE core_datastore; --'");
    expect(sqlString("line1\nline2\0")).toBe("'line1\\nline2\\0'");
  });
});
