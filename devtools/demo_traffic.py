"""The demo's traffic: the agencies' samples over REST and SOAP, and a resend across transports."""

import json
from collections.abc import Mapping

import click
import requests
from lxml import etree

from adapters.examples import sample_path
from adapters.registry import declarations
from gateway.domain.enums import AgencyType
from gateway.web.soap.samples import SAMPLE_PASSWORD, SAMPLE_USERNAME

# The procuratorate sends its samples over SOAP in the demo, in SOAP 1.1 and 1.2 by turns; the others over REST:
# (agency code, service, sample file, media type).
SOAP_SENDS = tuple(
    (
        declared.demo.code,
        declared.type.value,
        f"{operation.soap_name}.soap{'12' if index % 2 else '11'}.xml",
        "application/soap+xml" if index % 2 else "text/xml",
    )
    for declared in declarations()
    if declared.type is AgencyType.PROCURATORATE
    for index, operation in enumerate(declared.operations)
)
SOAP_AGENCIES = {code for code, *_ in SOAP_SENDS}


def send_rest(base: str, key: str, agency_name: str, folder: str, resources: Mapping[str, str]) -> set[str]:
    """POST each JSON sample; the ids of the new requests."""
    created: set[str] = set()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    for file_name, path in resources.items():
        response = requests.post(
            base + path, data=sample_path(f"{folder}/{file_name}").read_bytes(), headers=headers, timeout=10
        )
        receipt = response.json()
        click.echo(
            f"REST POST {path} by {agency_name}: {response.status_code} "
            f"id={receipt.get('id')} centre={receipt.get('centre_code')}"
        )
        if response.status_code == 202:
            created |= {receipt["id"], *(companion["id"] for companion in receipt.get("companions", []))}
        else:
            click.echo(json.dumps(receipt, ensure_ascii=False, indent=2))
    return created


def send_soap(base: str, code: str, key: str, service: str, sample: str, media_type: str) -> tuple[list[str], bool]:
    """POST one sample envelope with the agency's UsernameToken; (gateway ids, created): the first person's id,
    then those of the other persons the document names."""
    body = sample_path(f"{service}/{sample}").read_bytes()
    body = body.replace(SAMPLE_USERNAME.encode(), code.encode()).replace(SAMPLE_PASSWORD.encode(), key.encode())
    response = requests.post(
        f"{base}/soap/{service}", data=body, headers={"Content-Type": f"{media_type}; charset=utf-8"}, timeout=10
    )
    answer = etree.fromstring(response.content)
    request_id = answer.findtext(".//{*}Id")
    companions = [element.text or "" for element in answer.findall(".//{*}Companion/{*}Id")]
    created = answer.findtext(".//{*}Created") == "true"
    fault = answer.findtext(".//{*}GatewayFault/{*}Message")
    click.echo(
        f"SOAP {sample} to /soap/{service} by {code}: HTTP {response.status_code} id={request_id} "
        f"centre={answer.findtext('.//{*}CentreCode')}{' FAULT ' + fault if fault else ''}"
    )
    return ([request_id, *companions] if request_id else []), created
