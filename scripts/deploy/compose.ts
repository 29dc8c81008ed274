/**
 * The compose stack of a bundle: the application container in app-only mode, MariaDB and the mail
 * catcher as their own services (the same image in its database and mail roles, so the database keeps
 * the layout of an all-in-one volume), secrets as files, health-gated start order and resource limits.
 * Companions the bundle declares go to compose.<name>.yaml, added with a second -f when wanted: every
 * compose implementation merges files, not all of them know profiles.
 */
import { stringify } from "yaml";
import { composeSize, type CompanionModel, type DeployModel } from "./model.js";

export const DB_PASSWORD_SECRET = "db_password";
export const DB_PASSWORD_FILE = `secrets/${DB_PASSWORD_SECRET}`;
/** The back-office password of admin, given to the application when it first sets up the database. */
export const ADMIN_PASSWORD_SECRET = "admin_password";
export const ADMIN_PASSWORD_FILE = `secrets/${ADMIN_PASSWORD_SECRET}`;

const healthcheck = (startPeriod: string) => ({
  test: ["CMD", "/usr/local/bin/citelibre-healthcheck"],
  interval: "10s",
  timeout: "5s",
  retries: 5,
  start_period: startPeriod,
});

function limits(memory: string, cpus: string) {
  return { resources: { limits: { memory: composeSize(memory), cpus } } };
}

export function composeDocument(model: DeployModel): Record<string, unknown> {
  const image = `\${CITELIBRE_IMAGE:-${model.image}}`;
  const secretEnv = { LUTECE_DB_PWD_FILE: `/run/secrets/${DB_PASSWORD_SECRET}` };
  const dbIdentity = { LUTECE_DB_NAME: model.database.name, LUTECE_DB_USER: model.database.user };
  const bundleEnv = Object.fromEntries(model.bundleEnv.map((e) => [e.name, `\${${e.name}:-${e.default ?? ""}}`]));
  // No top-level `name`: docker-compose 1 (Debian's) refuses it and podman-compose 1.0 ignores it; the
  // project name is given with -p (header) or COMPOSE_PROJECT_NAME (.env).
  return {
    services: {
      database: {
        image,
        restart: "unless-stopped",
        environment: {
          CITELIBRE_ROLE: "database",
          ...dbIdentity,
          ...secretEnv,
          CITELIBRE_DB_BUFFER_POOL: model.resources.database.bufferPool,
          // Inside stop_grace_period, so MariaDB is never killed mid-flush.
          CITELIBRE_STOP_TIMEOUT: "15",
          TZ: "${TZ:-UTC}",
        },
        secrets: [DB_PASSWORD_SECRET],
        volumes: ["database:/var/lib/citelibre"],
        healthcheck: healthcheck("30s"),
        stop_grace_period: "20s",
        deploy: limits(model.resources.database.memory, model.resources.database.cpu),
      },
      mail: {
        image,
        restart: "unless-stopped",
        // The viewer is published (it shows password-reset mails): on this machine only unless
        // CITELIBRE_MAIL_BIND says otherwise, apart from the site's CITELIBRE_BIND.
        environment: { CITELIBRE_ROLE: "mail", CITELIBRE_MAIL_WEB_BIND: "0.0.0.0", TZ: "${TZ:-UTC}" },
        volumes: ["mail:/var/lib/citelibre"],
        ports: ["${CITELIBRE_MAIL_BIND:-127.0.0.1}:${CITELIBRE_MAIL_PORT:-1080}:1080"],
        healthcheck: healthcheck("10s"),
        deploy: limits(model.resources.mail.memory, model.resources.mail.cpu),
      },
      app: {
        image,
        restart: "unless-stopped",
        depends_on: { database: { condition: "service_healthy" }, mail: { condition: "service_started" } },
        environment: {
          LUTECE_DB_HOST: "database",
          LUTECE_DB_PORT: "3306",
          ...dbIdentity,
          ...secretEnv,
          LUTECE_ADMIN_PWD_FILE: `/run/secrets/${ADMIN_PASSWORD_SECRET}`,
          LUTECE_MAIL_HOST: "mail",
          LUTECE_MAIL_PORT: "1025",
          LUTECE_DEFAULT_LANG: "${LUTECE_DEFAULT_LANG:-fr}",
          TZ: "${TZ:-UTC}",
          // The database may still be initialising when the app starts (some compose tools ignore health conditions).
          CITELIBRE_DB_WAIT: String(model.waits.database),
          CITELIBRE_JAVA_OPTS: `\${CITELIBRE_JAVA_OPTS:-${model.resources.app.javaOpts}}`,
          ...bundleEnv,
        },
        secrets: [DB_PASSWORD_SECRET, ADMIN_PASSWORD_SECRET],
        // The app keeps no state (its database and mail are the other services): a tmpfs instead of the
        // anonymous volume the image's VOLUME would leave behind at every `up`.
        tmpfs: ["/var/lib/citelibre"],
        ports: ["${CITELIBRE_BIND:-127.0.0.1}:${CITELIBRE_HTTP_PORT:-8080}:8080"],
        healthcheck: healthcheck("90s"),
        deploy: limits(model.resources.app.memory, model.resources.app.cpu),
      },
    },
    secrets: { [DB_PASSWORD_SECRET]: { file: `./${DB_PASSWORD_FILE}` }, [ADMIN_PASSWORD_SECRET]: { file: `./${ADMIN_PASSWORD_FILE}` } },
    volumes: { database: {}, mail: {} },
  };
}

