import { describe, expect, it } from "vitest";
import { hex } from "../../../scripts/theme/color.js";
import { resolveTokens } from "../../../scripts/theme/tokens.js";

describe("DTCG tokens", () => {
  it("accepts hex strings and colour objects in several colour spaces", () => {
    const { tokens, problems } = resolveTokens({
      color: {
        $type: "color",
        a: { $value: "#1F5FA8" },
        b: { $value: { colorSpace: "srgb", components: [1, 0, 0] } },
        c: { $value: { colorSpace: "hsl", components: [120, 100, 25] } },
        d: { $value: { colorSpace: "oklch", components: [0.628, 0.2577, 29.23] } },
        e: { $value: "#0f08" },
      },
    });
    expect(problems).toEqual([]);
    const get = (p: string) => {
      const v = tokens.get(p)?.value;
      return v?.type === "color" ? hex(v.color) : undefined;
    };
    expect(get("color.a")).toBe("#1f5fa8");
    expect(get("color.b")).toBe("#ff0000");
    expect(get("color.c")).toBe("#008000");
    expect(get("color.d")).toBe("#ff0000");
    expect(get("color.e")).toBe("#00ff0088");
  });

  it("follows aliases through several levels and inherits $type from groups", () => {
    const { tokens, problems } = resolveTokens({
      base: { $type: "color", blue: { $value: "#0000ff" } },
      color: { $type: "color", primary: { $value: "{brand.main}" } },
      brand: { $type: "color", main: { $value: "{base.blue}" } },
    });
    expect(problems).toEqual([]);
    expect(tokens.get("color.primary")?.via).toEqual(["brand.main", "base.blue"]);
  });

  it("reports an alias cycle with the whole chain", () => {
    const { problems } = resolveTokens({ color: { $type: "color", a: { $value: "{color.b}" }, b: { $value: "{color.c}" }, c: { $value: "{color.a}" } } });
    expect(problems[0]?.message).toMatch(/alias cycle: color\.a -> color\.b -> color\.c -> color\.a/);
  });

  it("reports a broken alias with the closest existing token", () => {
    const { problems } = resolveTokens({ color: { $type: "color", primary: { $value: "#000000" }, link: { $value: "{color.primery}" } } });
    expect(problems[0]).toMatchObject({ field: "color.link", message: "alias {color.primery} points to no token" });
    expect(problems[0]?.fix).toContain("did you mean color.primary?");
  });

  it("rejects invalid colours, dimensions and font names with a fix", () => {
    const { problems } = resolveTokens({
      color: { $type: "color", bad: { $value: "blue" }, space: { $value: { colorSpace: "cmyk", components: [0, 0, 0] } } },
      size: { $type: "dimension", bad: { $value: "12pt" } },
      font: { $type: "fontFamily", bad: { $value: ["Arial; } body { display:none"] } },
    });
    expect(problems.map((p) => p.field)).toEqual(["color.bad", "color.space", "size.bad", "font.bad"]);
    expect(problems[0]?.fix).toContain("#rrggbb");
    expect(problems[1]?.fix).toContain("oklch");
  });
});
