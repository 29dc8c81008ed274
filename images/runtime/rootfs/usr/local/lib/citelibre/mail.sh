# shellcheck shell=bash
# The embedded mail catcher (sourced by citelibre-entrypoint): it keeps the mails the site sends in the
# volume and shows them on port 1080. SMTP listens where the site can reach it; the mail viewer shows
# password-reset mails, so it listens on loopback unless the operator asks otherwise
# (CITELIBRE_MAIL_WEB_BIND), whatever the site's own exposure.

start_mail() { # state folder, SMTP address, viewer address
  install -d -m 0750 -o citelibre-mail -g citelibre-mail "$1/mail"
  start_service mail setpriv --reuid=citelibre-mail --regid=citelibre-mail --init-groups \
    env -i PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 ${TZ:+TZ=$TZ} \
    CL_MAIL_STORE="$1/mail" CL_MAIL_SMTP_BIND="$2" CL_MAIL_WEB_BIND="$3" \
    python3 /usr/local/lib/citelibre/mailcatcher.py
}
