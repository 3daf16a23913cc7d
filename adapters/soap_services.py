"""The agencies' SOAP services, for the app factory and the WSDL writer."""

from gateway.contracts.xsd import OperationContract
from gateway.domain.enums import AgencyType
from gateway.web.soap.service import SoapService


def soap_services() -> list[SoapService]:
    """The court's, the procuratorate's and the police's services."""
    from adapters.court.soap import service as court
    from adapters.police.soap import service as police
    from adapters.procuratorate.soap import service as procuratorate

    return [court, procuratorate, police]


def callback_services() -> list[SoapService]:
    """The callback services the agencies run to hear back, as the gateway calls them."""
    from adapters.court.notify import callback_service as court
    from adapters.police.notify import callback_service as police
    from adapters.procuratorate.notify import callback_service as procuratorate

    return [court, procuratorate, police]


def callback_contracts() -> dict[AgencyType, OperationContract]:
    """For each agency type, the operation the gateway calls on its callback service."""
    from adapters.court.notify import RECEIVE_REPLY as court
    from adapters.police.notify import RECEIVE_REPLY as police
    from adapters.procuratorate.notify import RECEIVE_REPLY as procuratorate

    return {AgencyType.COURT: court, AgencyType.PROCURATORATE: procuratorate, AgencyType.POLICE: police}
