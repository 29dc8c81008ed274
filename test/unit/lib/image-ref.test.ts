import { describe, expect, it } from "vitest";
import {
  withoutRemoteRegistry, formatImageRef, ImageRefError, lastSegment, nameOf, namespaceOf, parseImageRef, registryHost, splitImageRef, withDigest, withoutTagOrDigest, withTag,
} from "../../../scripts/lib/image-ref.js";
import { UserError } from "../../../scripts/lib/problems.js";

const digest = `sha256:${"0123456789abcdef".repeat(4)}`;

describe("parseImageRef", () => {
  it.each([
    ["plain name", "rendezvous", { repository: "rendezvous" }],
    ["namespaced name", "citelibre/rendezvous", { repository: "citelibre/rendezvous" }],
    ["name:tag", "citelibre/rendezvous:1.0.0", { repository: "citelibre/rendezvous", tag: "1.0.0" }],
    ["registry with port and tag", "127.0.0.1:5000/ns/app:1.2", { registry: "127.0.0.1:5000", repository: "ns/app", tag: "1.2" }],
    ["registry with port, no tag", "localhost:5000/citelibre/base", { registry: "localhost:5000", repository: "citelibre/base" }],
    ["registry without port", "ghcr.io/citelibre/rendezvous:nightly-20260101", { registry: "ghcr.io", repository: "citelibre/rendezvous", tag: "nightly-20260101" }],
    ["digest only", `ghcr.io/city/rendezvous@${digest}`, { registry: "ghcr.io", repository: "city/rendezvous", digest }],
    ["tag and digest", `127.0.0.1:5000/city/rendezvous:1.2.3@${digest}`, { registry: "127.0.0.1:5000", repository: "city/rendezvous", tag: "1.2.3", digest }],
    ["localhost/ prefix", "localhost/citelibre/base:bookworm", { registry: "localhost", repository: "citelibre/base", tag: "bookworm" }],
    ["a first component that is not a host", "citelibre-bench-42/x_y__z.a--b:Tag_1.x", { repository: "citelibre-bench-42/x_y__z.a--b", tag: "Tag_1.x" }],
    ["registry given by its IPv6 address", "[::1]:5000/ns/app:1", { registry: "[::1]:5000", repository: "ns/app", tag: "1" }],
    ["a host:port alone is a name and a tag", "localhost:5000", { repository: "localhost", tag: "5000" }],
  ])("reads a %s", (_what, text, expected) => {
    const ref = parseImageRef(text);
    expect(ref).toStrictEqual(expected);
    expect(formatImageRef(ref)).toBe(text);
  });

  it.each([
    ["", /repository ""/],
    ["Citelibre/rendezvous", /repository "Citelibre\/rendezvous" must be lowercase/],
    ["citelibre/rendezvous:", /tag "" must be/],
    ["citelibre/rendezvous:-rc", /tag "-rc" must be/],
    [`app:${"a".repeat(129)}`, /tag "a+" must be 1 to 128/],
    ["app:1:2", /repository "app:1" must be/],
    ["citelibre//rendezvous", /repository/],
    ["citelibre/rendezvous-", /repository/],
    ["a..b", /repository "a\.\.b"/],
    ["ghcr.io/", /repository ""/],
    ["-bad.io/app", /"-bad\.io" is not a registry/],
    ["ghcr.io:port/app", /"ghcr\.io:port" is not a registry/],
    ["app@sha256:abc", /digest "sha256:abc" must be sha256:/],
    [`app@${digest.toUpperCase()}`, /digest/],
    [`app@${digest}@${digest}`, /digest/],
    [`ghcr.io/${"a".repeat(250)}`, /longer than 255/],
  ])("refuses %j", (text, why) => {
    expect(() => parseImageRef(text)).toThrow(ImageRefError);
    expect(() => parseImageRef(text)).toThrow(why);
  });

  it("says which reference is wrong, as an error the user can fix (no stack trace)", () => {
    expect(() => parseImageRef("Bad")).toThrow(UserError);
    expect(() => parseImageRef("Bad")).toThrow(/^"Bad" is not an image reference \(such as ghcr\.io\/citelibre\/rendezvous:1\.0\.0\): the repository "Bad" must be lowercase/);
  });
});

describe("splitImageRef", () => {
  it("splits what the grammar refuses the same way, and gives it back unchanged", () => {
    for (const text of ["", "app:", "a..b:1", "ghcr.io/", "app@", "x@sha512:abc", "Foo/Bar:V1", "a:b:c"]) expect(formatImageRef(splitImageRef(text))).toBe(text);
    expect(splitImageRef("app:")).toStrictEqual({ repository: "app", tag: "" });
    expect(splitImageRef("127.0.0.1:5000/ns/app")).toStrictEqual({ registry: "127.0.0.1:5000", repository: "ns/app" });
    expect(splitImageRef("x@sha512:abc")).toStrictEqual({ repository: "x", digest: "sha512:abc" });
  });
});

describe("building references", () => {
  const both = `127.0.0.1:5000/city/rendezvous:1.2.3@${digest}`;
  it("drops, replaces and adds the tag and the digest", () => {
    const ref = parseImageRef(both);
    expect(formatImageRef(withoutTagOrDigest(ref))).toBe("127.0.0.1:5000/city/rendezvous");
    expect(nameOf(ref)).toBe("127.0.0.1:5000/city/rendezvous");
    expect(formatImageRef(withTag(withoutTagOrDigest(ref), "latest"))).toBe("127.0.0.1:5000/city/rendezvous:latest");
    expect(formatImageRef(withTag(ref, "2.0.0"))).toBe(`127.0.0.1:5000/city/rendezvous:2.0.0@${digest}`);
    expect(formatImageRef(withDigest(withoutTagOrDigest(ref), digest))).toBe(`127.0.0.1:5000/city/rendezvous@${digest}`);
    expect(formatImageRef(withoutTagOrDigest(parseImageRef("rendezvous:1")))).toBe("rendezvous");
  });
  it("names the registry host, the namespace and the last component", () => {
    const ref = parseImageRef(both);
    expect(registryHost(ref)).toBe("127.0.0.1:5000");
    expect(registryHost(parseImageRef("citelibre/rendezvous:1"))).toBe("");
    expect(lastSegment(ref)).toBe("rendezvous");
    expect(lastSegment(parseImageRef("rendezvous"))).toBe("rendezvous");
    expect(namespaceOf(parseImageRef("localhost/citelibre-bench-1/site:x"))).toEqual(["citelibre-bench-1"]);
    expect(namespaceOf(parseImageRef("ghcr.io/a/b/c"))).toEqual(["a", "b"]);
    expect(namespaceOf(parseImageRef("c"))).toEqual([]);
  });
});

describe("withoutRemoteRegistry", () => {
  it.each([
    ["ghcr.io/citelibre/rendezvous:1.0.0", "citelibre/rendezvous:1.0.0"],
    ["127.0.0.1:5000/city/rendezvous:nightly", "city/rendezvous:nightly"],
    ["localhost:5000/city/app", "city/app"],
    [`ghcr.io/city/app@${digest}`, `city/app@${digest}`],
    ["localhost/citelibre/rendezvous:1.0.0", "localhost/citelibre/rendezvous:1.0.0"],
    ["citelibre/rendezvous:1.0.0", "citelibre/rendezvous:1.0.0"],
    ["rendezvous:1.0", "rendezvous:1.0"],
  ])("names %s as %s", (text, expected) => {
    expect(withoutRemoteRegistry(text)).toBe(expected);
  });
});
