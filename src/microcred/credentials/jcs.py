"""RFC 8785 JSON Canonicalization Scheme (JCS), the canonical form behind ``eddsa-jcs-2022``.

``json.dumps(sort_keys=True)`` is not JCS: numbers must be written as ECMAScript writes them and keys
sorted by UTF-16 code units (RFC 8785 §3.2.2.3, §3.2.3).
"""

from __future__ import annotations

import gc
import json
import math
from collections.abc import Mapping, Sequence
from itertools import compress
from json.encoder import encode_basestring
from typing import Any

import orjson

__all__ = ["JcsError", "canonicalize", "plain_json_key", "serialize_number"]

_MAX_SAFE_INTEGER = 2**53
# The C JSON encoder writes strings, key order (code points), booleans, null and integers up to 2**53
# exactly as JCS does; it differs on many floats (Python repr), larger integers and non-string keys (it
# converts them), and code-point order differs from UTF-16 order only with astral characters. So it
# serves values made of plain dicts, lists and those leaves only, checked by _is_plain and on its output.
_C_ENCODE = json.JSONEncoder(ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":")).encode
_PLAIN_LEAVES = frozenset({str, bool, type(None)})
_STRINGS = frozenset({str})
_MAX_PLAIN_DEPTH = 200

# orjson writes strings, integers within ±(2**53 - 1) (OPT_STRICT_INTEGER refuses the rest), booleans, null
# and code-point key order exactly as JCS does, in about a sixteenth of the C encoder's time; it differs on
# floats (``1.0``, ``1e16``), it would write UUIDs, enums and dataclasses as JCS has no form for, and it
# orders astral keys by code point. So it serves float-free values of the exact plain types only
# (_float_free_plain), and its output only when it holds no astral character; the rest takes the routes
# below. Measured on the sample OB 3.0 credential (3.2 kB, load 5): 66 µs a canonicalisation before, 24 µs
# after; with the type check walked a level at a time, 45 µs down to 19 µs (load 0.8, another machine day).
# tests/credentials/test_jcs.py holds it to the exact writer with Hypothesis, hostile values included.
_ORJSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_STRICT_INTEGER
_JSON_LEAVES = frozenset({str, int, bool, type(None)})
_CONTAINERS = frozenset({dict, list})
_FLOAT_FREE = _JSON_LEAVES | _CONTAINERS
_NOT_ASTRAL_LEAD = bytes(byte for byte in range(256) if not 0xF0 <= byte <= 0xF4)
"""Every byte but the lead bytes of a 4-byte UTF-8 sequence (U+10000 and up): deleting them leaves those."""


class JcsError(ValueError):
    """The value has no JCS form (NaN, Infinity, lone surrogates, lossy integers, non-JSON types)."""


