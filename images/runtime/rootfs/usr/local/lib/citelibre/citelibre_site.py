"""What the commands that act as the site does (the health check, the live theme reload) know of it: where
it answers inside the container, and its own database login, read back from the db.properties the
entrypoint wrote (site.sh)."""
import os
import re
import subprocess
import tempfile

SITE_DB_PROPERTIES = "/run/citelibre/site/db.properties"


def properties_value(raw: str) -> str:
    """A value of a Java .properties file, unescaped as java.util.Properties reads it."""
    out, i = [], 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            if nxt == "u" and i + 5 < len(raw):
                out.append(chr(int(raw[i + 2:i + 6], 16)))
                i += 6
                continue
            out.append({"t": "\t", "n": "\n", "r": "\r", "f": "\f"}.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    # \u escapes of characters beyond the first plane come as UTF-16 surrogate pairs.
    return "".join(out).encode("utf-16", "surrogatepass").decode("utf-16")


def context() -> str:
    """The site's context path: CITELIBRE_CONTEXT, else what the bundle image recorded, else "" (ROOT)."""
    value = os.environ.get("CITELIBRE_CONTEXT") or ""
    if not value and os.path.exists("/opt/citelibre/site-context"):
        with open("/opt/citelibre/site-context", encoding="utf-8") as f:
            value = f.read()
    return value.strip().strip("/")


def webapp() -> str:
    return os.path.join("/opt/citelibre/tomcat/webapps", context() or "ROOT")


def base_url() -> str:
    """The site inside the container, without a trailing slash."""
    return "http://127.0.0.1:8080" + ("/" + context() if context() else "")


class NoDatabaseAddress(Exception):
    pass


def login() -> dict:
    """host, port, database, user and password of the site's database, from its db.properties."""
    settings = {}
    with open(SITE_DB_PROPERTIES, encoding="iso-8859-1") as f:
        for line in f:
            key, sep, value = line.rstrip("\n").partition("=")
            if sep and key in ("portal.url", "portal.user", "portal.password"):
                settings[key] = properties_value(value)
    m = re.match(r"jdbc:(?:mariadb|mysql)://([^:/?]+)(?::(\d+))?/([^?]+)", settings.get("portal.url", ""))
    if not m:
        raise NoDatabaseAddress(f"no database address in {SITE_DB_PROPERTIES}")
    return {"host": m.group(1), "port": m.group(2) or "3306", "database": m.group(3),
            "user": settings.get("portal.user", ""), "password": settings.get("portal.password", "")}


def run_as_site(args: list, timeout: float, stdin: str = "") -> subprocess.CompletedProcess:
    """Runs the mariadb client, logged in as the site is, on the site's database. The password goes to the
    client in an options file only this user can read, never on its command line or in its environment."""
    site = login()
    password = site["password"].replace("\\", "\\\\").replace('"', '\\"')
    with tempfile.NamedTemporaryFile("w", prefix="citelibre-site-db.", encoding="utf-8") as options:
        options.write(f'[client]\npassword="{password}"\n')
        options.flush()
        return subprocess.run(["mariadb", f"--defaults-file={options.name}", "--protocol=tcp", "-h", site["host"], "-P", site["port"],
                               "-u", site["user"], f"--database={site['database']}", "--connect-timeout=3",
                               "--default-character-set=utf8mb4", *args],
                              input=stdin, capture_output=True, text=True, timeout=timeout, check=False)
