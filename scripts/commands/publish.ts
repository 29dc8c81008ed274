/**
 * `citelibre publish` and `verify`: pushes to registries, and signature checks.
 */
import type { Command } from "commander";
import { UsageError } from "../lib/problems.js";
import type { CommandContext } from "./context.js";

export function registerPublish(program: Command, ctx: CommandContext): void {
  program
    .command("publish <image>")
    .description("push every tag of a built image to registries, verify each by digest, sign when asked")
    .requiredOption("--registry <host/namespace>", "destination, e.g. ghcr.io/citelibre (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--sign <how>", "gpg:<fingerprint> (podman simple signing), cosign (keyless in GitHub Actions) or cosign:<key>")
    .option("--platforms <list>", "linux/amd64,linux/arm64: one manifest list per tag joining each platform's image (built with build --platform)")
    .action(async (image: string, opts: { registry: string[]; sign?: string; platforms?: string }) => {
      const { publishImage, publishText } = await import("../publish/publish.js");
      const { parseSigning } = await import("../publish/sign.js");
      const { parsePlatforms } = await import("../image/platform.js");
      const signing = parseSigning(opts.sign, ctx.env);
      if ("error" in signing) throw new UsageError(signing.error);
      const platforms = opts.platforms ? parsePlatforms(opts.platforms) : undefined;
      const r = ctx.reporter();
      const result = await publishImage(await ctx.engine(), r, image, { registries: opts.registry, signing, env: ctx.env, ...(platforms ? { platforms } : {}) });
      r.json(result);
      r.result(publishText(result));
      if (!result.ok) ctx.setExitCode(1);
    });
  registerVerify(program, ctx);
}

function registerVerify(program: Command, ctx: CommandContext): void {
  program
    .command("verify <reference>")
    .description("check the signature of a published image (registry/namespace/bundle:tag or @sha256:...)")
    .option("--gpg-key <fingerprint>", "expect a GPG simple signature by this key (public key in the gpg keyring)")
    .option("--cosign-key <key>", "expect a cosign signature made with this key (file, env://VAR or KMS URI)")
    .option("--cosign-keyless <owner/repo>", "expect a keyless cosign signature by the nightly or release workflow of this GitHub repository")
    .action((reference: string, opts: VerifyFlags) => verifyCommand(ctx, reference, opts));
}

type VerifyFlags = { gpgKey?: string; cosignKey?: string; cosignKeyless?: string };

async function verifyCommand(ctx: CommandContext, reference: string, opts: VerifyFlags): Promise<void> {
  const { verifyImage } = await import("../publish/sign.js");
  const expectations = [
    ...(opts.gpgKey ? [{ kind: "gpg", fingerprint: opts.gpgKey } as const] : []),
    ...(opts.cosignKey ? [{ kind: "cosign-key", key: opts.cosignKey } as const] : []),
    ...(opts.cosignKeyless ? [{ kind: "cosign-keyless", repository: opts.cosignKeyless } as const] : []),
  ];
  const [expected] = expectations;
  if (expectations.length !== 1 || !expected) throw new UsageError("give exactly one of --gpg-key <fingerprint>, --cosign-key <key>, --cosign-keyless <owner/repo>");
  const r = ctx.reporter();
  const result = await verifyImage(reference, expected, ctx.env);
  r.json(result);
  r.result(`${result.verified ? "VERIFIED" : "NOT VERIFIED"}: ${result.reference} (${result.digest}): ${result.detail}`);
  if (!result.verified) ctx.setExitCode(1);
}
