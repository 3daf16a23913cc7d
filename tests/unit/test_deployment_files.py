"""The deployment files (deploy/) agree with the code: commands, broker topology, settings, server options."""

import base64
import binascii
import json
import os
import re
import shlex
import sys
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import click
import pytest
import yaml
from gunicorn.app.base import Application
from gunicorn.config import Config

from gateway.cli.main import main
from gateway.cli.serve import OPTIONAL_SETTINGS, Tls, server_options, worker_gone
from gateway.config import Settings, unknown_variables
from gateway.logs import request_id_from
from gateway.messaging import topology
from gateway.rules.routing import load_routing_table
from gateway.security.data_keys import DataKeyError, DataKeyRing

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
CONTAINERFILE = DEPLOY / "Containerfile"
COMPOSE = DEPLOY / "compose.yaml"
DEFINITIONS = DEPLOY / "rabbitmq" / "definitions.json"
ENV_EXAMPLE = DEPLOY / "lagw.env.example"
GUNICORN_CONF = DEPLOY / "gunicorn.conf.py"
NGINX_CONF = DEPLOY / "nginx" / "lagw.conf"

# The processes a deployment runs, each from a systemd unit and a compose service.
LONG_RUNNING = {("serve",), ("relay",), ("deliver",), ("deadlines",), ("answers",)}
MIGRATE = ("db", "upgrade")
# Read in gateway/config.py's module but not deployment settings: one command's input, the tests' own.
NOT_DEPLOYMENT_VARIABLES = re.compile(r"LAGW_(CALLBACK_SECRET|TEST_\w+|CHROMIUM)$")
METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"  # prometheus-client's multiprocess mode, as lagw serve sets it
COMPOSE_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


# --- reading the files ---------------------------------------------------------------------------------------


def unit_entries(path: Path) -> list[tuple[str, str, str]]:
    """(section, key, value) of a systemd unit, in order; keys may repeat."""
    entries, section = [], ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, _, value = line.partition("=")
        entries.append((section, key.strip(), value.strip()))
    return entries


def unit_values(path: Path, key: str) -> list[str]:
    return [value for _, found, value in unit_entries(path) if found == key]


def unit_paths(pattern: str = "*.service") -> list[Path]:
    return sorted(UNITS.glob(pattern))


def containerfile_instruction(name: str) -> list[str]:
    """The JSON (exec) form of an instruction of the Containerfile, e.g. ENTRYPOINT."""
    found = [line for line in CONTAINERFILE.read_text(encoding="utf-8").splitlines() if line.startswith(f"{name} ")]
    assert len(found) == 1, f"one {name} in the Containerfile"
    value: list[str] = json.loads(found[0].removeprefix(f"{name} "))
    return value


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return loaded


def lagw_services(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The compose services that run the gateway's image (built from deploy/Containerfile)."""
    return {
        name: service
        for name, service in document["services"].items()
        if Path(str(service.get("build", {}).get("dockerfile", ""))).name == CONTAINERFILE.name
    }


def depends_on(service: dict[str, Any]) -> dict[str, str]:
    """A service's dependencies and their conditions (the short list form means service_started)."""
    declared = service.get("depends_on", {})
    if isinstance(declared, list):
        return dict.fromkeys(declared, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in declared.items()}


def lagw_command_lines() -> list[tuple[str, list[str]]]:
    """Every `lagw …` command line in the units, the Containerfile and the compose file, as arguments."""
    lines = []
    for unit in unit_paths():
        for section, key, value in unit_entries(unit):
            if section == "Service" and key.startswith("Exec"):
                argv = shlex.split(value.lstrip("-@:+!"))
                if Path(argv[0]).name == "lagw":
                    lines.append((f"{unit.name} {key}", argv[1:]))
    if containerfile_instruction("ENTRYPOINT") == ["lagw"]:
        lines.append(("Containerfile CMD", containerfile_instruction("CMD")))
    for name, service in lagw_services(compose()).items():
        lines.append((f"compose {name}", service.get("command", containerfile_instruction("CMD"))))
    return lines


def resolve_command(args: list[str]) -> tuple[click.Command, list[str], list[str]]:
    """The click command the arguments name, its path (`lagw db upgrade`) and the arguments left for it."""
    command: click.Command = main
    path, rest = ["lagw"], list(args)
    while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        name = rest.pop(0)
        found = command.commands.get(name)
        assert found is not None, f"`{' '.join(path)}` has no subcommand {name!r}"
        command, path = found, [*path, name]
    return command, path, rest


def command_name(args: list[str]) -> tuple[str, ...]:
    """The subcommand the arguments name: ("db", "upgrade")."""
    return tuple(resolve_command(args)[1][1:])


def definitions() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DEFINITIONS.read_text(encoding="utf-8"))
    return loaded


