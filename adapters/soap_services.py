"""The agencies' SOAP services, for the app factory and the WSDL writer."""

from gateway.web.soap.service import SoapService


def soap_services() -> list[SoapService]:
    """The court's, the procuratorate's and the police's services."""
    from adapters.court.soap import service as court
    from adapters.police.soap import service as police
    from adapters.procuratorate.soap import service as procuratorate

    return [court, procuratorate, police]
