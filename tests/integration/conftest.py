"""Integration fixtures: a fresh vhost on the real RabbitMQ and a live gateway per test."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.broker import fresh_vhost
from tests.support.gateway import LiveGateway, running_gateway

pytestmark = pytest.mark.integration


@pytest.fixture
def amqp_url() -> Iterator[str]:
    with fresh_vhost() as url:
        yield url


@pytest.fixture
def gateway(tmp_path: Path, amqp_url: str) -> Iterator[LiveGateway]:
    with running_gateway(tmp_path, amqp_url) as running:
        yield running
