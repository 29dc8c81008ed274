/**
 * The environment contract (images/runtime/environment.yaml) against everything that reads or writes the
 * runtime's variables: the entrypoint and its libraries, the health check and the mail catcher, the
 * deployment generators, and ENVIRONMENT.md. Each test fails when one of them drifts from the contract.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadBundle, type BundleManifest } from "../../../scripts/bundle/manifest.js";
import { composeDocument } from "../../../scripts/deploy/compose.js";
import { GRACE_SECONDS, kubernetesFiles } from "../../../scripts/deploy/kubernetes.js";
import { deployModel } from "../../../scripts/deploy/model.js";
import { repoPath } from "../../../scripts/lib/repo.js";
import { contractVariableFor, environmentDoc, loadRuntimeContract, withEnvironmentTable, type Role } from "../../../scripts/runtime/contract.js";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { Job } from "kubernetes-models/batch/v1";
import { ConfigMap, type IPodSpec } from "kubernetes-models/v1";

const contract = loadRuntimeContract();
const runtimeRoot = repoPath("images", "runtime", "rootfs", "usr", "local");
const runtimeFiles = [
  ...readdirSync(path.join(runtimeRoot, "bin")).map((f) => path.join(runtimeRoot, "bin", f)),
  ...readdirSync(path.join(runtimeRoot, "lib", "citelibre"), { withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(runtimeRoot, "lib", "citelibre", e.name)),
];
const sources = runtimeFiles.map((file) => ({ file: path.relative(repoPath(), file), text: readFileSync(file, "utf8") }));
const settingsSh = readFileSync(path.join(runtimeRoot, "lib", "citelibre", "settings.sh"), "utf8");

/**
 * Variables the scripts read from their environment. `CL_*` are set by the entrypoint for one command it
 * runs (never read from the operator), and CITELIBRE_SECRETS_FD is the entrypoint's hand-over to itself.
 */
