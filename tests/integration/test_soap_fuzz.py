"""Mutated sample envelopes against the live SOAP services: a Fault with a code the caller can act on, or a
receipt; never a fault of ours, and a refused envelope stores nothing."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from adapters.examples import sample_paths
from adapters.registry import declarations
from gateway.web.soap.envelope import SOAP11, SOAP12, SoapVersion
from tests.support.gateway import AGENCY_OF_SERVICE, LiveGateway
from tests.support.soap import fault_of, post_envelope, sample_envelope

pytestmark = [pytest.mark.integration, pytest.mark.slow]

AGENCIES = AGENCY_OF_SERVICE
CALLERS_FAULTS = {"Client", "Sender", "VersionMismatch", "MustUnderstand"}
FUZZ = settings(
    max_examples=300,
    deadline=5000,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass(frozen=True)
class Sample:
    """One example envelope of examples/<service>/<Operation>.soap11|12.xml."""

    service: str
    operation: str
    version: SoapVersion


SAMPLES = [
    Sample(path.parent.parent.name, path.name.split(".")[0], SOAP11 if ".soap11." in path.name else SOAP12)
    for path in sample_paths("*.soap1?.xml")
]
Mutation = Callable[[bytes], bytes]
XML_TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=40)
NAMES = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,12}", fullmatch=True)
NAMESPACES = st.sampled_from(
    ["", "urn:legal-aid-gateway:court:1", "urn:legal-aid-gateway:police:1", SOAP11.namespace, "urn:x"]
)


def _on_tree(change: Callable[[list[etree._Element]], None]) -> Mutation:
    def mutate(body: bytes) -> bytes:
        root = etree.fromstring(body)
        change(list(root.iter(etree.Element)))
        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))

    return mutate


@st.composite
def tree_mutations(draw: st.DrawFn) -> Mutation:
    """Rename an element, swap its text, or move it to another namespace."""
    index = draw(st.integers(0, 10**6))  # taken modulo the element count: spread over the whole envelope
    how = draw(st.sampled_from(["rename", "text", "namespace"]))
    name, text, namespace = draw(NAMES), draw(XML_TEXT), draw(NAMESPACES)

    def change(elements: list[etree._Element]) -> None:
        element = elements[index % len(elements)]
        qname = etree.QName(element)
        if how == "rename":
            element.tag = etree.QName(qname.namespace, name).text if qname.namespace else name
        elif how == "text":
            element.text = text
        else:
            element.tag = etree.QName(namespace, qname.localname).text if namespace else qname.localname

    return _on_tree(change)


@st.composite
def byte_mutations(draw: st.DrawFn) -> Mutation:
    """Truncate the body, or insert random bytes into it."""
    at = draw(st.floats(0, 1))
    if draw(st.booleans()):
        return lambda body: body[: int(len(body) * at)]
    noise = draw(st.binary(min_size=1, max_size=16))
    return lambda body: body[: int(len(body) * at)] + noise + body[int(len(body) * at) :]


# Byte mutations mostly stop at the parser; tree mutations reach the security header, dispatch, XSD and rules.
MUTATIONS = st.lists(
    st.one_of(tree_mutations(), tree_mutations(), tree_mutations(), byte_mutations()), min_size=1, max_size=3
)


def _mutated(body: bytes, mutations: list[Mutation]) -> bytes:
    for mutate in mutations:
        try:
            body = mutate(body)
        except etree.XMLSyntaxError:
            continue  # an earlier byte mutation broke the XML; the later tree mutation has nothing to work on
    return body


def test_every_sample_operation_is_fuzzed() -> None:
    # Every intake operation of every declared agency type, in SOAP 1.1 and 1.2.
    declared = {(found.type.value, operation.soap_name) for found in declarations() for operation in found.operations}
    assert {(s.service, s.operation) for s in SAMPLES} == declared
    assert {
        ("court", "NotifyDefense"),
        ("police", "TransferApplication"),
        ("state_security", "NotifyDefense"),
    } <= declared
    assert len(SAMPLES) == 2 * len(declared)


def test_a_mutated_envelope_is_answered_or_refused_by_a_callers_fault_and_a_refusal_stores_nothing(
    gateway: LiveGateway,
) -> None:
    created: list[str] = []
    outcomes: dict[str, int] = {}

    @FUZZ
    @given(sample=st.sampled_from(SAMPLES), mutations=MUTATIONS)
    def fuzz(sample: Sample, mutations: list[Mutation]) -> None:
        code = AGENCIES[sample.service]
        original = sample_envelope(sample.service, sample.operation, sample.version, code, gateway.keys[code])
        body = _mutated(original, mutations)
        before = gateway.row_counts()

        response = post_envelope(gateway.base, sample.service, body, sample.version)

        if response.status_code == 200:
            answer = etree.fromstring(response.content)
            outcomes["answered"] = outcomes.get("answered", 0) + 1
            if answer.findtext(".//{*}Created") == "true":
                # A document naming several persons stores a request for each: the receipt's and its companions'.
                ids = [answer.findtext(".//{*}Id") or ""]
                ids += [element.text or "" for element in answer.findall(".//{*}Companion/{*}Id")]
                created.extend(ids)
                assert gateway.row_counts()["requests"] == before["requests"] + len(ids)
                return
        else:
            found = fault_of(response)
            outcomes[found["code"] or "none"] = outcomes.get(found["code"] or "none", 0) + 1
            assert response.status_code == 500 and found["fault"] in CALLERS_FAULTS, found
            assert found["code"] and found["code"] != "internal-error", found
        assert gateway.row_counts() == before

    fuzz()

    assert gateway.row_counts()["requests"] == len(created) == len(set(created))
    assert len(outcomes) > 3, outcomes  # the mutations reach past the parser: several different refusals
