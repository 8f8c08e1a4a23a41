"""gunicorn settings for Noaber's web process in production (docs/operations.md, "Production
set-up"). Started by deploy/systemd/noaber-web.service as

    gunicorn --config /opt/noaber/deploy/gunicorn.conf.py noaber.wsgi

behind nginx (deploy/nginx/noaber.conf) on the same host. What differs per installation comes
from the environment file (/etc/noaber/noaber.env), like Noaber's own settings.
"""

import os


def _cores() -> int:
    # The cores this process may use (a cgroup or taskset limit), not every core of the host.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Only the local reverse proxy talks to gunicorn: a loopback address (never 0.0.0.0), or a
# comma-separated list. A host running anything besides Noaber should firewall the port, since
# whoever reaches gunicorn directly can send their own X-Forwarded-For.
bind = [b.strip() for b in os.environ.get("NOABER_BIND", "127.0.0.1:8000").split(",") if b.strip()]

# Sync workers, about one per core (docs/performance.md, "Scale-out"); at least two, so that
# one slow PDF never holds up the site.
workers = int(os.environ.get("NOABER_WEB_WORKERS") or max(2, _cores()))
worker_class = "sync"
# A request may take this long before its worker is killed and restarted: a council-report PDF
# takes ~1.5 s, the largest exports a few seconds; nginx waits a little longer (75 s).
timeout = int(os.environ.get("NOABER_WEB_TIMEOUT", "60"))
# On SIGTERM (systemctl stop/restart) running requests get this long to finish.
graceful_timeout = 30
# Recycle a worker now and then, so a slow leak in a library never grows without bound.
max_requests = 2000
max_requests_jitter = 200
proc_name = "noaber-web"

# The proxy's addresses: only from these are X-Forwarded-Proto (and gunicorn's other forwarded
# headers) believed. nginx on the same host: loopback. Noaber's own client address comes from
# the last X-Forwarded-For hop (NOABER_TRUSTED_PROXIES), which nginx replaces, never appends.
forwarded_allow_ips = os.environ.get("NOABER_PROXY_ADDRESSES", "127.0.0.1,::1")
# nginx sets X-Forwarded-Proto itself on every request; the other scheme headers gunicorn would
# read by default (X-Forwarded-Ssl, X-Forwarded-Protocol) are a client's own and pass nginx
# unchanged, so they are not read at all.
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# No access log: it would hold every client address, path and query string, and the meldpunt
# promises that addresses of public requests are not logged. Noaber writes one JSON line per
# request itself, without them (docs/operations.md, "Logs"); gunicorn's own lines go to stderr,
# i.e. the journal.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("NOABER_GUNICORN_LOG_LEVEL", "info")

# No control socket (gunicornc): systemctl reload (SIGHUP) and restart are the interface, and a
# socket under the service's home would only be another way in.
control_socket_disable = True
