"""`lagw agency …`: register, list and rotate keys; the key is shown once, as the last line."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.cli.main import main


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("LAGW_DATABASE_URL", f"sqlite:///{tmp_path}/cli.sqlite3")
    return CliRunner()


def test_add_prints_the_key_last_and_list_never_shows_it(runner: CliRunner) -> None:
    added = runner.invoke(
        main, ["agency", "add", "--code", "C1", "--name", "市南区人民法院", "--type", "court", "--district", "370202"]
    )
    assert added.exit_code == 0, added.output
    key = added.output.strip().splitlines()[-1]
    assert key.startswith("lagw_") and len(key) > 40
    assert "routes to lac370202" in added.output

    listed = runner.invoke(main, ["agency", "list"])
    assert "C1\tcourt\tdistrict\t370202" in listed.output
    assert key not in listed.output


def test_rotate_key_issues_a_new_key(runner: CliRunner) -> None:
    added = runner.invoke(
        main, ["agency", "add", "--code", "P1", "--name", "市公安局", "--type", "police", "--district", "370200"]
    )
    old = added.output.strip().splitlines()[-1]
    rotated = runner.invoke(main, ["agency", "rotate-key", "--code", "P1"])
    assert rotated.exit_code == 0
    assert rotated.output.strip().splitlines()[-1] not in ("", old)


def test_an_agency_no_centre_serves_is_refused(runner: CliRunner) -> None:
    added = runner.invoke(
        main, ["agency", "add", "--code", "X", "--name", "x", "--type", "court", "--district", "110105"]
    )
    assert added.exit_code != 0
    assert "no legal aid centre" in added.output
    assert "X\t" not in runner.invoke(main, ["agency", "list"]).output


def test_rotating_an_unknown_agency_fails_clearly(runner: CliRunner) -> None:
    result = runner.invoke(main, ["agency", "rotate-key", "--code", "nobody"])
    assert result.exit_code != 0 and "no agency with code nobody" in result.output


def test_version_names_the_release_the_project_declares() -> None:
    import tomllib
    from pathlib import Path

    declared = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["project"]

    result = CliRunner().invoke(main, ["--version"])

    assert result.exit_code == 0
    assert result.output == f"lagw {declared['version']}\n"
