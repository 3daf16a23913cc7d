"""Every folder under adapters/ is a complete agency type: what it declares is whole, agrees with itself, and its
samples go through its own schemas and mapping. (Its permissions are walked against the law in
test_authorization.py, its WSDL and SOAP samples against what its schemas generate in test_soap_contracts.py.)"""

import json
import re
from pathlib import Path

import pytest

import adapters
from adapters import registry
from adapters.examples import sample_path
from gateway.contracts.agency import AgencyDeclaration
from gateway.contracts.glossary import explain
from gateway.domain.enums import AgencyType, Kind
from gateway.domain.model import Agency
from gateway.rules.routing import load_routing_table
from gateway.web.soap.envelope import VERSIONS
from gateway.web.soap.samples import sample_file_name

DECLARED = registry.declarations()
IDS = [declared.type.value for declared in DECLARED]
# A permission cites the articles it rests on: the Legal Aid Law, the Criminal Procedure Law (shared/law/).
CITATION = re.compile(r"^(LAL|CPL) \d+")
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_folder_under_adapters_is_an_agency_type() -> None:
    assert registry.folder_names() == IDS
    assert {"court", "procuratorate", "police"} <= set(IDS)


@pytest.mark.parametrize("declared", DECLARED, ids=IDS)
def test_each_permitted_kind_has_one_operation_and_each_operation_is_permitted(declared: AgencyDeclaration) -> None:
    kinds = [operation.kind for operation in declared.operations]
    assert sorted(kinds) == sorted(declared.permissions), "one operation per permitted kind, no other"
    assert len({operation.resource for operation in declared.operations}) == len(kinds)
    assert len({operation.soap_name for operation in declared.operations}) == len(kinds)


@pytest.mark.parametrize("declared", DECLARED, ids=IDS)
def test_each_permission_names_its_stages_and_cites_the_law(declared: AgencyDeclaration) -> None:
    for kind, permission in declared.permissions.items():
        assert permission.stages, f"{kind}: no stage"
        assert all(CITATION.match(part.strip()) for part in permission.basis.split(";")), permission.basis


@pytest.mark.parametrize("declared", DECLARED, ids=IDS)
def test_the_folder_names_itself_in_chinese_for_the_console(declared: AgencyDeclaration) -> None:
    assert CJK.search(declared.name) and not re.search(r"[A-Za-z]", declared.name)
    assert CJK.search(declared.description) and declared.service_title.startswith("Legal Aid Gateway: ")
    assert declared.reference_name and declared.callback_runner


@pytest.mark.parametrize("declared", DECLARED, ids=IDS)
def test_each_json_sample_goes_through_its_schema_and_mapping_to_its_kind(declared: AgencyDeclaration) -> None:
    for operation in declared.operations:
        document = json.loads(sample_path(f"{declared.type}/{operation.sample}").read_text(encoding="utf-8"))
        submission = operation.to_submission(operation.schema().load(document))
        assert submission.kind is operation.kind
        assert submission.case.stage in declared.permissions[operation.kind].stages, operation.sample


@pytest.mark.parametrize("declared", DECLARED, ids=IDS)
def test_each_operation_has_its_soap_samples_and_the_folder_its_contracts(declared: AgencyDeclaration) -> None:
    folder = Path(adapters.__file__).parent / declared.type.value
    for name in (declared.type.value, f"{declared.type}-callback"):
        assert (folder / "wsdl" / f"{name}.wsdl").is_file() and (folder / "wsdl" / f"{name}.xsd").is_file()
    for contract in next(s for s in _services() if s.name == declared.type.value).contracts:
        if contract.example is not None:
            for version in VERSIONS:
                assert sample_path(f"{declared.type}/{sample_file_name(contract, version)}").is_file()


@pytest.mark.parametrize("declared", DECLARED, ids=IDS)
def test_the_demo_agency_of_each_type_routes_to_a_centre(declared: AgencyDeclaration) -> None:
    demo = declared.demo
    agency = Agency(demo.code, demo.name, declared.type, demo.level, demo.district, frozenset(declared.permissions))
    assert re.fullmatch(r"\d{6}", demo.district)
    assert load_routing_table().centre_for(agency).code.startswith("lac")


def test_demo_agency_codes_are_unique() -> None:
    codes = [declared.demo.code for declared in DECLARED]
    assert len(set(codes)) == len(codes)


def test_the_matrix_is_the_declarations_and_the_centre_sends_nothing() -> None:
    matrix = registry.permissions()
    assert matrix[AgencyType.LEGAL_AID_CENTRE] == {}
    assert {agency_type: dict(row) for agency_type, row in matrix.items() if row} == {
        declared.type: dict(declared.permissions) for declared in DECLARED
    }
    assert registry.kinds_for(AgencyType.COURT) == frozenset(Kind)
    assert registry.kinds_for(AgencyType("no_such_type")) == frozenset()


def test_a_folder_without_a_declaration_stops_the_gateway_naming_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "prison").mkdir()
    (tmp_path / "prison" / "__init__.py").write_text('"""A fourth type, copied but not declared."""\n')
    monkeypatch.setattr(adapters, "__path__", [*adapters.__path__, str(tmp_path)])

    assert "prison" in registry.folder_names()
    with pytest.raises(registry.IncompleteAgencyFolder, match=r"adapters/prison/ has no agency.py"):
        registry.load("prison")


def test_a_declaration_under_another_folders_name_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "coast_guard").mkdir()
    (tmp_path / "coast_guard" / "__init__.py").write_text("")
    (tmp_path / "coast_guard" / "agency.py").write_text("from adapters.police.agency import AGENCY\n")
    monkeypatch.setattr(adapters, "__path__", [*adapters.__path__, str(tmp_path)])

    with pytest.raises(registry.IncompleteAgencyFolder, match=r"declares the type 'police'; name them alike"):
        registry.load("coast_guard")


def test_a_type_code_the_gateway_refuses_names_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "army2").mkdir()
    (tmp_path / "army2" / "__init__.py").write_text("")
    (tmp_path / "army2" / "agency.py").write_text(
        "from gateway.domain.enums import AgencyType\n\nAGENCY = AgencyType('army2')\n"
    )
    monkeypatch.setattr(adapters, "__path__", [*adapters.__path__, str(tmp_path)])

    with pytest.raises(registry.IncompleteAgencyFolder, match=r"adapters/army2/agency.py: 'army2' is not an agency"):
        registry.load("army2")


def _services() -> tuple:  # type: ignore[type-arg]
    from adapters.soap import soap_services

    return soap_services()


def test_a_field_the_glossary_does_not_know_describes_itself_in_chinese_and_english() -> None:
    described = explain("PrisonTransferSchema", "warden", "监狱长 · the prison's governor, who signs the transfer")

    assert described == "监狱长 · the prison's governor, who signs the transfer"
    with pytest.raises(KeyError, match="describe the field as '中文 · English'"):
        explain("PrisonTransferSchema", "warden", "the prison's governor")
    with pytest.raises(KeyError):
        explain("PrisonTransferSchema", "warden", None)