class RecordingChannel:
    """Records what `declare_topology` asks of the broker, with pika's defaults for what it leaves out."""

    def __init__(self) -> None:
        self.exchanges: dict[str, dict[str, Any]] = {}
        self.queues: dict[str, dict[str, Any]] = {}
        self.bindings: set[tuple[str, str, str]] = set()

    def exchange_declare(
        self,
        exchange: str,
        exchange_type: Any = "direct",
        passive: bool = False,
        durable: bool = False,
        auto_delete: bool = False,
        internal: bool = False,
        arguments: dict[str, Any] | None = None,
    ) -> None:
        self.exchanges[exchange] = {
            "type": getattr(exchange_type, "value", exchange_type),
            "durable": durable,
            "auto_delete": auto_delete,
            "internal": internal,
            "arguments": arguments or {},
        }

    def queue_declare(
        self,
        queue: str,
        passive: bool = False,
        durable: bool = False,
        exclusive: bool = False,
        auto_delete: bool = False,
        arguments: dict[str, Any] | None = None,
    ) -> None:
        assert not exclusive, "an exclusive queue cannot be declared in definitions"
        self.queues[queue] = {"durable": durable, "auto_delete": auto_delete, "arguments": arguments or {}}

    def queue_bind(
        self, queue: str, exchange: str, routing_key: str | None = None, arguments: dict[str, Any] | None = None
    ) -> None:
        assert not arguments, "binding arguments are not compared below"
        self.bindings.add((exchange, queue, routing_key if routing_key is not None else queue))


@pytest.fixture(scope="module")
def declared() -> RecordingChannel:
    channel = RecordingChannel()
    topology.declare_topology(channel)
    return channel


