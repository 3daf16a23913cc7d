"""An agency's WSDL 1.1, document/literal wrapped, with a SOAP 1.1 and a SOAP 1.2 port."""

from collections.abc import Sequence

from lxml import etree

from gateway.contracts.xsd import OperationContract

WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP11_BINDING = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP12_BINDING = "http://schemas.xmlsoap.org/wsdl/soap12/"
XS = "http://www.w3.org/2001/XMLSchema"
HTTP_TRANSPORT = "http://schemas.xmlsoap.org/soap/http"
FAULT = "GatewayFault"
PLACEHOLDER_ADDRESS = "http://localhost/soap/"
# The security requirement, for generated clients: WS-Policy 1.5 and WS-SecurityPolicy 1.2, a UsernameToken
# (WSS UsernameToken Profile 1.0) in every request. Attached to each operation's input, not to the binding,
# so that no client expects a token in the gateway's answers.
WSP = "http://www.w3.org/ns/ws-policy"
SP = "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
POLICY_ID = "UsernameTokenPolicy"


def wsdl_document(name: str, namespace: str, title: str, operations: Sequence[OperationContract], xsd: bytes) -> bytes:
    """The WSDL with the XSD inline (clients that forbid external fetches need nothing else); addresses
    are set when it is served."""
    service = "".join(part.capitalize() for part in name.split("-"))
    nsmap = {"wsdl": WSDL, "soap": SOAP11_BINDING, "soap12": SOAP12_BINDING, "xs": XS, "tns": namespace}
    nsmap |= {"wsp": WSP, "sp": SP, "wsu": WSU}
    root = etree.Element(f"{{{WSDL}}}definitions", nsmap=nsmap, name=f"{service}Service", targetNamespace=namespace)
    etree.SubElement(root, f"{{{WSDL}}}documentation").text = title
    root.append(_username_token_policy())
    etree.SubElement(root, f"{{{WSDL}}}types").append(etree.fromstring(xsd))
    for message, element in _messages(operations):
        node = etree.SubElement(root, f"{{{WSDL}}}message", name=message)
        part = "detail" if message == FAULT else "parameters"
        etree.SubElement(node, f"{{{WSDL}}}part", name=part, element=f"tns:{element}")
    port_type = etree.SubElement(root, f"{{{WSDL}}}portType", name=f"{service}PortType")
    for op in operations:
        node = etree.SubElement(port_type, f"{{{WSDL}}}operation", name=op.name)
        etree.SubElement(node, f"{{{WSDL}}}documentation").text = op.documentation
        etree.SubElement(node, f"{{{WSDL}}}input", message=f"tns:{op.name}Request")
        etree.SubElement(node, f"{{{WSDL}}}output", message=f"tns:{op.name}Response")
        etree.SubElement(node, f"{{{WSDL}}}fault", name=FAULT, message=f"tns:{FAULT}")
    ports = [(f"{service}Soap11", SOAP11_BINDING), (f"{service}Soap12", SOAP12_BINDING)]
    for binding_name, binding_ns in ports:
        root.append(_binding(binding_name, binding_ns, f"tns:{service}PortType", namespace, operations))
    service_node = etree.SubElement(root, f"{{{WSDL}}}service", name=f"{service}Service")
    for binding_name, binding_ns in ports:
        port = etree.SubElement(service_node, f"{{{WSDL}}}port", name=binding_name, binding=f"tns:{binding_name}")
        etree.SubElement(port, f"{{{binding_ns}}}address", location=PLACEHOLDER_ADDRESS + name)
    return bytes(etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8"))


def _messages(operations: Sequence[OperationContract]) -> list[tuple[str, str]]:
    messages = [(FAULT, FAULT)]
    for op in operations:
        messages += [(f"{op.name}Request", op.name), (f"{op.name}Response", f"{op.name}Response")]
    return messages


def _binding(
    name: str, binding_ns: str, port_type: str, namespace: str, operations: Sequence[OperationContract]
) -> etree._Element:
    binding = etree.Element(f"{{{WSDL}}}binding", name=name, type=port_type)
    etree.SubElement(binding, f"{{{binding_ns}}}binding", style="document", transport=HTTP_TRANSPORT)
    for op in operations:
        node = etree.SubElement(binding, f"{{{WSDL}}}operation", name=op.name)
        # The action is advisory: the gateway dispatches on the Body element.
        etree.SubElement(node, f"{{{binding_ns}}}operation", soapAction=f"{namespace}#{op.name}", style="document")
        for direction in ("input", "output"):
            message = etree.SubElement(node, f"{{{WSDL}}}{direction}")
            if direction == "input":
                etree.SubElement(message, f"{{{WSP}}}PolicyReference", URI=f"#{POLICY_ID}")
            etree.SubElement(message, f"{{{binding_ns}}}body", use="literal")
        fault = etree.SubElement(node, f"{{{WSDL}}}fault", name=FAULT)
        etree.SubElement(fault, f"{{{binding_ns}}}fault", name=FAULT, use="literal")
    return binding


def _username_token_policy() -> etree._Element:
    """WS-SecurityPolicy 1.2: a UsernameToken (PasswordText over TLS, or PasswordDigest) in every request."""
    policy = etree.Element(f"{{{WSP}}}Policy", {f"{{{WSU}}}Id": POLICY_ID})
    tokens = etree.SubElement(etree.SubElement(policy, f"{{{SP}}}SupportingTokens"), f"{{{WSP}}}Policy")
    include = f"{SP}/IncludeToken/AlwaysToRecipient"
    token = etree.SubElement(tokens, f"{{{SP}}}UsernameToken", {f"{{{SP}}}IncludeToken": include})
    etree.SubElement(etree.SubElement(token, f"{{{WSP}}}Policy"), f"{{{SP}}}WssUsernameToken10")
    return policy
