"""Settings from the environment and a TOML file, and what `lagw config check` reports."""

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.cli.config_check import check_settings, describe
from gateway.cli.main import main
from gateway.config import ConfigError, Settings, unknown_variables, without_password


def test_the_file_gives_values_and_the_environment_wins(tmp_path: Path) -> None:
    file = tmp_path / "lagw.toml"
    file.write_text('relay_batch_size = 50\npublic_url = "https://lagw.example"\ntrusted_proxies = ["10.0.0.2"]\n')

    settings = Settings.from_env({"LAGW_CONFIG_FILE": str(file), "LAGW_RELAY_BATCH_SIZE": "75"})

    assert (settings.relay_batch_size, settings.public_url, settings.trusted_proxies) == (
        75,
        "https://lagw.example",
        ("10.0.0.2",),
    )


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"LAGW_RELAY_BATCH_SIZE": "many"}, "LAGW_RELAY_BATCH_SIZE must be an integer, not 'many'"),
        ({"LAGW_CONSOLE_COOKIE_SECURE": "perhaps"}, "LAGW_CONSOLE_COOKIE_SECURE must be true or false"),
        ({"LAGW_DEADLINE_LEAD_HOURS": "a day"}, "LAGW_DEADLINE_LEAD_HOURS must be a number"),
    ],
)
def test_a_malformed_variable_is_named_with_what_it_must_be(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(environ)


def test_a_file_with_an_unknown_key_or_a_wrong_type_is_refused(tmp_path: Path) -> None:
    unknown, wrong = tmp_path / "unknown.toml", tmp_path / "wrong.toml"
    unknown.write_text("relay_batch = 5\n")
    wrong.write_text('auto_migrate = "sometimes"\n')

    with pytest.raises(ConfigError, match="unknown setting"):
        Settings.from_env({"LAGW_CONFIG_FILE": str(unknown)})
    with pytest.raises(ConfigError, match=f"auto_migrate in {wrong} must be true or false"):
        Settings.from_env({"LAGW_CONFIG_FILE": str(wrong)})
    with pytest.raises(ConfigError, match="cannot read"):
        Settings.from_env({"LAGW_CONFIG_FILE": str(tmp_path / "absent.toml")})


def test_a_misspelt_variable_is_reported() -> None:
    assert unknown_variables({"LAGW_RELAY_BATCHSIZE": "5", "LAGW_RELAY_BATCH_SIZE": "5", "PATH": "/"}) == [
        "LAGW_RELAY_BATCHSIZE"
    ]


def test_the_description_never_shows_a_secret_or_a_password() -> None:
    settings = Settings(
        database_url="postgresql+psycopg://lagw:s3cret-db@db/lagw",
        amqp_url="amqp://lagw:s3cret-mq@mq:5672/lagw",
        console_secret="s3cret-console",
    )

    shown = dict(describe(settings))

    assert "s3cret" not in repr(shown)
    assert shown["LAGW_DATABASE_URL"] == "postgresql+psycopg://lagw:***@db/lagw"
    assert (shown["LAGW_CONSOLE_SECRET"], shown["LAGW_ID_HASH_KEY"]) == ("set", "development default")
    assert shown["LAGW_METRICS_TOKEN"] == "not set"
    assert dict(describe(replace(settings, metrics_token="s3cret-scrape")))["LAGW_METRICS_TOKEN"] == "set"
    assert without_password("sqlite:///lagw.sqlite3") == "sqlite:///lagw.sqlite3"


def test_inconsistent_settings_are_errors_naming_their_variable(tmp_path: Path) -> None:
    settings = Settings(
        log_format="xml",
        client_cert_header="X-SSL-Client-Cert",
        tls_certfile=tmp_path / "absent.pem",
        rate_limit="ten a minute",
        data_keys="k1:not-base64!",
        store_pool_size=0,
    )

    errors = {finding.subject for finding in check_settings(settings, connect=False) if finding.level == "error"}

    assert errors == {
        "LAGW_LOG_FORMAT",
        "LAGW_CLIENT_CERT_HEADER",
        "LAGW_TLS_CERTFILE",
        "LAGW_RATE_LIMIT",
        "LAGW_DATA_KEYS",
        "LAGW_STORE_POOL_SIZE",
    }


def test_a_document_font_that_is_not_there_is_an_error_and_the_answers_worker_will_not_start(tmp_path: Path) -> None:
    absent = tmp_path / "absent.ttc"
    findings = check_settings(Settings(document_font=absent), connect=False)
    # Were the check gone, the worker would meet a store of its own and a broker that never answers, and say so.
    env = {
        "LAGW_DOCUMENT_FONT": str(absent),
        "LAGW_DATABASE_URL": f"sqlite:///{tmp_path}/store.sqlite3",
        "LAGW_AMQP_URL": "amqp://guest:guest@127.0.0.1:1/",
    }
    answers = CliRunner().invoke(main, ["answers"], env=env)

    font = [finding for finding in findings if finding.subject == "LAGW_DOCUMENT_FONT"]
    assert [finding.level for finding in font] == ["error"] and str(absent) in font[0].text
    # It stops before it consumes: the answers stay queued until the font is installed (every decision issues its
    # official document, LAL 36, 43).
    assert answers.exit_code == 1 and "no Chinese TrueType font" in answers.output


def test_a_document_font_file_that_is_no_truetype_font_is_an_error(tmp_path: Path) -> None:
    not_a_font = tmp_path / "font.ttc"
    not_a_font.write_bytes(b"not a font")

    [font] = [f for f in check_settings(Settings(document_font=not_a_font), connect=False) if "FONT" in f.subject]

    assert font.level == "error" and "not a TrueType font" in font.text


def test_config_check_exits_1_on_an_error_and_0_when_usable(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path}/store.sqlite3"
    runner = CliRunner()

    bad = runner.invoke(main, ["config", "check", "--offline"], env={"LAGW_LOG_FORMAT": "xml"})
    good = runner.invoke(main, ["config", "check", "--offline"], env={"LAGW_DATABASE_URL": store})
    unreadable = runner.invoke(main, ["config", "check"], env={"LAGW_RELAY_BATCH_SIZE": "x"})

    assert bad.exit_code == 1 and "error    LAGW_LOG_FORMAT" in bad.output
    assert good.exit_code == 0, good.output
    assert "warning  LAGW_METRICS_TOKEN" in good.output and "only this host's loopback" in good.output
    assert f"LAGW_DATABASE_URL                        {store}" in good.output
    assert unreadable.exit_code == 1 and "LAGW_RELAY_BATCH_SIZE must be an integer" in unreadable.output


def test_secrets_are_not_echoed_and_a_storage_error_names_only_its_scheme(tmp_path: Path) -> None:
    file = tmp_path / "lagw.toml"
    file.write_text('data_keys = ["k1:c2VjcmV0LWtleS1tYXRlcmlhbA=="]\n')

    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"LAGW_CONFIG_FILE": str(file)})
    findings = check_settings(Settings(rate_limit_storage="redsi://:hunter2@cache:6379"), connect=False)

    assert "c2VjcmV0" not in str(raised.value) and "data_keys" in str(raised.value)
    [storage] = [finding for finding in findings if finding.subject == "LAGW_RATE_LIMIT_STORAGE"]
    assert storage.level == "error" and "hunter2" not in storage.text and "'redsi'" in storage.text


def test_trusted_proxies_take_networks_and_a_malformed_one_stops_the_start() -> None:
    settings = Settings.from_env({"LAGW_TRUSTED_PROXIES": "10.0.1.0/24, 192.0.2.7"})

    assert settings.trusted_proxies == ("10.0.1.0/24", "192.0.2.7")
    with pytest.raises(ConfigError, match="LAGW_TRUSTED_PROXIES"):
        Settings.from_env({"LAGW_TRUSTED_PROXIES": "10.0.1.0/33"})