export function companionDocument(model: DeployModel, companion: CompanionModel): Record<string, unknown> {
  return {
    services: {
      [companion.name]: {
        image: companion.image,
        restart: "unless-stopped",
        ...(Object.keys(companion.environment).length ? { environment: companion.environment } : {}),
        ...(companion.ports.length ? { expose: companion.ports.map(String) } : {}),
      },
      app: {
        depends_on: { [companion.name]: { condition: "service_started" } },
        environment: companion.appEnvironment,
      },
    },
  };
}

function header(lines: string[]): string {
  return lines.map((l) => (l ? `# ${l}` : "#")).join("\n") + "\n";
}

export interface ComposeFiles {
  [relativePath: string]: string;
}

/** Every file of the compose folder but the secret itself (the thin layer creates it, once). */
export function composeFiles(model: DeployModel): ComposeFiles {
  const files: ComposeFiles = {};
  files["compose.yaml"] =
    header([
      `${model.title} (${model.bundle} ${model.version}, theme ${model.theme}): generated by citelibre-forge`,
      `(citelibre deploy compose ${model.bundle}); regenerate rather than edit, and put local changes in`,
      "compose.override.yaml, which docker compose and podman-compose merge on their own.",
      "",
      `Start:  echo 'a long random password' > ${DB_PASSWORD_FILE}   (done already if this folder was generated with it)`,
      `        and another in ${ADMIN_PASSWORD_FILE}: the back-office password of admin, set on the first start`,
      "        cp .env.example .env   (optional: ports, language, time zone, image)",
      `        docker compose -p ${model.stack} up -d   (docker-compose and podman-compose take the same -p;`,
      "        docker-compose 1.x applies the memory and CPU limits only with --compatibility)",
      `Site:   http://127.0.0.1:8080${model.frontOfficePath}     mails: http://127.0.0.1:1080/`,
      "Data:   the database and mail volumes survive `down`; `down -v` deletes them.",
    ]) + stringify(composeDocument(model), { lineWidth: 0 });
  for (const companion of model.companions) {
    files[`compose.${companion.name}.yaml`] =
      header([
        `Optional companion: ${companion.description}`,
        `Add it with: docker compose -p ${model.stack} -f compose.yaml -f compose.${companion.name}.yaml up -d`,
      ]) + stringify(companionDocument(model, companion), { lineWidth: 0 });
  }
  files[".env.example"] = envExample(model);
  files[".gitignore"] = "# The database password and local settings stay out of version control.\nsecrets/\n.env\n";
  return files;
}

function envExample(model: DeployModel): string {
  const lines = [
    `# Settings of the ${model.bundle} stack; copy to .env and change what you need.`,
    "# The passwords are not here: they are the files secrets/db_password and secrets/admin_password.",
    "",
    "# The name of the stack's containers, network and volumes (docker compose and docker-compose read it",
    "# here; podman-compose needs -p).",
    `COMPOSE_PROJECT_NAME=${model.stack}`,
    "# Image to run (a tag or a digest of the same bundle).",
    `CITELIBRE_IMAGE=${model.image}`,
    "# Address and port of the site on this machine (0.0.0.0 to reach it from other machines).",
    "CITELIBRE_BIND=127.0.0.1",
    "CITELIBRE_HTTP_PORT=8080",
    "# The caught mails' viewer: it shows password-reset links, so keep it on this machine.",
    "CITELIBRE_MAIL_BIND=127.0.0.1",
    "CITELIBRE_MAIL_PORT=1080",
    "# Site language and time zone. The site's public address (the links in the mails it sends) goes in",
    `# compose.override.yaml: services: { app: { environment: { LUTECE_PROD_URL: https://www.example.org${model.context ? `/${model.context}` : ""} } } }`,
    "LUTECE_DEFAULT_LANG=fr",
    "TZ=Europe/Paris",
    "# JVM options of the site (keep -Xmx well under the app's 1 GiB memory limit).",
    `CITELIBRE_JAVA_OPTS=${model.resources.app.javaOpts}`,
  ];
  for (const e of model.bundleEnv) lines.push(`# ${e.description}`, `${e.name}=${e.default ?? ""}`);
  return lines.join("\n") + "\n";
}
