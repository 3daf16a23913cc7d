"""`lagw keys …`: the data keys that seal personal data at rest."""

import click

from gateway.bootstrap import build_services
from gateway.config import Settings
from gateway.security.data_keys import DataKeyError, DataKeyRing, UnreadableData, new_data_key
from gateway.store.rekey import CLEAR, DataRekeying


@click.group()
def keys() -> None:
    """Data keys: a new one, rotation, and which keys the stored rows still need."""


@keys.command("new")
@click.option("--id", "key_id", required=True, help="The new key's id, e.g. 2026-11 (stored beside each value).")
def keys_new(key_id: str) -> None:
    """Print a new LAGW_DATA_KEYS entry; put it first in the list, keep the old keys after it."""
    entry = f"{key_id}:{new_data_key()}"
    try:
        DataKeyRing.parse(entry)
    except DataKeyError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(entry)


@keys.command("rotate")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=500, show_default=True)
def keys_rotate(batch_size: int) -> None:
    """Re-seal every stored row under the first key of LAGW_DATA_KEYS (clear rows of an older store too)."""
    rekeying = _rekeying()
    try:
        moved = rekeying.rotate(batch_size, lambda table, n: click.echo(f"{table}: {n} row(s) re-sealed so far"))
    except UnreadableData as exc:
        raise click.ClickException(f"{exc}; add it back (after the new key) and rotate again") from exc
    for table, count in moved.items():
        click.echo(f"{table}: {count} row(s) re-sealed")
    _report_usage(rekeying)


@keys.command("status")
def keys_status() -> None:
    """How many rows each key seals; a key no row names may be removed from LAGW_DATA_KEYS."""
    _report_usage(_rekeying())


def _rekeying() -> DataRekeying:
    services = build_services(Settings.from_env())
    return DataRekeying(services.engine, services.data_keys, services.settings.id_hash_key.encode("utf-8"))


def _report_usage(rekeying: DataRekeying) -> None:
    usage = rekeying.key_usage()
    needed = set()
    for table, counts in usage.items():
        for key_id, count in sorted(counts.items()):
            click.echo(f"{table}\t{key_id}\t{count}")
            needed.add(key_id)
    current, configured = rekeying.current_key_id, rekeying.configured_key_ids
    unused = [key_id for key_id in configured if key_id not in needed and key_id != current]
    if unused:
        click.echo(f"no stored row needs key(s) {', '.join(unused)}: they may be removed from LAGW_DATA_KEYS")
    if CLEAR in needed:
        click.echo("some rows are still clear: run `lagw keys rotate`")
