"""Drift: the desk's offering form shows the offering's field definition — names, labels, choices, limits."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from starlette.datastructures import FormData

from microcred.bootstrap import Register
from microcred.domain.fields import OFFERING, FieldKind
from microcred.services import auth, catalogue
from microcred.vocab import vocabulary
from microcred.web.offering_form import FORM_FIELDS, form_values, offering_from_form
from tests.web.conftest import csrf_of

PASSWORD = "correct horse battery"


class _Form(HTMLParser):
    """The form's labels and inputs (name -> attributes, and the options of a select or of radio buttons, whose
    fieldset's legend is their label)."""

    def __init__(self) -> None:
        super().__init__()
        self.labels: dict[str, str] = {}
        self.inputs: dict[str, dict[str, str | None]] = {}
        self.options: dict[str, list[str]] = {}
        self._label: str | None = None
        self._select: str | None = None
        self._fieldset: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "fieldset":
            self._fieldset = found["id"]
        elif tag == "legend" or (tag == "label" and "for" in found):
            self._label = found["for"] if tag == "label" else self._fieldset
            self.labels[str(self._label)] = ""
        elif tag == "input" and found.get("type") == "radio":
            self.inputs[str(found["name"])] = {**found, "tag": "radio"}
            self.options.setdefault(str(found["name"]), []).append(str(found["value"]))
        elif tag in ("input", "select", "textarea") and found.get("type") != "hidden":
            self.inputs[str(found["name"])] = {**found, "tag": tag}
            self._select = str(found["name"]) if tag == "select" else None
        elif tag == "option" and self._select:
            self.options.setdefault(self._select, []).append(str(found["value"]))

    def handle_data(self, data: str) -> None:
        if self._label:
            self.labels[self._label] += data

    def handle_endtag(self, tag: str) -> None:
        if tag in ("label", "legend"):
            self._label = None


@pytest.fixture
def form(demo: Register, client: TestClient) -> _Form:
    auth.add_staff("desk@ugent.be", provider="ugent", password=PASSWORD, uow=demo.uow, clock=demo.clock)
    token = csrf_of(client.get("/desk").text)
    client.post("/desk/login", data={"email": "desk@ugent.be", "password": PASSWORD, "csrf_token": token})
    client.cookies.set("lang", "en")
    html = client.get("/desk/offerings/new").text
    parsed = _Form()
    parsed.feed(html.split('<div class="form-grid">')[1].split('<p class="actions">')[0])
    return parsed


def test_the_forms_inputs_are_the_definitions_fields(form: _Form) -> None:
    expected: dict[str, tuple[str, int | None]] = {}  # input name -> (label, maxlength)
    for name in FORM_FIELDS:
        field = OFFERING.field(name)
        if field.kind is FieldKind.TRANSLATED:
            expected |= {f"{name}_{p.name}": (p.label.en, p.max_length) for p in field.parts}
        elif field.kind is FieldKind.RECORDS:
            [text] = [sub for sub in field.sub.fields if sub.kind is FieldKind.TRANSLATED]
            expected |= {f"{name}_{p.name}": (p.label.en, p.max_length) for p in text.parts}
        else:
            limited = field.kind in (FieldKind.TEXT, FieldKind.TEXTS)  # a select or a list of codes has no limit
            expected[name] = (field.label.en, field.max_length if limited else None)
    assert list(form.inputs) == list(expected)
    for name, (label, longest) in expected.items():
        assert form.labels[name].strip() == label, name
        shown = form.inputs[name].get("maxlength")
        assert (int(shown) if shown else None) == longest, name


def test_a_coded_field_offers_its_vocabulary(form: _Form) -> None:
    for name in FORM_FIELDS:
        field = OFFERING.field(name)
        if field.kind is FieldKind.CODE:
            blank = [""] if OFFERING.is_optional(name) else []
            assert form.options[name] == blank + list(vocabulary(str(field.vocab)).codes()), name


def test_a_stored_offering_fills_the_form_and_reads_back_the_same(demo: Register) -> None:
    offering = catalogue.get_offering("ugent", "MC-DISINFO", demo.uow)
    values = form_values(offering)
    read, problems = offering_from_form(FormData(list(values.items())), "ugent")
    assert problems == []
    for name in FORM_FIELDS:
        if name != "learning_outcomes":  # the form edits their texts; ESCO skills stay as stored
            assert getattr(read, name) == getattr(offering, name), name
    assert [o.text for o in read.learning_outcomes] == [o.text for o in offering.learning_outcomes]


def test_an_unreadable_value_is_a_problem_of_its_field() -> None:
    _, problems = offering_from_form(FormData([("code", "MC-X"), ("hours", "many"), ("kind", "nonsense")]), "ugent")
    assert sorted((p.field, p.value) for p in problems) == [("hours", "many"), ("kind", "nonsense")]
    assert re.fullmatch(r"[a-z_]+", problems[0].field)