def canonicalize(value: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value made of dict/list/str/int/float/bool/None."""
    if type(value) is dict or type(value) is list:
        fast = _orjson_encoded(value)
        if fast is not None:
            return fast
    text = _c_encoded(value) if type(value) is dict or type(value) is list else None
    if text is None:
        parts: list[str] = []
        _write(value, parts)
        text = "".join(parts)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise JcsError("string contains a lone surrogate, which I-JSON (RFC 7493) forbids") from error


def plain_json_key(value: Any) -> bytes | None:
    """Bytes that identify ``value`` exactly when it is a dict or list of plain JSON (exactly dict, list, str,
    int, bool, None; no float, no look-alike type such as a UUID or an enum), else None: a memo key for work
    that depends only on the value's JCS form. Insertion order is kept, so an equal value may have another key."""
    if type(value) is not dict and type(value) is not list:
        return None
    try:
        encoded = orjson.dumps(value)  # first: it refuses cycles, so the walk after it ends
    except TypeError:
        return None
    return encoded if _float_free_plain(value) else None


def _orjson_encoded(value: dict[Any, Any] | list[Any]) -> bytes | None:
    """orjson's output when it is certainly the JCS bytes, else None.

    orjson runs first: it refuses non-string keys, integers beyond 2**53 - 1, lone surrogates and cycles
    (by depth), so the walk after it always ends."""
    try:
        encoded = orjson.dumps(value, option=_ORJSON_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return None
    if not _float_free_plain(value):
        return None
    if not encoded.isascii() and encoded.translate(None, _NOT_ASTRAL_LEAD):
        return None  # astral characters: keys might sort differently by UTF-16 code units
    return encoded


def _float_free_plain(value: dict[Any, Any] | list[Any]) -> bool:
    """Only dicts, lists, strings, integers, booleans and null, each of exactly that type.

    Walked a level at a time by ``gc.get_referents``, which hands back every value of all the level's dicts
    and every item of its lists in one C call (and a dict's keys too once any is not exactly ``str``): 10 µs
    on the sample credential against 37 µs for a Python walk per container (load 0.8). Only while the probe
    below shows that this interpreter's traversal reaches every leaf; else the Python walk."""
    if not _REFERENTS_SHOW_EVERY_LEAF:
        return _float_free_plain_walked(value)
    level = _get_referents(value)
    while level:
        if not _FLOAT_FREE.issuperset(map(type, level)):
            return False
        level = _get_referents(*level)
    return True


def _float_free_plain_walked(value: dict[Any, Any] | list[Any]) -> bool:
    pending = [value]
    while pending:
        node = pending.pop()
        items = node.values() if type(node) is dict else node
        kinds = set(map(type, items))
        if kinds <= _JSON_LEAVES:
            continue
        if not kinds <= _FLOAT_FREE:
            return False
        pending.extend(compress(items, map(_CONTAINERS.__contains__, map(type, items))))
    return True


def _referents_show_every_leaf() -> bool:
    """Whether ``gc.get_referents`` reaches every value of a dict and item of a list, leaves that cannot
    form a cycle (floats, strings) included, and the keys of a dict with a key that is not exactly ``str``.

    CPython's dict and list traversals do (3.11 to 3.13); its documentation promises only the referents
    that may form cycles, so a traversal that skipped leaves must not let a float through unseen."""

    class _Key(str):
        pass

    leaf, key = 0.5, _Key("k")
    seen = _get_referents([leaf, "x", 1, None, True], {"a": leaf}, {key: "v"})
    return sum(item is leaf for item in seen) == 2 and any(item is key for item in seen) and len(seen) == 8


_get_referents = gc.get_referents
_REFERENTS_SHOW_EVERY_LEAF = _referents_show_every_leaf()


def _c_encoded(value: dict[Any, Any] | list[Any]) -> str | None:
    """The C encoder's output when it is certainly the JCS text, else None."""
    if not _is_plain(value):
        return None
    try:
        text: str = _C_ENCODE(value)
    except (ValueError, RecursionError):
        return None  # a cycle: the exact writer reports it
    if not text.isascii() and len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text):
        return None  # astral characters: keys might sort differently by UTF-16 code units
    return text


def _is_plain(value: dict[Any, Any] | list[Any]) -> bool:
    """Only dicts with string keys, lists, strings, booleans, null, integers within ±2**53 and floats
    whose ``repr`` is already their ECMAScript form."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        node, depth = pending.pop()
        if depth > _MAX_PLAIN_DEPTH:
            return False  # perhaps a cycle: the exact writer raises RecursionError as it always did
        if type(node) is dict:
            if node and set(map(type, node)) != _STRINGS:
                return False
            items = node.values()
        else:
            items = node
        if set(map(type, items)) <= _PLAIN_LEAVES:
            continue
        for item in items:
            kind = type(item)
            if kind is dict or kind is list:
                pending.append((item, depth + 1))
            elif kind is int:
                if not -_MAX_SAFE_INTEGER <= item <= _MAX_SAFE_INTEGER:
                    return False
            elif kind is float:
                # the C encoder writes repr(); fine where ECMAScript agrees (2.5, 0.25), not 5.0 or 1e-07
                if not math.isfinite(item) or repr(item) != serialize_number(item):
                    return False
            elif kind not in _PLAIN_LEAVES:
                return False
    return True


def _write(value: Any, parts: list[str]) -> None:
    kind = type(value)
    if kind is dict:
        _write_object(value, parts)
    elif isinstance(value, str):
        parts.append(encode_basestring(value))
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif value is None:
        parts.append("null")
    elif isinstance(value, int | float):
        parts.append(serialize_number(value))
    elif isinstance(value, Mapping):
        _write_object(value, parts)
    elif isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        parts.append("[")
        for position, item in enumerate(value):
            if position:
                parts.append(",")
            _write(item, parts)
        parts.append("]")
    else:
        raise JcsError(f"{type(value).__name__} is not a JSON value")


def _write_object(value: Mapping[Any, Any], parts: list[str]) -> None:
    for key in value:
        if not isinstance(key, str):
            raise JcsError(f"object key {key!r} is not a string")
    # RFC 8785 §3.2.3: sort by UTF-16 code units; big-endian UTF-16 bytes compare the same way, and
    # code points do too while no key holds an astral character.
    keys = sorted(value)
    joined = "".join(keys)
    if not joined.isascii() and len(joined.encode("utf-16-le", "surrogatepass")) != 2 * len(joined):
        keys.sort(key=lambda key: key.encode("utf-16-be", "surrogatepass"))
    parts.append("{")
    for position, key in enumerate(keys):
        if position:
            parts.append(",")
        parts.append(encode_basestring(key))
        parts.append(":")
        _write(value[key], parts)
    parts.append("}")


def serialize_number(number: int | float) -> str:
    """ECMAScript ``Number::toString`` of an IEEE 754 double (RFC 8785 §3.2.2.3)."""
    if isinstance(number, bool):
        raise JcsError("a boolean is not a number")
    if isinstance(number, int):
        try:
            as_double = float(number)
        except OverflowError as error:
            raise JcsError(f"integer {number} is beyond the IEEE 754 double range") from error
        # Beyond 2**53 accept only the digits ECMAScript itself would write for that double.
        if abs(number) > _MAX_SAFE_INTEGER and serialize_number(as_double) != str(number):
            raise JcsError(f"integer {number} cannot be represented exactly as an IEEE 754 double")
        number = as_double
    if not math.isfinite(number):
        raise JcsError("NaN and Infinity have no JSON representation")
    if number == 0:
        return "0"  # covers -0.0 as well
    if number < 0:
        return "-" + _positive_to_string(-number)
    return _positive_to_string(number)


def _positive_to_string(number: float) -> str:
    digits, exponent = _shortest_digits(number)
    k = len(digits)
    n = exponent  # value = 0.digits × 10^n, as in ECMA-262 Number::toString
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + digits
    sign = "+" if n - 1 >= 0 else "-"
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{mantissa}e{sign}{abs(n - 1)}"


def _shortest_digits(number: float) -> tuple[str, int]:
    """Shortest round-tripping decimal digits and the ECMAScript exponent ``n``; ``repr`` finds them."""
    text = repr(number)
    mantissa, _, exponent_text = text.partition("e")
    exponent = int(exponent_text) if exponent_text else 0
    whole, _, fraction = mantissa.partition(".")
    if fraction == "0":
        fraction = ""
    all_digits = whole + fraction
    stripped = all_digits.lstrip("0")
    leading_zeros = len(all_digits) - len(stripped)
    digits = stripped.rstrip("0") or "0"
    n = len(whole) - leading_zeros + exponent
    return digits, n
