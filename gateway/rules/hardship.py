"""The hardship pre-check of a forwarded application: flags for the centre that decides, never a refusal.

Shandong Legal Aid Regulation art. 8: a citizen is in financial hardship whose household income per head is
within twice the previous year's minimum living standard (低保) of the county or district where the accepting
legal aid centre sits. LAL 42 (and the province's list) exempts some people from the check; LAL 41 lets the
centre rest on the applicant's personal integrity pledge (个人诚信承诺) instead of proof.
"""

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

from gateway.domain.enums import ApplicationBasis
from gateway.domain.model import Application
from gateway.rules.deadlines import CHINA_TZ

HARDSHIP_MET = "hardship_met"  # within twice the standard
HARDSHIP_NOT_MET = "hardship_not_met"  # above it, as declared
HARDSHIP_UNCLEAR = "hardship_unclear"  # income, household or the standard unknown: checked by hand
HARDSHIP_EXEMPT = "hardship_exempt"  # a category LAL 42 exempts from the check
PLEDGE_MISSING = "pledge_missing"  # neither an exemption nor the pledge (LAL 41)

# The regulation's multiple of the standard.
MULTIPLE = Decimal(2)


@dataclass(frozen=True)
class Standard:
    """One district's minimum living standard from the day it took effect, and the document that set it."""

    district: str
    monthly_per_person: Decimal
    effective_from: date
    source: str


@dataclass(frozen=True)
class SubsistenceStandards:
    """The standards by district, oldest first."""

    by_district: dict[str, tuple[Standard, ...]]

    def previous_year(self, district: str | None, on: date) -> Standard | None:
        """The standard in force on the last day of the year before `on` (art. 8: 上一年度), if known."""
        year_end = date(on.year - 1, 12, 31)
        known = [
            standard for standard in self.by_district.get(district or "", ()) if standard.effective_from <= year_end
        ]
        return known[-1] if known else None


def load_standards(path: Path | None = None) -> SubsistenceStandards:
    """Read the standards file (TOML); the shipped one has the format and no figures. ValueError if malformed."""
    if path is None:
        text = resources.files("gateway.rules").joinpath("data/subsistence_standards.toml").read_text("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    by_district: dict[str, list[Standard]] = {}
    for number, entry in enumerate(tomllib.loads(text).get("standard", []), start=1):
        standard = _standard(number, entry)
        dated = by_district.setdefault(standard.district, [])
        if any(other.effective_from == standard.effective_from for other in dated):
            raise ValueError(f"standard {number}: {standard.district} has two standards from {standard.effective_from}")
        dated.append(standard)
    return SubsistenceStandards(
        {district: tuple(sorted(dated, key=lambda s: s.effective_from)) for district, dated in by_district.items()}
    )


def _standard(number: int, entry: dict[str, object]) -> Standard:
    district, amount, since, source = (
        entry.get(key) for key in ("district", "monthly_per_person", "effective_from", "source")
    )
    if not isinstance(district, str) or not (len(district) == 6 and district.isdigit()):
        raise ValueError(f"standard {number}: district must be a 6-digit GB/T 2260 code")
    try:
        monthly = Decimal(str(amount))
    except InvalidOperation:
        monthly = Decimal(0)
    if not isinstance(amount, str) or not monthly.is_finite() or monthly <= 0:
        raise ValueError(f"standard {number}: monthly_per_person must be a positive amount in yuan, as text")
    if type(since) is not date:  # a TOML date-time is a datetime, and a datetime is a date: refused
        raise ValueError(f"standard {number}: effective_from must be a date (YYYY-MM-DD)")
    if not isinstance(source, str) or not source.strip():
        raise ValueError(f"standard {number}: source must name the document that set the standard")
    return Standard(district, monthly, since, source.strip())


def hardship_flags(
    application: Application | None, centre_seat: str | None, standards: SubsistenceStandards
) -> tuple[str, ...]:
    """What the pre-check tells the decider about an application for financial hardship; nothing for others."""
    if application is None or application.basis is not ApplicationBasis.ECONOMIC_HARDSHIP:
        return ()
    if application.exemption is not None:
        return (HARDSHIP_EXEMPT,)
    pledge = () if application.pledge_signed else (PLEDGE_MISSING,)
    standard = standards.previous_year(centre_seat, application.applied_at.astimezone(CHINA_TZ).date())
    per_head = _per_head(application.declared_monthly_income, application.household_size)
    if standard is None or per_head is None:
        return (HARDSHIP_UNCLEAR, *pledge)
    within = per_head <= MULTIPLE * standard.monthly_per_person
    return (HARDSHIP_MET if within else HARDSHIP_NOT_MET, *pledge)


def _per_head(income: str | None, household: int | None) -> Decimal | None:
    """The declared monthly household income per member; None when it cannot be known."""
    if not income or not household or household < 1:
        return None
    try:
        amount = Decimal(income)
    except InvalidOperation:
        return None
    return amount / household if amount.is_finite() and amount >= 0 else None
