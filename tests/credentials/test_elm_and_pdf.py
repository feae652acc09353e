"""The learner copies: the ELM v3 / EDC export (EBSI JSON Schema, EDC SHACL shapes) and the PDF certificate."""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from microcred.bootstrap import Register, build
from microcred.credentials.elm import ECTS_FRAMEWORK, validate_elm
from microcred.credentials.loader import MICROCRED_ELM_CONTEXT_URL, context_document
from microcred.errors import Invalid
from microcred.services import certificates
from microcred.settings import Settings
from tests.credentials.register_setup import Seeded, seed

SHAPES = Path(__file__).resolve().parents[1] / "vectors" / "elm-shacl"  # copies of the EDC shapes


@pytest.fixture
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    wired = build(Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('db') / 'e.db'}", environment="test"))
    wired.migrate()
    yield seed(wired)
    wired.close()


def _elm(seeded: Seeded) -> dict[str, Any]:
    wired: Register = seeded.register
    credential = seeded.issue("P-1")
    return certificates.elm_export(credential.uuid, uow=wired.uow, keys=wired.key_store, settings=wired.settings)


def test_the_elm_export_meets_the_ebsi_edc_schema_and_maps_the_eu_elements(seeded: Seeded) -> None:
    document = _elm(seeded)
    assert validate_elm(document) == []
    qualification = document["credentialSubject"]["hasClaim"][0]["specifiedBy"]
    assert qualification["type"] == "Qualification"
    assert qualification["eqfLevel"]["id"] == "http://data.europa.eu/snb/eqf/5"
    assert qualification["eqfLevel"]["inScheme"]["id"] == "http://data.europa.eu/snb/eqf/25831c2"
    assert qualification["eqfLevel"]["prefLabel"] == {"en": "Level 5", "nl": "Niveau 5"}
    assert qualification["thematicArea"][0]["id"] == "http://data.europa.eu/snb/isced-f/0114"
    assert qualification["creditPoint"][0]["point"] == "4"
    assert qualification["creditPoint"][0]["framework"]["id"] == ECTS_FRAMEWORK
    assert qualification["volumeOfLearning"] == "PT100H"
    assert qualification["learningOutcome"][0]["relatedESCOSkill"][0]["id"].startswith("http://data.europa.eu/esco/")
    assert document["issuer"]["eIDASIdentifier"]["notation"] == "0123.456.749"


def test_a_broken_elm_document_is_reported(seeded: Seeded) -> None:
    document = _elm(seeded)
    del document["issued"]
    assert any("'issued' is a required property" in str(problem) for problem in validate_elm(document))
    document = _elm(seeded)
    document["credentialSubject"]["hasClaim"][0]["specifiedBy"]["creditPoint"][0]["point"] = 4  # must be a string
    assert [problem.path for problem in validate_elm(document)] == ["$.credentialSubject"]


def _shacl_report(document: dict[str, Any]) -> tuple[bool, str]:
    """The EDC-generic-full shapes over the document, expanded offline with the shipped contexts."""
    import pyshacl
    import rdflib

    expanded = dict(document)
    expanded["@context"] = [context_document(url)["@context"] for url in document["@context"]]
    data = rdflib.Graph().parse(data=json.dumps(expanded), format="json-ld")
    shapes = rdflib.Graph()
    for name in ("EDC-generic-no-cv.ttl", "EDC-generic-full.ttl"):
        shapes.parse(SHAPES / name, format="turtle")
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    return bool(conforms), str(text)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's own ConjunctiveGraph notice
def test_the_elm_export_conforms_to_the_edc_shacl_profile(seeded: Seeded) -> None:
    document = _elm(seeded)
    assert MICROCRED_ELM_CONTEXT_URL in document["@context"]
    conforms, text = _shacl_report(document)
    assert conforms, text  # the seal (JAdES) is the EU issuer's step and not part of these shapes


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_without_our_elm_context_issued_is_dropped_and_the_shapes_say_so(seeded: Seeded) -> None:
    document = _elm(seeded)
    document["@context"] = [url for url in document["@context"] if url != MICROCRED_ELM_CONTEXT_URL]
    conforms, text = _shacl_report(document)
    assert not conforms
    assert sorted(set(re.findall(r"Result Path: (\S+)", text))) == ["cred:issued"]


def test_a_provider_without_an_enterprise_number_gets_no_elm_export(seeded: Seeded) -> None:
    wired: Register = seeded.register
    credential = seeded.issue("P-1")
    with wired.uow() as work:
        provider = work.providers.get("hoge")
        work.providers.save(replace(provider, kbo_number=None))
        work.commit()
    with pytest.raises(Invalid) as raised:
        certificates.elm_export(credential.uuid, uow=wired.uow, keys=wired.key_store, settings=wired.settings)
    assert raised.value.problems[0].field == "kbo_number"
    assert "hoge" in raised.value.problems[0].reason


def _pdf_text(pdf: bytes) -> str:
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL)
    texts = []
    for stream in streams:
        try:
            texts.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            texts.append(stream.decode("latin-1"))
    return "\n".join(texts)


@pytest.mark.parametrize(
    ("lang", "title"), [("nl", "Datageletterdheid voor leraren"), ("en", "Data literacy for teachers")]
)
def test_the_pdf_certificate_is_one_page_with_the_title_and_a_verify_link(
    seeded: Seeded, lang: str, title: str
) -> None:
    wired = seeded.register
    credential = seeded.issue("P-1")
    pdf = certificates.credential_pdf(
        credential.uuid, uow=wired.uow, keys=wired.key_store, settings=wired.settings, lang=lang
    )
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    text = _pdf_text(pdf)
    assert title in text
    assert "EQF" in text
    uuid = credential.uuid.removeprefix("urn:uuid:")
    shown = "".join(re.findall(r"\((.*?)\) Tj", text))  # the lines of text as drawn, joined
    assert f"verify?credential=http%3A%2F%2F127.0.0.1%3A8000%2Fcredentials%2F{uuid}" in shown
    assert b"/Subtype /Image" in pdf  # the QR code
