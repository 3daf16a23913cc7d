"""A gateway that stores nothing: parse the JSON, publish it with one confirm per request, answer 202.

Each application thread has its own pika connection (pika is not thread-safe), opened at its first request,
after the fork. The broker's URL comes from LAGW_AMQP_URL.
"""

import json
import os
import threading
import uuid

import pika
from flask import Flask, request

from gateway.messaging.topology import declare_topology
from gateway.service.messages import REQUESTS_EXCHANGE

app = Flask(__name__)
_local = threading.local()


def _channel() -> object:
    channel = getattr(_local, "channel", None)
    if channel is None:
        connection = pika.BlockingConnection(pika.URLParameters(os.environ["LAGW_AMQP_URL"]))
        channel = connection.channel()
        declare_topology(channel)
        channel.confirm_delivery()
        _local.channel = channel
    return channel


@app.post("/api/v1/court/defense-notices")
def accept() -> tuple[dict[str, str], int]:
    """Parse the body, publish it persistently and wait for the broker's confirm, then answer 202."""
    body = request.get_json()
    message_id = str(uuid.uuid4())
    _channel().basic_publish(  # type: ignore[attr-defined]
        exchange=REQUESTS_EXCHANGE,
        routing_key="notify_defense.lac370202",
        body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        properties=pika.BasicProperties(delivery_mode=2, message_id=message_id, content_type="application/json"),
        mandatory=True,
    )
    return {"id": message_id, "state": "received"}, 202
