"""The container's health (citelibre-healthcheck). See that script for the contract."""
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import citelibre_site

STATUS_PAGE = "citelibre-status.jsp"
# Fixed in the image (mail.sh): the mail catcher's SMTP port is not a setting.
MAIL_SMTP_PORT = 1025


def site_state() -> str:
    """started, starting (not answering yet) or failed (Lutece answered that its start-up failed)."""
    # A Lutece site has the status page (citelibre-install-war); another site is up when its front page answers.
    lutece = os.path.exists(os.path.join(citelibre_site.webapp(), STATUS_PAGE))
    url = citelibre_site.base_url() + ("/" + STATUS_PAGE if lutece else os.environ.get("CITELIBRE_HEALTH_PATH", "/jsp/site/Portal.jsp"))
    try:
        with urllib.request.urlopen(url, timeout=4) as r:
            return "started" if r.status == 200 else "starting"
    except urllib.error.HTTPError as e:
        return "failed" if lutece and e.code == 503 else "starting"
    except (OSError, urllib.error.URLError):
        return "starting"


def database_answers() -> bool:
    """The site can log in to its database with its own settings."""
    try:
        r = citelibre_site.run_as_site(["-e", "SELECT 1"], timeout=6)
    except citelibre_site.NoDatabaseAddress as e:
        print(f"unready: {e}", file=sys.stderr)
        return False
    if r.returncode != 0:
        site = citelibre_site.login()
        print(f"unready: the database {site['host']}:{site['port']} does not answer the site's login ({r.stderr.strip()[:200]})", file=sys.stderr)
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
