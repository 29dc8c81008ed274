/**
 * Container image references, read and written in one place, after the grammar of Docker's
 * distribution/reference package:
 *
 *   reference   := name [":" tag] ["@" digest]
 *   name        := [registry "/"] repository          (at most 255 characters)
 *   registry    := host [":" port]                    the first component, when it holds "." or ":" or is localhost
 *   repository  := component ["/" component]*         component: [a-z0-9]+ joined by ".", "_", "__" or "-"+
 *   tag         := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest      := "sha256:" 64 lowercase hex digits
 *
 * A tag can hold neither "/" nor ":", so the colon of 127.0.0.1:5000/ns/app is the registry's port:
 * a tag is only ever after the last "/". Pure.
 */
import { UserError } from "./problems.js";

export interface ImageRef {
  /** host[:port] (ghcr.io, 127.0.0.1:5000, localhost); absent when the name has none (Docker Hub). */
  registry?: string;
  /** The path after the registry, without tag or digest (citelibre/rendezvous). */
  repository: string;
  tag?: string;
  /** sha256:<64 hex> */
  digest?: string;
}

export class ImageRefError extends UserError {
  /** Which part breaks the grammar, for callers that word the message themselves. */
  readonly reason: string;

  constructor(text: string, reason: string) {
    super(`"${text}" is not an image reference (such as ghcr.io/citelibre/rendezvous:1.0.0): ${reason}`);
    this.name = "ImageRefError";
    this.reason = reason;
  }
}

const component = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const repositoryPattern = new RegExp(`^${component}(?:/${component})*$`);
const label = "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?";
const registryPattern = new RegExp(`^(?:${label}(?:\\.${label})*|\\[[0-9A-Fa-f:]+\\])(?::[0-9]+)?$`);
const tagPattern = /^\w[\w.-]{0,127}$/;
const digestPattern = /^sha256:[0-9a-f]{64}$/;
const nameMaxLength = 255;

/**
 * The parts of a reference by its separators alone, never throwing. For text that is passed on as it
 * was given (to an engine, a registry, a generated file), where a stricter reading here would turn what
 * the tool downstream reports into a different error, or refuse what it accepts.
 */
export function splitImageRef(text: string): ImageRef {
  const at = text.indexOf("@");
  const named = at < 0 ? text : text.slice(0, at);
  const colon = named.lastIndexOf(":");
  const tagged = colon > named.lastIndexOf("/");
  const name = tagged ? named.slice(0, colon) : named;
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  const registry = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost") ? first : undefined;
  return {
    ...(registry !== undefined ? { registry } : {}),
    repository: registry !== undefined ? name.slice(slash + 1) : name,
    ...(tagged ? { tag: named.slice(colon + 1) } : {}),
    ...(at >= 0 ? { digest: text.slice(at + 1) } : {}),
  };
}

function grammarError(ref: ImageRef): string | undefined {
  if (ref.registry !== undefined && !registryPattern.test(ref.registry)) return `"${ref.registry}" is not a registry host[:port]`;
  if (!repositoryPattern.test(ref.repository)) return `the repository "${ref.repository}" must be lowercase letters and digits, joined by ".", "_", "__" or "-", in parts separated by "/"`;
  if (nameOf(ref).length > nameMaxLength) return `the name is longer than ${nameMaxLength} characters`;
  if (ref.tag !== undefined && !tagPattern.test(ref.tag)) return `the tag "${ref.tag}" must be 1 to 128 letters, digits, "_", "." or "-", not starting with "." or "-"`;
  if (ref.digest !== undefined && !digestPattern.test(ref.digest)) return `the digest "${ref.digest}" must be sha256: and 64 lowercase hex digits`;
  return undefined;
}

/** Whether the text follows the grammar: for validating what a person wrote (a flag, a manifest field). */
export function isImageRef(text: string): boolean {
  return grammarError(splitImageRef(text)) === undefined;
}

/** The parts of a reference; throws an ImageRefError, naming the faulty part, when it breaks the grammar. */
export function parseImageRef(text: string): ImageRef {
  const ref = splitImageRef(text);
  const why = grammarError(ref);
  if (why !== undefined) throw new ImageRefError(text, why);
  return ref;
}

export function formatImageRef(ref: ImageRef): string {
  return `${nameOf(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest !== undefined ? `@${ref.digest}` : ""}`;
}

/** registry/repository: what registries, kustomize and RepoTags compare. */
export function nameOf(ref: ImageRef): string {
  return ref.registry !== undefined ? `${ref.registry}/${ref.repository}` : ref.repository;
}

export function withoutTagOrDigest(ref: ImageRef): ImageRef {
  return ref.registry !== undefined ? { registry: ref.registry, repository: ref.repository } : { repository: ref.repository };
}

/** The tag is not checked: like the digest of withDigest, it goes on to a tool that checks it. */
export function withTag(ref: ImageRef, tag: string): ImageRef {
  return { ...ref, tag };
}

/** The digest is not checked: registries answer with it, and some may use another algorithm than sha256. */
export function withDigest(ref: ImageRef, digest: string): ImageRef {
  return { ...ref, digest };
}

/**
 * The reference without the remote registry it names, for file names and report labels that should not
 * depend on where an image is pushed; podman's local prefix localhost/ stays.
 */
export function withoutRemoteRegistry(text: string): string {
  const { registry, ...rest } = splitImageRef(text);
  return registry === undefined || registry === "localhost" ? text : formatImageRef(rest);
}

/** The registry's host[:port], or "" when the reference names none. */
export function registryHost(ref: ImageRef): string {
  return ref.registry ?? "";
}

/** The repository's last component: rendezvous in ghcr.io/citelibre/rendezvous. */
export function lastSegment(ref: ImageRef): string {
  return ref.repository.slice(ref.repository.lastIndexOf("/") + 1);
}

/** The repository's components before its last: [citelibre] in localhost/citelibre/rendezvous. */
export function namespaceOf(ref: ImageRef): string[] {
  return ref.repository.split("/").slice(0, -1);
}
