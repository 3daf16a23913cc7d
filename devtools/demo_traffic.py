"""The demo's traffic: the agencies' samples over REST and SOAP, and a resend across transports."""

import json
from collections.abc import Mapping
from pathlib import Path

import click
import requests
from lxml import etree

from gateway.web.soap.samples import SAMPLE_PASSWORD, SAMPLE_USERNAME

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# Which agency sends which samples over SOAP in the demo (the others go over REST):
# (agency code, service, sample file, media type).
SOAP_SENDS = (
    ("proc-370200", "procuratorate", "NotifyDefense.soap11.xml", "text/xml"),
    ("proc-370200", "procuratorate", "RequestDutyLawyer.soap12.xml", "application/soap+xml"),
    ("proc-370200", "procuratorate", "TransferApplication.soap11.xml", "text/xml"),
)
SOAP_AGENCIES = {code for code, *_ in SOAP_SENDS}


def send_rest(base: str, key: str, agency_name: str, folder: str, resources: Mapping[str, str]) -> set[str]:
    """POST each JSON sample; the ids of the new requests."""
    created: set[str] = set()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    for file_name, path in resources.items():
        response = requests.post(
            base + path, data=(EXAMPLES / folder / file_name).read_bytes(), headers=headers, timeout=10
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
    body = (EXAMPLES / service / sample).read_bytes()
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