def example_variables() -> dict[str, str | None]:
    """Each LAGW_ variable the environment example names: its value when set, None when commented out."""
    named: dict[str, str | None] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^(#?)\s*(LAGW_[A-Z0-9_]+)=(.*)$", line)
        if match:
            commented, name, value = match.groups()
            named[name] = None if commented else value
    return named


def set_in_example() -> dict[str, str]:
    return {name: value for name, value in example_variables().items() if value is not None}


def settings_variables() -> set[str]:
    """The variables of every setting, and the literal LAGW_ names gateway/config.py reads."""
    from_fields = {f"LAGW_{field.name.upper()}" for field in fields(Settings)}
    source = (ROOT / "gateway" / "config.py").read_text(encoding="utf-8")
    literals = set(re.findall(r"[\"'](LAGW_[A-Z0-9_]+)[\"']", source))
    return from_fields | {name for name in literals if not NOT_DEPLOYMENT_VARIABLES.match(name)}


class ConfigFileOnly(Application):
    """gunicorn's own reading of a config file (`-c`), without its command line or an app."""

    def __init__(self, path: Path) -> None:
        self._path = path
        super().__init__()

    def init(self, parser: Any, opts: Any, args: Any) -> None:
        return None

    def load_config(self) -> None:
        self.load_config_from_file(str(self._path))

    def load(self) -> None:
        raise AssertionError("the app is not loaded here")


@pytest.fixture
def no_lagw_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    """No LAGW_ variable, and a metrics directory of the test's own (the config file keeps one it is given)."""
    for name in [name for name in os.environ if name.startswith("LAGW_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv(METRICS_DIR, str(tmp_path))
    yield monkeypatch
    sys.modules.pop("__config__", None)  # where gunicorn puts the executed config file


def gunicorn_config() -> Config:
    cfg: Config = ConfigFileOnly(GUNICORN_CONF).cfg
    return cfg


# --- commands ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("where", "args"), lagw_command_lines(), ids=[where for where, _ in lagw_command_lines()])
def test_every_lagw_command_line_names_a_real_subcommand_with_valid_options(where: str, args: list[str]) -> None:
    command, path, rest = resolve_command(args)
    if isinstance(command, click.Group):
        assert command.invoke_without_command, f"{where}: `{' '.join(path)}` needs a subcommand"
    # Parses the options as click would at the command line (unknown options, bad values, missing ones).
    with command.make_context(" ".join(path), rest):
        pass


def test_systemd_units_and_compose_run_every_process_and_the_migration() -> None:
    lines = lagw_command_lines()
    from_units = {command_name(args) for where, args in lines if where.endswith(".service ExecStart")}
    from_compose = {command_name(args) for where, args in lines if where.startswith("compose ")}
    assert from_units >= {*LONG_RUNNING, MIGRATE, ("retention", "run")}
    assert from_compose >= {*LONG_RUNNING, MIGRATE}
    assert containerfile_instruction("ENTRYPOINT") == ["lagw"]


# --- systemd -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("unit", unit_paths(), ids=lambda path: path.name)
def test_every_unit_runs_sandboxed_as_lagw_with_the_environment_file(unit: Path) -> None:
    assert unit_values(unit, "User") == ["lagw"]
    assert "/etc/lagw/lagw.env" in unit_values(unit, "EnvironmentFile")
    for key, value in {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes"}.items():
        assert unit_values(unit, key) == [value], f"{unit.name}: {key}={value}"


@pytest.mark.parametrize("unit", [u for u in unit_paths() if u.name != "lagw-migrate.service"], ids=lambda p: p.name)
def test_every_unit_but_the_migration_starts_after_it_and_requires_it(unit: Path) -> None:
    for key in ("Requires", "After"):
        assert "lagw-migrate.service" in " ".join(unit_values(unit, key)).split(), f"{unit.name}: {key}="


def test_the_migration_unit_runs_once_before_the_others() -> None:
    unit = UNITS / "lagw-migrate.service"
    assert unit_values(unit, "Type") == ["oneshot"]
    assert unit_values(unit, "RemainAfterExit") == ["yes"]
    assert command_name(shlex.split(unit_values(unit, "ExecStart")[0])[1:]) == MIGRATE


@pytest.mark.parametrize("process", sorted(LONG_RUNNING), ids=lambda p: p[0])
def test_long_running_units_restart_on_failure_and_stop_on_sigterm(process: tuple[str, ...]) -> None:
    unit = UNITS / f"lagw-{process[0]}.service"
    assert unit_values(unit, "Restart") == ["on-failure"]
    assert unit_values(unit, "KillSignal") == ["SIGTERM"]


def test_the_retention_timer_starts_the_retention_unit() -> None:
    (timer,) = unit_paths("*.timer")
    (started,) = unit_values(timer, "Unit")
    assert (UNITS / started).is_file()
    assert unit_values(timer, "OnCalendar")


# --- compose -------------------------------------------------------------------------------------------------


def test_compose_file_parses_and_every_dependency_is_a_defined_service_that_can_meet_its_condition() -> None:
    document = compose()
    services = document["services"]
    for name, service in services.items():
        for dependency, condition in depends_on(service).items():
            assert dependency in services, f"{name} depends on an undefined service {dependency}"
            assert condition in COMPOSE_CONDITIONS, f"{name}: {condition}"
            target = services[dependency]
            if condition == "service_healthy":
                assert "test" in target.get("healthcheck", {}), f"{dependency} has no healthcheck for {name}"
            if condition == "service_completed_successfully":
                assert target.get("restart", "no") == "no", f"{dependency} must run once for {name}"


def test_compose_dependencies_have_no_cycle_and_every_lagw_service_waits_for_the_migration() -> None:
    services = compose()["services"]

    def reaches(start: str, seen: tuple[str, ...] = ()) -> set[str]:
        assert start not in seen, f"dependency cycle: {' -> '.join((*seen, start))}"
        found = set(depends_on(services[start]))
        for dependency in list(found):
            found |= reaches(dependency, (*seen, start))
        return found

    for name, service in lagw_services(compose()).items():
        needed = reaches(name)
        if service.get("command") != list(MIGRATE):
            assert depends_on(service).get("migrate") == "service_completed_successfully", name
        assert {"postgres"} <= needed, name


def test_compose_names_only_declared_volumes_and_configs_and_the_definitions_file() -> None:
    document = compose()
    for name, service in document["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (COMPOSE.parent / source).is_file(), f"{name}: {source}"
            else:
                assert source in document.get("volumes", {}), f"{name}: volume {source}"
        for config in service.get("configs", []):
            assert config["source"] in document.get("configs", {}), f"{name}: config {config['source']}"
    assert any("definitions.json" in volume for volume in document["services"]["rabbitmq"]["volumes"])


# --- RabbitMQ ------------------------------------------------------------------------------------------------


def test_definitions_declare_exactly_the_exchanges_of_the_topology(declared: RecordingChannel) -> None:
    exchanges = {exchange["name"]: exchange for exchange in definitions()["exchanges"]}
    assert set(exchanges) == set(topology.EXCHANGES) == set(declared.exchanges)
    for name, expected in declared.exchanges.items():
        found = exchanges[name]
        assert {key: found.get(key, {} if key == "arguments" else False) for key in expected} == expected, name


def test_definitions_declare_exactly_the_queues_of_the_topology_with_the_same_arguments(
    declared: RecordingChannel,
) -> None:
    # A queue that exists with other arguments makes the gateway's declaration fail (PRECONDITION_FAILED).
    queues = {queue["name"]: queue for queue in definitions()["queues"]}
    assert set(queues) == set(topology.QUEUES) == set(declared.queues)
    for name, expected in declared.queues.items():
        found = queues[name]
        assert found["durable"] == expected["durable"], name
        assert found.get("auto_delete", False) == expected["auto_delete"], name
        assert found.get("arguments", {}) == expected["arguments"], name


def test_definitions_bind_exactly_as_the_topology_does(declared: RecordingChannel) -> None:
    bindings = definitions()["bindings"]
    assert all(binding["destination_type"] == "queue" and not binding.get("arguments") for binding in bindings)
    assert {(b["source"], b["destination"], b["routing_key"]) for b in bindings} == declared.bindings
    to_assignment = {b["routing_key"] for b in bindings if b["destination"] == topology.ASSIGNMENT_QUEUE}
    assert to_assignment == set(topology.assignment_bindings())


def test_everything_in_the_definitions_lives_in_their_one_vhost() -> None:
    document = definitions()
    (vhost,) = [entry["name"] for entry in document["vhosts"]]
    for section in ("permissions", "policies", "exchanges", "queues", "bindings"):
        assert {entry["vhost"] for entry in document[section]} <= {vhost}, section


def test_the_poison_policy_covers_exactly_the_queues_that_dead_letter(declared: RecordingChannel) -> None:
    policies = [p for p in definitions()["policies"] if p["apply-to"] in ("queues", "quorum_queues", "all")]
    for queue, spec in declared.queues.items():
        # RabbitMQ applies the highest-priority policy whose pattern matches the name anywhere.
        matching = sorted((p for p in policies if re.search(p["pattern"], queue)), key=lambda p: -p["priority"])
        policy = matching[0]["definition"] if matching else {}
        if "x-dead-letter-exchange" in spec["arguments"]:
            assert policy.get("dead-letter-exchange") == topology.DEAD_LETTER_EXCHANGE, queue
            assert policy.get("delivery-limit") == topology.DELIVERY_LIMIT, queue
            if policy.get("dead-letter-strategy") == "at-least-once":
                assert policy.get("overflow") == "reject-publish", "at-least-once needs reject-publish"
        else:
            assert "dead-letter-exchange" not in policy, f"{queue} would dead-letter into itself"


def test_the_gateway_broker_user_may_declare_publish_and_consume_the_whole_topology() -> None:
    url = urlsplit(set_in_example()["LAGW_AMQP_URL"])
    user, vhost = unquote(url.username or ""), unquote(url.path.removeprefix("/"))
    (permission,) = [p for p in definitions()["permissions"] if p["user"] == user]
    assert permission["vhost"] == vhost
    for name in (*topology.EXCHANGES, *topology.QUEUES):
        for kind in ("configure", "write", "read"):
            assert re.search(permission[kind], name), f"{user} may not {kind} {name}"


def test_each_centre_of_the_shipped_routing_table_has_a_broker_user_that_may_only_publish_answers() -> None:
    document = definitions()
    permissions = {p["user"]: p for p in document["permissions"]}
    users = {user["name"] for user in document["users"]}
    for code in load_routing_table().centres:
        permission = permissions[f"centre-{code}"]
        assert f"centre-{code}" in users
        # Answers go to legalaid.appointments through the default exchange: write on it, nothing else.
        assert re.search(permission["write"], "amq.default")
        for name in (*topology.EXCHANGES, *topology.QUEUES):
            assert not re.search(permission["configure"], name), name
            assert not re.search(permission["read"], name), name
        for exchange in topology.EXCHANGES:
            assert not re.search(permission["write"], exchange), exchange


def test_no_password_ships_in_the_definitions() -> None:
    for user in definitions()["users"]:
        # A placeholder, not a hash: RabbitMQ refuses to import the file until the operator sets one.
        with pytest.raises(binascii.Error):
            base64.b64decode(user["password_hash"], validate=True)


# --- environment ---------------------------------------------------------------------------------------------


def test_every_lagw_variable_the_settings_read_appears_in_the_environment_example() -> None:
    missing = settings_variables() - set(example_variables())
    assert not missing, f"not in deploy/lagw.env.example: {sorted(missing)}"


def test_the_environment_example_names_no_variable_that_nothing_reads() -> None:
    # `lagw config check` would warn about such a variable (a typo leaves a default in force).
    named = dict.fromkeys(example_variables(), "")
    assert set(named) <= settings_variables()
    assert unknown_variables(named) == []


def test_the_environment_example_reads_as_settings_and_its_data_key_placeholder_stops_a_start() -> None:
    values = set_in_example()
    settings = Settings.from_env(values)
    assert settings.auto_migrate is False  # the deploy files migrate first
    with pytest.raises(DataKeyError):
        DataKeyRing.parse(settings.data_keys)


# --- gunicorn ------------------------------------------------------------------------------------------------


def test_gunicorn_conf_gives_the_options_of_lagw_serve(no_lagw_environment: pytest.MonkeyPatch) -> None:
    cfg = gunicorn_config()
    for key, value in server_options("127.0.0.1:8080").items():
        if key in OPTIONAL_SETTINGS and key not in cfg.settings:
            continue  # an older gunicorn
        expected = [value] if key == "bind" else value
        assert cfg.settings[key].get() == expected, key
    assert cfg.worker_class_str == "gateway.cli.buffered_worker.BufferedWorker"  # reads each request whole
    assert cfg.settings["worker_connections"].get() > cfg.settings["threads"].get()  # room to keep alive
    assert cfg.settings["certfile"].get() is None


def test_gunicorn_conf_adds_up_the_workers_metrics_as_lagw_serve_does(
    no_lagw_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cfg = gunicorn_config()
    assert os.environ[METRICS_DIR] == str(tmp_path)  # a directory given is kept
    assert cfg.settings["child_exit"].get() is worker_gone  # the same hook as `lagw serve`, not gunicorn's no-op
    no_lagw_environment.delenv(METRICS_DIR)
    gunicorn_config()
    made = Path(os.environ[METRICS_DIR])  # none given: a fresh one, so no old counts are added in
    assert made.is_dir() and not any(made.iterdir())
    made.rmdir()


def test_gunicorn_conf_binds_where_lagw_bind_says(no_lagw_environment: pytest.MonkeyPatch) -> None:
    no_lagw_environment.setenv("LAGW_BIND", "10.0.1.11:8080")
    assert gunicorn_config().settings["bind"].get() == ["10.0.1.11:8080"]


def test_gunicorn_conf_serves_tls_as_lagw_serve_does(no_lagw_environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    files = {name: tmp_path / f"{name}.pem" for name in ("cert", "key", "ca")}
    for path in files.values():
        path.write_text("", encoding="ascii")
    no_lagw_environment.setenv("LAGW_TLS_CERTFILE", str(files["cert"]))
    no_lagw_environment.setenv("LAGW_TLS_KEYFILE", str(files["key"]))
    no_lagw_environment.setenv("LAGW_TLS_CLIENT_CA", str(files["ca"]))
    cfg = gunicorn_config()
    for key, value in Tls(files["cert"], files["key"], files["ca"]).options().items():
        assert cfg.settings[key].get() == value, key
    assert cfg.worker_class_str == "gthread"  # gunicorn's TLS needs its own worker


# --- nginx ---------------------------------------------------------------------------------------------------


def test_nginx_takes_the_bodies_the_gateway_takes() -> None:
    (size,) = re.findall(r"^\s*client_max_body_size\s+(\d+)([km]?);", NGINX_CONF.read_text(encoding="utf-8"), re.M)
    number, unit = size
    assert int(number) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit] == Settings().max_body_bytes


@pytest.mark.parametrize("caller_id", ["a", "a" * 64, "a" * 65, "C370202:2026.1-x_y", "bad id", "%41", ""])
def test_nginx_keeps_a_callers_request_id_exactly_when_the_gateway_would(caller_id: str) -> None:
    text = NGINX_CONF.read_text(encoding="utf-8")
    (body,) = re.findall(r"map\s+\$http_x_request_id\s+\$\w+\s*\{(.*?)\n\}", text, re.S)
    (pattern,) = re.findall(r'"~(.*?)"\s+\$http_x_request_id;', body)
    assert bool(re.search(pattern, caller_id)) == (request_id_from(caller_id) == caller_id)


def test_nginx_passes_the_client_certificate_in_the_gateways_header_only_when_verified() -> None:
    text = NGINX_CONF.read_text(encoding="utf-8")
    header = set_in_example()["LAGW_CLIENT_CERT_HEADER"]
    (variable,) = re.findall(rf"^\s*proxy_set_header\s+{re.escape(header)}\s+\$(\w+);", text, re.M)
    (body,) = re.findall(rf"map\s+\$ssl_client_verify\s+\${variable}\s*\{{(.*?)\n\}}", text, re.S)
    entries = dict(line.split(None, 1) for line in (raw.strip().rstrip(";") for raw in body.splitlines()) if line)
    assert entries == {"SUCCESS": "$ssl_client_escaped_cert", "default": '""'}
