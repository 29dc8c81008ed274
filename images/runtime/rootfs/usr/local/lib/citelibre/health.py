"""The container's health (citelibre-healthcheck). See that script for the contract."""
import os
import re
import socket
import subprocess
import sys
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


def database_answers() -> bool:
    """The site's database server greets a new connection (its handshake), read from the site's own
    settings: no password is needed, and none is used."""
    url = ""
    with open(SITE_DB_PROPERTIES, encoding="iso-8859-1") as f:
        for line in f:
            if line.startswith("portal.url="):
                url = line.split("=", 1)[1].strip().replace("\\:", ":").replace("\\=", "=")
    m = re.match(r"jdbc:(?:mariadb|mysql)://([^:/?]+)(?::(\d+))?/", url)
    if not m:
        print(f"unready: no database address in {SITE_DB_PROPERTIES}", file=sys.stderr)
        return False
    host, port = m.group(1), int(m.group(2) or 3306)
    try:
        with socket.create_connection((host, port), timeout=3) as s:
            s.settimeout(3)
            packet = s.recv(5)
    except OSError as e:
        print(f"unready: the database {host}:{port} does not answer ({e})", file=sys.stderr)
        return False
    # A MariaDB handshake is protocol version 10; 0xff is an error packet (too many connections, blocked host).
    if len(packet) < 5 or packet[4] != 10:
        print(f"unready: the database {host}:{port} refused the connection", file=sys.stderr)
        return False
    return True


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
