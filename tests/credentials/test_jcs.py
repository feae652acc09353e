"""RFC 8785 JSON Canonicalization: the RFC's own examples, properties, and what it must refuse."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import json
import math
import struct
import uuid

import pytest
from hypothesis import example, given, settings
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
    _assert_same_as_the_exact_writer(value)


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


# The orjson route (jcs._orjson_encoded) serves float-free values: held to the exact writer on its own.
every_escape = st.text(st.sampled_from([chr(code) for code in range(0x21)] + ["\x7f", "\u2028", "\u2029", '"', "\\"]))
float_free_json = st.recursive(
    st.none()
    | st.booleans()
    | st.sampled_from([2**53 - 1, 2**53, -(2**53), -(2**53) + 1, 0, -0, 10**15])
    | st.integers(min_value=-(2**53), max_value=2**53)
    | awkward_text
    | every_escape,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(awkward_text | every_escape, children, max_size=5)
    ),
    max_leaves=25,
)


@settings(max_examples=500)
@given(float_free_json)
def test_orjson_route_equals_the_exact_writer(value: object) -> None:
    assert canonicalize(value) == _exact_writer(value)


safe_integers = st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)  # orjson refuses ±2**53 itself
routed_json = st.recursive(
    st.none() | st.booleans() | safe_integers | awkward_text | every_escape,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(awkward_text, children, max_size=5),
    max_leaves=25,
)


@given(st.lists(routed_json, min_size=1, max_size=3))
def test_orjson_route_takes_plain_float_free_values_without_astral_characters(value: list[object]) -> None:
    has_astral = any(ord(character) > 0xFFFF for character in _exact_writer(value).decode("utf-8"))
    assert (jcs._orjson_encoded(value) is None) == has_astral


def test_the_safe_integer_bounds_leave_the_orjson_route_and_still_come_out_exact() -> None:
    for number in (2**53, -(2**53)):
        assert jcs._orjson_encoded([number]) is None
        assert canonicalize([number]) == f"[{number}]".encode()


@pytest.mark.parametrize("bits", [bits for bits, _ in RFC_8785_NUMBERS])
def test_rfc_8785_numbers_inside_a_document_take_a_route_that_writes_them_as_ecmascript(bits: str) -> None:
    (number,) = struct.unpack(">d", bytes.fromhex(bits))
    expected = dict(RFC_8785_NUMBERS)[bits]
    assert canonicalize({"n": [number, 1]}) == f'{{"n":[{expected},1]}}'.encode()
    assert jcs._orjson_encoded({"n": [number]}) is None  # a float: orjson writes 1e+23 as 1e23


class _Colour(enum.Enum):
    RED = "red"


class _Level(enum.IntEnum):
    SIX = 6


class _Name(str):
    pass


@pytest.mark.parametrize(
    "value", [{"id": uuid.UUID(int=1)}, {"colour": _Colour.RED}, [datetime.date(2025, 1, 1)], {"when": {1, 2}}]
)
def test_values_orjson_would_write_but_jcs_has_no_form_for_are_still_refused(value: object) -> None:
    with pytest.raises(JcsError):
        canonicalize(value)


@pytest.mark.parametrize("value", [{"level": _Level.SIX}, {_Name("a"): _Name("b")}, {"pair": (1, "x")}])
def test_subclasses_and_tuples_take_the_exact_writer_as_before(value: object) -> None:
    assert jcs._orjson_encoded(value) is None  # type: ignore[arg-type]
    assert canonicalize(value) == _exact_writer(value)


# Hostile values: what orjson writes without complaint (NaN as null, UUIDs and enums as strings, subclasses
# and tuples as their base type) mixed into otherwise plain data. Every route must give the exact writer's
# bytes, or refuse with JcsError where it refuses.
class _Shade(enum.StrEnum):
    DARK = "dark"


class _Count(int):
    pass


class _Record(dict[str, object]):
    pass


class _Items(list[object]):
    pass


@dataclasses.dataclass(frozen=True)
class _Point:
    x: int


hostile_leaves = st.sampled_from(
    [
        math.nan,
        -math.inf,
        1.0,
        -0.0,
        1e21,
        2**53 + 1,
        2**64,
        uuid.UUID(int=7),
        _Colour.RED,
        _Shade.DARK,
        _Level.SIX,
        _Name('na"me\\'),
        _Count(3),
        (1, "x"),
        (),
        decimal.Decimal("1.5"),
        datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
        _Point(1),
        b"x",
        frozenset(),
    ]
)


def _hostile_json(keys: st.SearchStrategy[str]) -> st.SearchStrategy[object]:
    return st.recursive(
        st.none() | st.booleans() | safe_integers | awkward_text | every_escape | hostile_leaves,
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(keys, children, max_size=5)
            | st.builds(_Record, st.dictionaries(awkward_text, children, max_size=3))
            | st.builds(_Items, st.lists(children, max_size=3))
            | st.builds(tuple, st.lists(children, max_size=3))
        ),
        max_leaves=25,
    )


hostile_json = _hostile_json(awkward_text | st.builds(_Name, awkward_text))
hostile_json_with_str_keys = _hostile_json(awkward_text)


def _assert_same_as_the_exact_writer(value: object) -> None:
    try:
        expected = _exact_writer(value)
    except JcsError:
        with pytest.raises(JcsError):
            canonicalize(value)
        return
    assert canonicalize(value) == expected


@settings(max_examples=500)
@given(st.lists(hostile_json, min_size=1, max_size=3) | st.dictionaries(awkward_text, hostile_json, max_size=3))
def test_hostile_values_give_the_exact_writers_bytes_or_its_refusal(value: object) -> None:
    _assert_same_as_the_exact_writer(value)


def _nested(leaf: object, depth: int) -> dict[str, object]:
    value: object = leaf
    for level in range(depth):
        value = {"k": value} if level % 2 else [1, "x", value, None]
    return {"deep": value}


@pytest.mark.parametrize("depth", [1, 30, 120])
@pytest.mark.parametrize(
    "leaf",
    [math.nan, math.inf, uuid.UUID(int=1), _Colour.RED, _Shade.DARK, _Level.SIX, _Name("n"), _Count(1), 0.5, 1.0],
    ids=repr,
)
def test_a_hostile_leaf_deep_inside_a_document_is_still_seen(leaf: object, depth: int) -> None:
    value = _nested(leaf, depth)
    assert jcs._orjson_encoded(value) is None
    _assert_same_as_the_exact_writer(value)


@pytest.mark.parametrize(
    "value",
    [
        {_Name("b"): 1, "a": 2},
        {"a": _Record(b=1)},
        {"a": _Items([1])},
        {"a": (1, [2, {"c": "d"}])},
        {"😀": 1, "\ue000": 2, "a": {"𝄞": [3], "\uffff": 4}},
        {'say "hi"\\': 'a "quoted" \\ back\\slash', "\u2028": "\x00\x1f\x7f"},
    ],
    ids=["str-subclass-key", "dict-subclass", "list-subclass", "tuple", "astral-keys", "escapes"],
)
def test_subclasses_tuples_astral_keys_and_escapes_come_out_as_the_exact_writer_writes_them(
    value: dict[object, object],
) -> None:
    _assert_same_as_the_exact_writer(value)


def test_this_interpreter_shows_every_leaf_to_the_level_walk() -> None:
    # If a CPython stops visiting leaves in dict or list traversal, canonicalize falls back to the Python
    # walk and stays exact, only slower: this says so rather than letting the fast route vanish unnoticed.
    assert jcs._referents_show_every_leaf()


@settings(max_examples=300)
@given(hostile_json_with_str_keys)
def test_the_level_walk_and_the_python_walk_agree(value: object) -> None:
    # (the level walk also refuses keys that are not exactly str, which orjson refuses before it anyway)
    if type(value) is dict or type(value) is list:
        assert jcs._float_free_plain(value) == jcs._float_free_plain_walked(value)  # type: ignore[arg-type]


@settings(max_examples=200)
@given(st.lists(hostile_json, min_size=1, max_size=3))
def test_without_the_level_walk_the_output_is_the_same(value: list[object]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jcs, "_REFERENTS_SHOW_EVERY_LEAF", False)
        _assert_same_as_the_exact_writer(value)


@settings(max_examples=300)
@given(hostile_json)
@example([2**53 + 1])
def test_a_plain_json_key_is_given_only_to_plain_values_and_identifies_them(value: object) -> None:
    key = jcs.plain_json_key(value)
    if key is None:
        return
    assert jcs._float_free_plain_walked(value)  # type: ignore[arg-type]
    assert json.loads(key) == value
    try:
        expected = canonicalize(value)
    except JcsError:  # an integer beyond 2**53 that no double holds: refused from the key's value as well
        with pytest.raises(JcsError):
            canonicalize(json.loads(key))
        return
    assert canonicalize(json.loads(key)) == expected


@pytest.mark.parametrize(
    "value",
    [
        {"id": uuid.UUID(int=1)},
        {"n": math.nan},
        {"n": 1.0},
        {"c": _Shade.DARK},
        {"l": _Level.SIX},
        {"s": _Name("x")},
        {"t": ("a",)},
        [_Record(a=1)],
        {1: "x"},
    ],
    ids=repr,
)
def test_look_alike_values_get_no_plain_json_key(value: object) -> None:
    assert jcs.plain_json_key(value) is None
