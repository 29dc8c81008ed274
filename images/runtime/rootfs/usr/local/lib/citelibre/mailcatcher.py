"""
Mail catcher for the all-in-one image: accepts every message the site sends over SMTP (port 1025),
keeps it in the data volume, and lists it on a small web page (port 1080) so a person trying the site can
read the mails it sends. Nothing is relayed anywhere. The entrypoint (mail.sh) says where each listens,
in CL_MAIL_* variables set for this one command.
"""
import email
import email.policy
import html
import mailbox
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

STORE = os.environ["CL_MAIL_STORE"]
SMTP_PORT = 1025
WEB_PORT = 1080
SMTP_BIND = os.environ["CL_MAIL_SMTP_BIND"]
WEB_BIND = os.environ["CL_MAIL_WEB_BIND"]
for sub in ("tmp", "new", "cur"):
    os.makedirs(os.path.join(STORE, sub), exist_ok=True)
box = mailbox.Maildir(STORE, create=True)
lock = threading.Lock()


class Keep:
    async def handle_DATA(self, server, session, envelope):
        with lock:
            box.add(envelope.original_content or envelope.content)
        print(f"caught a mail from {envelope.mail_from} to {', '.join(envelope.rcpt_tos)}", flush=True)
        return "250 Message accepted"


def render_list():
    rows = []
    with lock:
        items = sorted(box.iteritems(), key=lambda kv: kv[1].get_date(), reverse=True)
    for key, msg in items[:200]:
        parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
        rows.append(
            f'<tr><td>{html.escape(str(parsed.get("Date", "")))}</td><td>{html.escape(str(parsed.get("To", "")))}</td>'
            f'<td><a href="/mail/{html.escape(key)}">{html.escape(str(parsed.get("Subject", "(no subject)")))}</a></td></tr>'
        )
    body = "".join(rows) or '<tr><td colspan="3">No mail yet.</td></tr>'
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Mails sent by the site</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}}</style></head>
<body><h1>Mails sent by the site</h1><p>Caught by the CiteLibre mail catcher; none was delivered.</p>
<table><tr><th>Date</th><th>To</th><th>Subject</th></tr>{body}</table></body></html>"""


def render_mail(key):
    with lock:
        if key not in box:
            return None
        raw = box.get_bytes(key)
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    part = parsed.get_body(preferencelist=("plain", "html"))
    text = part.get_content() if part is not None else ""
    headers = "".join(f"<dt>{html.escape(h)}</dt><dd>{html.escape(str(parsed.get(h, '')))}</dd>" for h in ("From", "To", "Date", "Subject"))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(str(parsed.get("Subject", "")))}</title></head>
<body style="font-family:system-ui,sans-serif;margin:2rem"><p><a href="/">All mails</a></p><dl>{headers}</dl><pre style="white-space:pre-wrap">{html.escape(text)}</pre></body></html>"""


class Web(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path in ("/", "/index.html"):
            page = render_list()
        elif self.path.startswith("/mail/"):
            page = render_mail(self.path[len("/mail/"):])
        else:
            page = None
        if page is None:
            self.send_error(404)
            return
        data = page.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        pass


def main():
    controller = Controller(Keep(), hostname=SMTP_BIND, port=SMTP_PORT)
    controller.start()
    print(f"SMTP on {SMTP_BIND}:{SMTP_PORT}, web view on {WEB_BIND}:{WEB_PORT}", flush=True)
    try:
        ThreadingHTTPServer((WEB_BIND, WEB_PORT), Web).serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    main()
