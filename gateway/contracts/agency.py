"""What an agency folder declares (adapters/<type>/agency.py): the one description the core reads of a type of organ.

From one declaration come its REST resources and SOAP operations (one list of operations), its WSDL and callback
contract, its rows of the authorization matrix, its console label and its agency in the demo. The registry in
adapters/ finds the declarations; nothing in the core lists agency types.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema

from gateway.domain.enums import AgencyType, Kind, Level
from gateway.domain.model import Submission
from gateway.rules.authorization import Permission

ToSubmission = Callable[[dict[str, Any]], Submission]


@dataclass(frozen=True)
class Operation:
    """One message the agency sends: its REST resource and its SOAP operation, one schema and one mapping."""

    kind: Kind
    resource: str  # the REST path under /api/v1/<type>/, e.g. "defense-notices"
    soap_name: str  # the SOAP operation, e.g. "NotifyDefense"
    schema: type[Schema]  # the agency's dialect, for both transports
    to_submission: ToSubmission  # the pure mapping to the canonical model
    summary: str  # one sentence for both contracts, citing the law
    noun: str = "notice"  # how the 200 for a resend names it: "a resend of a stored <noun>"

    @property
    def sample(self) -> str:
        """The JSON sample's file name in the folder's examples/ (the SOAP samples are written from it)."""
        return f"{self.resource}.json"


@dataclass(frozen=True)
class DemoAgency:
    """The agency of this type that `make demo` registers: its code, name and district (GB/T 2260)."""

    code: str
    name: str
    district: str

    @property
    def level(self) -> Level:
        """A city's code ends in 00 (GB/T 2260); a district's does not."""
        return Level.CITY if self.district.endswith("00") else Level.DISTRICT


@dataclass(frozen=True)
class AgencyDeclaration:
    """A type of organ that sends legal-aid work, as its folder declares it."""

    type: AgencyType  # also the folder's name and the path segment /api/v1/<type>/
    name: str  # the Chinese name clerks read, e.g. 公安机关
    description: str  # the REST tag's one line, e.g. "Courts (人民法院)"
    service_title: str  # the SOAP service's title in its WSDL
    permissions: Mapping[Kind, Permission]  # the kinds it may send, at which stages, on which articles of law
    operations: tuple[Operation, ...]
    field_names: Mapping[str, str]  # canonical field path -> the dialect's, so refusals name its own fields
    reference_name: str  # what its callback calls its document number, e.g. notice_number
    callback_runner: str  # who runs the callback service, for its WSDL title: "a court"
    demo: DemoAgency
    schema_version: int = field(default=1)  # the namespace's version: urn:legal-aid-gateway:<type>:<n>

    @property
    def namespace(self) -> str:
        """The SOAP service's target namespace."""
        return f"urn:legal-aid-gateway:{self.type}:{self.schema_version}"

    @property
    def callback_namespace(self) -> str:
        """The callback service's target namespace."""
        return f"urn:legal-aid-gateway:{self.type}:callback:{self.schema_version}"

    def operation(self, kind: Kind) -> Operation | None:
        """The operation that sends `kind`, if this type has one."""
        return next((operation for operation in self.operations if operation.kind is kind), None)
