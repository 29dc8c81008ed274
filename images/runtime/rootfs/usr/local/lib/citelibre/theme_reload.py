"""citelibre-theme-reload: once `citelibre run --watch` has copied a rebuilt theme into this running
container, loads the theme's datastore rows as the site would (--sql) and empties Lutece's caches, so the
next page shows the new theme. One line per step on stdout; exit 1 with the reason when a step fails."""
import glob
import os
import sys
import urllib.error
import urllib.request

import citelibre_site

THEME_SQL = "/opt/citelibre/sql/theme"
TOKEN = "/run/citelibre/site/live-token"
LIVE_PAGE = "citelibre-live.jsp"


def fail(message: str) -> None:
    print(f"citelibre-theme-reload: {message}", file=sys.stderr)
    sys.exit(1)


def main() -> None:
    if not os.path.exists(TOKEN):
        fail("this container was not started with CITELIBRE_THEME_LIVE=1, so its theme changes only with a new image"
             " (citelibre run --watch starts the site that way)")
    if "--sql" in sys.argv[1:]:
        for path in sorted(glob.glob(os.path.join(THEME_SQL, "*.sql"))):
            with open(path, encoding="utf-8") as f:
                r = citelibre_site.run_as_site([], timeout=30, stdin=f.read())
            if r.returncode != 0:
                fail(f"{os.path.basename(path)} did not load into the site's database: {r.stderr.strip()[:300]}")
        print("theme SQL loaded")
    # Only a Lutece site caches pages and templates (the page comes with citelibre-install-war).
    if os.path.exists(os.path.join(citelibre_site.webapp(), LIVE_PAGE)):
        with open(TOKEN, encoding="utf-8") as f:
            token = f.read().strip()
        request = urllib.request.Request(f"{citelibre_site.base_url()}/{LIVE_PAGE}", data=b"", method="POST",
                                         headers={"X-Citelibre-Live-Token": token})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
        except (urllib.error.URLError, OSError) as e:
            fail(f"Lutece did not empty its caches ({e})")
        print("Lutece's caches emptied")


if __name__ == "__main__":
    main()
