"""The agency types, found by discovery: every folder under adapters/ is one, declared in its agency.py.

Nothing here lists the folders. The composition root, the app factory (through adapters.rest and
adapters.soap), the contract writers, the console and the demo ask this module. A folder that cannot be read
as an agency type stops the gateway at start with the folder named; tests/unit/test_agency_folders.py checks
that each folder is complete and agrees with the law.
"""

import importlib
import pkgutil
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

import adapters
from adapters.callback import reply_contract
from gateway.contracts.agency import AgencyDeclaration
from gateway.contracts.xsd import OperationContract
from gateway.domain.enums import AgencyType, Kind
from gateway.rules.authorization import Permission

DECLARATION = "AGENCY"  # the name agency.py binds its AgencyDeclaration to


class IncompleteAgencyFolder(RuntimeError):
    """A folder under adapters/ that does not declare an agency type as it must."""


def folder_names() -> list[str]:
    """The packages under adapters/, in name order: each is meant to be an agency type."""
    return sorted(module.name for module in pkgutil.iter_modules(adapters.__path__) if module.ispkg)


@cache
def declarations() -> tuple[AgencyDeclaration, ...]:
    """Every agency type's declaration, in folder-name order."""
    return tuple(load(name) for name in folder_names())


def load(folder: str) -> AgencyDeclaration:
    """The declaration in adapters/<folder>/agency.py, or IncompleteAgencyFolder saying what is wrong."""
    try:
        module = importlib.import_module(f"adapters.{folder}.agency")
    except ModuleNotFoundError as exc:
        if exc.name != f"adapters.{folder}.agency":
            raise
        raise IncompleteAgencyFolder(f"adapters/{folder}/ has no agency.py declaring its agency type") from exc
    except ValueError as exc:  # e.g. a type code AgencyType refuses
        raise IncompleteAgencyFolder(f"adapters/{folder}/agency.py: {exc}") from exc
    declared = getattr(module, DECLARATION, None)
    if not isinstance(declared, AgencyDeclaration):
        raise IncompleteAgencyFolder(f"adapters/{folder}/agency.py binds no AgencyDeclaration to {DECLARATION}")
    if declared.type.value != folder:
        raise IncompleteAgencyFolder(f"adapters/{folder}/ declares the type {declared.type.value!r}; name them alike")
    return declared


def declaration(agency_type: AgencyType) -> AgencyDeclaration | None:
    """The declaration of one type; None for the centre and for a type no folder declares."""
    return next((found for found in declarations() if found.type is agency_type), None)


@cache
def permissions() -> Mapping[AgencyType, Mapping[Kind, Permission]]:
    """The authorization matrix: each declared type's permissions; the centre sends nothing (LAL 36, 39)."""
    matrix = {found.type: MappingProxyType(dict(found.permissions)) for found in declarations()}
    return MappingProxyType({**matrix, AgencyType.LEGAL_AID_CENTRE: MappingProxyType({})})


def kinds_for(agency_type: AgencyType) -> frozenset[Kind]:
    """Every kind an agency of this type may send at some stage (the registry's default for a new agency)."""
    return frozenset(permissions().get(agency_type, {}))


def agency_types() -> tuple[AgencyType, ...]:
    """Every type an agency may be registered as: the declared ones and the centre."""
    return (*(found.type for found in declarations()), AgencyType.LEGAL_AID_CENTRE)


def type_names() -> dict[str, str]:
    """Each type's Chinese name, for the console: the declared ones and the centre."""
    return {
        **{found.type.value: found.name for found in declarations()},
        AgencyType.LEGAL_AID_CENTRE.value: "法律援助中心",
    }


@cache
def callback_contracts() -> Mapping[AgencyType, OperationContract]:
    """For each type, the operation the gateway calls on its callback service."""
    return MappingProxyType({found.type: reply_contract(found) for found in declarations()})