const internal = (name: string) => name.startsWith("CL_") || name === "CITELIBRE_SECRETS_FD";
function variablesRead(): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const add = (name: string, file: string) => {
    if (internal(name)) return;
    if (!found.has(name)) found.set(name, new Set());
    found.get(name)!.add(file);
  };
  for (const { file, text } of sources) {
    const patterns = file.endsWith(".py")
      ? [/os\.environ(?:\.get\(|\[)"([A-Z][A-Z0-9_]*)"/g]
      : [/\$\{?((?:LUTECE|CITELIBRE)_[A-Z0-9_]*|TZ)\b/g, /\[\[ -v "?((?:LUTECE|CITELIBRE)_[A-Z0-9_]*)/g];
    for (const pattern of patterns) for (const m of text.matchAll(pattern)) add(m[1]!, file);
  }
  // The list-driven reads of settings.sh: every _FILE variant and every password.
  for (const name of shellArray("file_settings")) add(name, "settings.sh (file_settings)");
  return found;
}

function shellArray(name: string): string[] {
  const m = new RegExp(`^${name}=\\(([^)]*)\\)`, "m").exec(settingsSh);
  if (!m) throw new Error(`settings.sh has no ${name}=(...)`);
  return m[1]!.split(/\s+/).filter(Boolean);
}

describe("the environment contract", () => {
  it("is what the runtime scripts read, no more and no less", () => {
    const read = variablesRead();
    const documented = new Set([...contract.variables.map((v) => v.name), ...contract.image.map((v) => v.name)]);
    const undocumented = [...read.keys()].filter((name) => !documented.has(name)).map((name) => `${name} (read in ${[...read.get(name)!].join(", ")})`);
    expect(undocumented, "read by the runtime but missing from environment.yaml").toEqual([]);
    const unread = [...documented].filter((name) => !read.has(name));
    expect(unread, "in environment.yaml but read by no runtime script").toEqual([]);
  });

  it("gives a _FILE variant, and the secret hand-over, to exactly the variables it says", () => {
    expect([...shellArray("file_settings")].sort()).toEqual(contract.variables.filter((v) => v.file).map((v) => v.name).sort());
    expect([...shellArray("secret_settings")].sort()).toEqual(contract.variables.filter((v) => v.secret).map((v) => v.name).sort());
  });

  it("has the defaults the scripts use", () => {
    const mismatches: string[] = [];
    for (const { file, text } of sources) {
      const patterns = file.endsWith(".py") ? [/os\.environ\.get\("([A-Z][A-Z0-9_]*)", "([^"]*)"\)/g] : [/\$\{((?:LUTECE|CITELIBRE)_[A-Z0-9_]*|TZ):-([^}$]+)\}/g];
      for (const pattern of patterns) {
        for (const [, name, literal] of text.matchAll(pattern)) {
          const variable = contract.variables.find((v) => v.name === name) ?? contract.image.find((v) => v.name === name);
          if (!variable || !literal) continue;
          if (variable.default !== literal) mismatches.push(`${file}: ${name} defaults to "${literal}", the contract says ${JSON.stringify(variable.default)}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("is the table ENVIRONMENT.md shows (npm run docs:environment rewrites it)", () => {
    const doc = readFileSync(environmentDoc, "utf8");
    expect(withEnvironmentTable(doc, contract) === doc, "ENVIRONMENT.md is out of date: run npm run docs:environment").toBe(true);
  });
});

async function manifest(): Promise<BundleManifest> {
  const { bundle } = await loadBundle(repoPath("bundles", "rendezvous"));
  return { ...bundle!.manifest, env: [], companions: [] };
}

/** Every variable a generated container is given must be one its role reads. */
function misfits(where: string, role: Role, names: string[]): string[] {
  return names.flatMap((name) => {
    const variable = contractVariableFor(contract, name);
    if (!variable) return [`${where}: ${name} is not in the contract`];
    return variable.roles.includes(role) ? [] : [`${where}: ${name} is not read by the ${role} role`];
  });
}

describe("the deployment generators", () => {
  it("give each compose service only variables of the contract that its role reads", async () => {
    const doc = composeDocument(deployModel(await manifest())) as { services: Record<string, { environment: Record<string, string> }> };
    const problems = Object.entries(doc.services).flatMap(([service, s]) => {
      const role = (s.environment.CITELIBRE_ROLE ?? "app") as Role;
      return misfits(`compose ${service}`, role, Object.keys(s.environment));
    });
    expect(problems).toEqual([]);
  });

  it("give each Kubernetes container only variables of the contract that its role reads, and a stop budget inside its grace period", async () => {
    for (const options of [{}, { smtp: "smtp.example.org:587", ingressHost: "rdv.example.org", tlsSecret: "rdv-tls" }, { externalDatabase: "db.example.org" }]) {
      const objects = kubernetesFiles(deployModel(await manifest()), options).flatMap((f) => f.objects);
      const config = (objects.find((o) => o instanceof ConfigMap) as ConfigMap).data ?? {};
      const pods: { name: string; spec: IPodSpec }[] = objects.flatMap((o) => {
        if (o instanceof Deployment || o instanceof StatefulSet || o instanceof Job) return [{ name: o.metadata?.name ?? "", spec: o.spec!.template.spec! }];
        return [];
      });
      const problems: string[] = [];
      for (const pod of pods) {
        for (const container of pod.spec.containers) {
          const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? ""]));
          const fromConfig = (container.envFrom ?? []).some((f) => f.configMapRef) ? config : {};
          for (const e of container.env ?? []) {
            const key = e.valueFrom?.configMapKeyRef?.key;
            if (key !== undefined && !(key in config)) problems.push(`${pod.name}/${container.name}: ${e.name} refers to ${key}, which the ConfigMap does not hold`);
          }
          const role = (env.CITELIBRE_ROLE ?? "app") as Role;
          problems.push(...misfits(`${pod.name}/${container.name}`, role, [...Object.keys(fromConfig), ...Object.keys(env)]));
          const stop = Number(env.CITELIBRE_STOP_TIMEOUT ?? contract.variables.find((v) => v.name === "CITELIBRE_STOP_TIMEOUT")!.default);
          const grace = pod.spec.terminationGracePeriodSeconds ?? 30;
          if (!(stop < grace)) problems.push(`${pod.name}: CITELIBRE_STOP_TIMEOUT ${stop} s does not fit its grace period ${grace} s`);
        }
      }
      expect(problems, JSON.stringify(options)).toEqual([]);
    }
    expect(GRACE_SECONDS.app).toBeGreaterThan(Number(contract.variables.find((v) => v.name === "CITELIBRE_STOP_TIMEOUT")!.default));
  });
});
