/**
 * Where this machine keeps the real Lutece 7.0.6 web application that tests and benchmarks run: third-party
 * test data, never in a repository. CITELIBRE_LUTECE_WAR (a WAR or an exploded webapp folder), else the
 * machine-local cache folder ${XDG_CACHE_HOME:-~/.cache}/citelibre-forge/fixtures/lutece-core-7.0.6/.
 * docs/bundles.md ("The real Lutece test site") says how to put it there.
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

export function luteceFixtureCache(env: NodeJS.ProcessEnv): string {
  const cache = env.XDG_CACHE_HOME || path.join(homedir(), ".cache");
  return path.join(cache, "citelibre-forge", "fixtures", "lutece-core-7.0.6");
}

/** The fixture's path, or why it is not here (with where it was looked for). */
export function luteceFixture(env: NodeJS.ProcessEnv): { site: string } | { reason: string } {
  const site = env.CITELIBRE_LUTECE_WAR || luteceFixtureCache(env);
  if (existsSync(site)) return { site };
  return { reason: `the real Lutece 7.0.6 site is not on this machine (looked for ${site}; put its webapp folder there or set CITELIBRE_LUTECE_WAR to a WAR or folder, see docs/bundles.md "The real Lutece test site")` };
}

/**
 * plugin-appointment 3.0.7's own SQL (its plugin/ and core/ scripts, from lutece-secteur-public/gru-plugin-appointment
 * at plugin-appointment-3.0.7), kept on this machine beside the site: the schema RendezVous' demo content is
 * verified on. CITELIBRE_APPOINTMENT_SQL, else the cache folder plugin-appointment-3.0.7/.
 */
export function appointmentSqlFixture(env: NodeJS.ProcessEnv): { dir: string } | { reason: string } {
  const dir = env.CITELIBRE_APPOINTMENT_SQL || path.join(path.dirname(luteceFixtureCache(env)), "plugin-appointment-3.0.7");
  if (existsSync(path.join(dir, "plugin", "create_db_appointment.sql"))) return { dir };
  return { reason: `plugin-appointment 3.0.7's SQL is not on this machine (looked for ${dir}/plugin/create_db_appointment.sql; see docs/bundles.md "The real Lutece test site")` };
}
