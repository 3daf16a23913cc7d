"""`lagw agency add-cert|remove-cert|certs`: client certificates for mutual TLS."""

from pathlib import Path

import click
import sqlalchemy.exc
from cryptography.exceptions import UnsupportedAlgorithm

from gateway.bootstrap import build_services
from gateway.config import Settings


@click.command("add-cert")
@click.option("--code", required=True, help="The agency the certificate identifies.")
@click.option("--cert", "cert_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
def add_cert(code: str, cert_file: Path) -> None:
    """Accept a client certificate (PEM) for an agency; add the new one before removing the old to rotate."""
    services = build_services(Settings.from_env())
    if services.agencies.by_code(code) is None:
        raise click.ClickException(f"no agency with code {code}")
    try:
        registered = services.certificates.add(code, cert_file.read_bytes())
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise click.ClickException(f"not a PEM certificate: {exc}") from exc
    except sqlalchemy.exc.IntegrityError as exc:
        raise click.ClickException("this certificate is already registered") from exc
    click.echo(f"{registered.fingerprint}\t{registered.subject}\tvalid until {registered.not_after.isoformat()}")


@click.command("remove-cert")
@click.option("--fingerprint", required=True, help="SHA-256 of the certificate's DER, hex (see `lagw agency certs`).")
def remove_cert(fingerprint: str) -> None:
    """Stop accepting a client certificate; it is refused from the next request on."""
    if not build_services(Settings.from_env()).certificates.remove(fingerprint):
        raise click.ClickException(f"no certificate with fingerprint {fingerprint}")
    click.echo(f"certificate {fingerprint} removed")


@click.command("certs")
@click.option("--code", required=True)
def certs(code: str) -> None:
    """An agency's client certificates: fingerprint, subject, expiry."""
    for found in build_services(Settings.from_env()).certificates.of_agency(code):
        click.echo(f"{found.fingerprint}\t{found.subject}\tvalid until {found.not_after.isoformat()}")
