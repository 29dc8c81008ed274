/**
 * A throw-away MariaDB server on a Unix socket in a temporary folder (no network port), for tests
 * that need real SQL semantics. Requires Debian's mariadb-server package (npm run setup installs it).
 */
import { execa } from "execa";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";

export interface TestDatabase {
  socket: string;
  sql(statements: string, options?: { database?: string; initCommand?: string }): Promise<string>;
  stop(): Promise<void>;
}

export async function startMariaDb(): Promise<TestDatabase> {
  for (const tool of ["/usr/sbin/mariadbd", "/usr/bin/mariadb-install-db", "/usr/bin/mariadb"]) {
    if (!existsSync(tool)) throw new Error(`${tool} is missing: run \`npm run setup\` (installs mariadb-server and mariadb-client)`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), "citelibre-mariadb-"));
  const datadir = path.join(dir, "data");
  const socket = path.join(dir, "mysqld.sock");
  const user = userInfo().username;
  await execa("mariadb-install-db", ["--no-defaults", `--datadir=${datadir}`, `--user=${user}`, "--skip-test-db", "--auth-root-authentication-method=normal"]);
  const server = execa("/usr/sbin/mariadbd", [
    "--no-defaults", `--datadir=${datadir}`, `--socket=${socket}`, "--skip-networking", `--user=${user}`,
    `--pid-file=${path.join(dir, "mariadbd.pid")}`, `--log-error=${path.join(dir, "error.log")}`, "--innodb-buffer-pool-size=32M",
  ], { reject: false });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ping = await execa("mariadb-admin", ["--no-defaults", `--socket=${socket}`, "-uroot", "ping"], { reject: false });
    if (ping.exitCode === 0) break;
    if (server.exitCode !== null || Date.now() > deadline) {
      server.kill();
      throw new Error(`MariaDB did not start: ${ping.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const sql: TestDatabase["sql"] = async (statements, options = {}) => {
    const args = ["--no-defaults", `--socket=${socket}`, "-uroot", "--batch", "--skip-column-names", "--default-character-set=utf8mb4"];
    if (options.initCommand) args.push(`--init-command=${options.initCommand}`);
    if (options.database) args.push(options.database);
    return (await execa("mariadb", args, { input: statements })).stdout;
  };
  return {
    socket,
    sql,
    stop: async () => {
      server.kill("SIGTERM");
      await server;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
