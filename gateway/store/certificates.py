"""Agencies' client certificates for mutual TLS, by fingerprint; several per agency while one is rotated."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from gateway.store.engine import READ_ONLY
from gateway.store.tables import agency_certificates


def fingerprint_of(der: bytes) -> str:
    """SHA-256 of the certificate's DER encoding, in lower-case hex."""
    return hashlib.sha256(der).hexdigest()


@dataclass(frozen=True)
class RegisteredCertificate:
    """A client certificate the gateway accepts for an agency."""

    fingerprint: str
    agency_code: str
    subject: str
    not_after: datetime


class SqlAgencyCertificates:
    """Maps a presented certificate to its agency; adding a new one before removing the old avoids downtime."""

    def __init__(self, engine: sa.Engine, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._engine = engine
        self._now = now

    def add(self, agency_code: str, pem: bytes) -> RegisteredCertificate:
        """Register a PEM certificate for the agency."""
        certificate = x509.load_pem_x509_certificate(pem)
        registered = RegisteredCertificate(
            fingerprint_of(certificate.public_bytes(Encoding.DER)),
            agency_code,
            certificate.subject.rfc4514_string()[:500],
            certificate.not_valid_after_utc,
        )
        with self._engine.begin() as conn:
            conn.execute(
                agency_certificates.insert().values(
                    fingerprint=registered.fingerprint,
                    agency_code=agency_code,
                    subject=registered.subject,
                    not_after=registered.not_after,
                    added_at=self._now(),
                )
            )
        return registered

    def remove(self, fingerprint: str) -> bool:
        """Stop accepting a certificate; False if it was not registered."""
        with self._engine.begin() as conn:
            deleted = conn.execute(
                agency_certificates.delete().where(agency_certificates.c.fingerprint == fingerprint.lower())
            )
        return deleted.rowcount == 1

    def agency_of(self, der: bytes) -> str | None:
        """The code of the agency this certificate (DER) is registered to, while it is valid."""
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            return conn.scalar(
                sa.select(agency_certificates.c.agency_code)
                .where(agency_certificates.c.fingerprint == fingerprint_of(der))
                .where(agency_certificates.c.not_after > self._now())
            )

    def of_agency(self, agency_code: str) -> list[RegisteredCertificate]:
        """The agency's registered certificates, newest expiry first."""
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            rows = conn.execute(
                sa.select(agency_certificates)
                .where(agency_certificates.c.agency_code == agency_code)
                .order_by(agency_certificates.c.not_after.desc())
            ).all()
        return [RegisteredCertificate(r.fingerprint, r.agency_code, r.subject, r.not_after) for r in rows]
