"""gunicorn settings for running the gateway under gunicorn directly:

    gunicorn -c deploy/gunicorn.conf.py gateway.serve_entry:app

`lagw serve` is the normal way and does the same: these are the settings of `gateway.serve.server_options`
(a test holds the two equal), TLS from `LAGW_TLS_*`, and one metrics directory for all workers, as
`lagw serve` sets them up. The address comes from `LAGW_BIND` (default 127.0.0.1:8080). Each worker builds
the app after the fork, from the `LAGW_*` environment; run `lagw db upgrade` before the first start (with
`LAGW_AUTO_MIGRATE=false` the workers refuse a store that is behind).
"""

import os

from gateway.config import Settings
from gateway.serve import Tls, prepare_metrics_dir, worker_gone

bind = os.environ.get("LAGW_BIND", "127.0.0.1:8080")
workers = os.cpu_count() or 2
worker_class = "gthread"
threads = 8
worker_connections = threads  # gthread: accept no more connections than there are threads
timeout = 30
graceful_timeout = 10
keepalive = 5
accesslog = None  # no access log here (nginx keeps one); gunicorn's own messages go to stderr
errorlog = "-"
loglevel = "info"
# gunicorn 24+ opens a runtime control socket per user; two servers would fight over it. Older releases
# ignore the name.
control_socket_disable = True

_settings = Settings.from_env()
if _settings.tls_certfile is not None or _settings.tls_keyfile is not None:
    if _settings.tls_certfile is None or _settings.tls_keyfile is None:
        raise SystemExit("TLS needs both LAGW_TLS_CERTFILE and LAGW_TLS_KEYFILE")
    # certfile, keyfile and, with LAGW_TLS_CLIENT_CA, ca_certs and cert_reqs (client certificates optional).
    globals().update(Tls(_settings.tls_certfile, _settings.tls_keyfile, _settings.tls_client_ca).options())

# /metrics adds up the counts of every worker, whichever answers the scrape: prometheus-client's
# multiprocess mode, in a fresh directory (no old counts), set here in the master before any worker starts.
prepare_metrics_dir()
child_exit = worker_gone
