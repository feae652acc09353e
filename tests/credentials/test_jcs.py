"""RFC 8785 JSON Canonicalization: the RFC's own examples, properties, and what it must refuse."""

from __future__ import annotations

import json
import math
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microcred.credentials import jcs
from microcred.credentials.jcs import JcsError, canonicalize, serialize_number

# RFC 8785 Appendix B: IEEE 754 bit patterns and their ECMAScript serialisation.
RFC_8785_NUMBERS = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "expected"), RFC_8785_NUMBERS)
def test_numbers_serialise_as_ecmascript_does(bits: str, expected: str) -> None:
    (number,) = struct.unpack(">d", bytes.fromhex(bits))
    assert serialize_number(number) == expected


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1e-7, "1e-7"),
        (5.0, "5"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (-0.0, "0"),
        (0.5, "0.5"),
        (2e-3, "0.002"),
        (1e30, "1e+30"),
        (4.5, "4.5"),
        (123, "123"),
        (-7, "-7"),
    ],
)
def test_numbers_noted_in_the_standards_notes(number: float, expected: str) -> None:
    assert serialize_number(number) == expected


def test_rfc_8785_section_3_2_4_example() -> None:
    value = json.loads(
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
        '"literals": [null, true, false]}'
    )
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonicalize(value) == expected.encode("utf-8")


def test_keys_sort_by_utf16_code_units() -> None:
    value = {"€": 1, "\r": 2, "דּ": 3, "1": 4, "😀": 5, "\u0080": 6, "ö": 7}
    keys = list(json.loads(canonicalize(value)))
    assert keys == ["\r", "1", "\u0080", "ö", "€", "😀", "דּ"]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, {"a": [math.nan]}, "\ud800", {1: "x"}, b"x", 2**53 + 1])
def test_values_without_a_jcs_form_are_refused(bad: object) -> None:
    with pytest.raises(JcsError):
        canonicalize(bad)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_canonical_form_parses_back_to_the_same_value(value: object) -> None:
    assert json.loads(canonicalize(value), parse_int=float) == value


@given(json_values)
def test_canonicalisation_is_idempotent(value: object) -> None:
    once = canonicalize(value)
    assert canonicalize(json.loads(once)) == once


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_number_serialisation_round_trips(number: float) -> None:
    assert float(serialize_number(number)) == number


def _exact_writer(value: object) -> bytes:
    parts: list[str] = []
    jcs._write(value, parts)
    return "".join(parts).encode("utf-8")


# Keys and strings that separate code-point order from UTF-16 order, need escapes or look like numbers.
awkward_text = st.text(
    st.sampled_from(
        ["a", "1", "-", ".", "e", '"', "\\", "\n", "\x00", "\x1f", "\x7f", "é", "\ue000", "\uffff", "😀", "𝄞"]
    )
    | st.characters(blacklist_categories=("Cs",)),
    max_size=6,
)
awkward_json = st.recursive(
    st.none()
    | st.booleans()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([5.5, 1e-7, 5.0, 1e21, 2**53, 2**53 + 2, -(2**60), 10**15, 123456789012345678])
    | st.integers(min_value=-(2**53), max_value=2**53)
    | awkward_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(awkward_text, children, max_size=5),
    max_leaves=25,
)


@settings(max_examples=500)
@given(awkward_json)
def test_c_encoder_route_equals_the_exact_writer(value: object) -> None:
    try:
        expected = _exact_writer(value)
    except JcsError:
        with pytest.raises(JcsError):
            canonicalize(value)
        return
    assert canonicalize(value) == expected


@pytest.mark.parametrize(
    "value",
    [{1: "x"}, {True: 1}, {None: 1}, {1.5: 2}, {"a": [1, 2.5]}, {"a": {"b": 10**17}}, {"\ue000": 1, "😀": 2}],
)
def test_values_the_c_encoder_would_alter_take_the_exact_writer(value: dict[object, object]) -> None:
    try:
        expected = _exact_writer(value)
    except JcsError:
        with pytest.raises(JcsError):
            canonicalize(value)
        return
    assert canonicalize(value) == expected


def test_a_cyclic_value_is_refused_as_before() -> None:
    cycle: list[object] = []
    cycle.append(cycle)
    with pytest.raises(RecursionError):
        canonicalize({"a": cycle})
