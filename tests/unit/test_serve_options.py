"""`lagw serve`'s server settings: whole requests before a thread, keep-alive room, TLS on gunicorn's worker."""

from flask import Flask

from gateway.cli.buffered_worker import body_limit
from gateway.cli.serve import server_options


def test_plain_http_is_served_by_the_buffered_worker_with_room_to_keep_connections_alive() -> None:
    options = server_options("127.0.0.1:8080", workers=2, threads=8, client_timeout=7)

    assert options["worker_class"] == "gateway.cli.buffered_worker.BufferedWorker"
    assert options["worker_connections"] >= 10 * options["threads"]
    assert options["keepalive"] == 7  # the silence after which a connection is closed


def test_tls_served_by_gunicorn_itself_runs_on_its_gthread_worker() -> None:
    assert server_options("127.0.0.1:8443", tls=True)["worker_class"] == "gthread"


def test_a_body_is_buffered_a_little_past_the_apps_own_limit_so_the_app_answers_the_413() -> None:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 1000

    assert body_limit(app) == 1000 + 64 * 1024
    assert body_limit(object()) == 1024 * 1024 + 64 * 1024  # not a Flask app: the gateway's default, 1 MiB
