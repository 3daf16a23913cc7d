"""gunicorn settings for running the gateway under gunicorn directly:

    gunicorn -c deploy/gunicorn.conf.py gateway.cli.serve_entry:app

`lagw serve` is the normal way and does the same: the settings are those of `gateway.cli.serve.server_options`
(the buffered worker for plain HTTP, gthread when gunicorn serves TLS itself), TLS from `LAGW_TLS_*`, and one
metrics directory for all workers, as `lagw serve` sets them up. The address comes from `LAGW_BIND` (default
127.0.0.1:8080). Each worker builds the app after the fork, from the `LAGW_*` environment; run
`lagw db upgrade` before the first start (with `LAGW_AUTO_MIGRATE=false` the workers refuse a store that is
behind).
"""

import os

from gateway.cli.serve import Tls, prepare_metrics_dir, server_options, worker_gone
from gateway.config import Settings

_settings = Settings.from_env()
_tls = None
if _settings.tls_certfile is not None or _settings.tls_keyfile is not None:
    if _settings.tls_certfile is None or _settings.tls_keyfile is None:
        raise SystemExit("TLS needs both LAGW_TLS_CERTFILE and LAGW_TLS_KEYFILE")
    _tls = Tls(_settings.tls_certfile, _settings.tls_keyfile, _settings.tls_client_ca)

# bind, workers, worker_class, threads, worker_connections, timeouts, keepalive, logs; with TLS also certfile,
# keyfile and, with LAGW_TLS_CLIENT_CA, ca_certs and cert_reqs (client certificates optional).
globals().update(
    server_options(os.environ.get("LAGW_BIND", "127.0.0.1:8080"), tls=_tls is not None)
    | (_tls.options() if _tls is not None else {})
)

# /metrics adds up the counts of every worker, whichever answers the scrape: prometheus-client's
# multiprocess mode, in a fresh directory (no old counts), set here in the master before any worker starts.
prepare_metrics_dir()
child_exit = worker_gone
