"""The container's health (citelibre-healthcheck). See that script for the contract."""
import os
import re
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

STATUS_PAGE = "citelibre-status.jsp"
# Fixed in the image (mail.sh): the mail catcher's SMTP port is not a setting.
MAIL_SMTP_PORT = 1025


def site_state() -> str:
    """started, starting (not answering yet) or failed (Lutece answered that its start-up failed)."""
    context = os.environ.get("CITELIBRE_CONTEXT") or ""
    if not context and os.path.exists("/opt/citelibre/site-context"):
        with open("/opt/citelibre/site-context", encoding="utf-8") as f:
            context = f.read()
    context = context.strip().strip("/")
    webapp = os.path.join("/opt/citelibre/tomcat/webapps", context or "ROOT")
    base = "http://127.0.0.1:8080" + ("/" + context if context else "")
    # A Lutece site has the status page (citelibre-install-war); another site is up when its front page answers.
    lutece = os.path.exists(os.path.join(webapp, STATUS_PAGE))
    url = base + ("/" + STATUS_PAGE if lutece else os.environ.get("CITELIBRE_HEALTH_PATH", "/jsp/site/Portal.jsp"))
    try:
        with urllib.request.urlopen(url, timeout=4) as r:
            return "started" if r.status == 200 else "starting"
    except urllib.error.HTTPError as e:
        return "failed" if lutece and e.code == 503 else "starting"
    except (OSError, urllib.error.URLError):
        return "starting"


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


def database_answers() -> bool:
    """The site can log in to its database with its own settings. The password goes to the client in an
    options file only this user can read, never on its command line or in its environment."""
    settings = {}
    with open(SITE_DB_PROPERTIES, encoding="iso-8859-1") as f:
        for line in f:
            key, sep, value = line.rstrip("\n").partition("=")
            if sep and key in ("portal.url", "portal.user", "portal.password"):
                settings[key] = properties_value(value)
    m = re.match(r"jdbc:(?:mariadb|mysql)://([^:/?]+)(?::(\d+))?/([^?]+)", settings.get("portal.url", ""))
    if not m:
        print(f"unready: no database address in {SITE_DB_PROPERTIES}", file=sys.stderr)
        return False
    host, port, database = m.group(1), m.group(2) or "3306", m.group(3)
    password = settings.get("portal.password", "").replace("\\", "\\\\").replace('"', '\\"')
    with tempfile.NamedTemporaryFile("w", prefix="citelibre-health.", encoding="utf-8") as options:
        options.write(f'[client]\npassword="{password}"\n')
        options.flush()
        r = subprocess.run(["mariadb", f"--defaults-file={options.name}", "--protocol=tcp", "-h", host, "-P", port,
                            "-u", settings.get("portal.user", ""), f"--database={database}", "--connect-timeout=3",
                            "--default-character-set=utf8mb4", "-e", "SELECT 1"],
                           capture_output=True, text=True, timeout=6, check=False)
    if r.returncode != 0:
        print(f"unready: the database {host}:{port} does not answer the site's login ({r.stderr.strip()[:200]})", file=sys.stderr)
    return r.returncode == 0


def healthy(role: str, ready: bool) -> bool:
    if role == "database":
        sock = "/run/citelibre/mysqld/mysqld.sock"
        r = subprocess.run(["mariadb", "--no-defaults", "--protocol=socket", f"--socket={sock}", "-uroot", "-e", "SELECT 1"],
                           capture_output=True, timeout=4, check=False)
        if r.returncode != 0:
            print(f"unhealthy: MariaDB does not answer on {sock}", file=sys.stderr)
        return r.returncode == 0
    if role == "mail":
        with socket.create_connection(("127.0.0.1", MAIL_SMTP_PORT), timeout=4) as s:
            return s.recv(3) == b"220"
    state = site_state()
    if state != "started":
        print(f"unhealthy: the site is {state}", file=sys.stderr)
        return False
    return database_answers() if ready else True


def main() -> None:
    if sys.argv[1:] == ["--state"]:
        print(site_state())
        return
    role = os.environ.get("CITELIBRE_ROLE") or "app"
    try:
        ok = healthy(role, sys.argv[1:] == ["--ready"])
    except Exception as e:  # noqa: BLE001 - any failure to probe is "unhealthy", said in one line
        print(f"unhealthy ({role}): {e}", file=sys.stderr)
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
