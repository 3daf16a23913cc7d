"""`lagw config check` against the real PostgreSQL and RabbitMQ."""

from click.testing import CliRunner

from gateway.cli.main import main
from gateway.store.engine import make_engine
from gateway.store.migrate import head_revision, upgrade_store
from tests.support.postgres import fresh_database


def test_it_reports_the_store_and_the_broker_it_reaches_and_a_refused_login(amqp_url: str) -> None:
    with fresh_database() as url:
        engine = make_engine(url)
        upgrade_store(engine)
        engine.dispose()
        env = {"LAGW_DATABASE_URL": url, "LAGW_AMQP_URL": amqp_url}
        reached = CliRunner().invoke(main, ["config", "check"], env=env)
        refused = CliRunner().invoke(
            main, ["config", "check"], env=env | {"LAGW_AMQP_URL": amqp_url.replace("guest:guest", "guest:wrong")}
        )

    assert reached.exit_code == 0, reached.output
    assert f"postgresql, at migration {head_revision()}" in reached.output
    assert "ok       broker amqp://guest:***@" in reached.output and "RabbitMQ" in reached.output
    assert refused.exit_code == 1
    assert "the broker refused the user name or password" in refused.output
    assert "wrong" not in refused.output
