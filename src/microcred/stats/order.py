"""The order rows appear in: vocabulary order where the dimension has a vocabulary, else sorted codes."""

from __future__ import annotations

from collections.abc import Iterable

from microcred.vocab import vocabulary

__all__ = ["DIMENSION_VOCABULARIES", "OFFER_KINDS", "ordered"]

DIMENSION_VOCABULARIES = {
    "provider_type": "provider-types",
    "participation": "participation-forms",
    "employment_status": "employment-statuses",
    "contract_type": "contract-types",
    "age_band": "age-bands",
    "field": "isced-f",
}
OFFER_KINDS = (
    "micro-credential-1",
    "micro-credential-2",
    "micro-credential-3a",
    "micro-credential-3b",
    "micro-credential-untyped",
    "course-units",
    "postgraduate",
    "further-training",
    "other",
)
_FIXED = {
    "offer_kind": OFFER_KINDS,
    "working": ("working", "not-working", "unknown"),
    "ects_band": ("<3", "3-5", "6-10", "11-20", ">20", "unknown"),
    "eqf": (*(str(n) for n in range(1, 9)), "unknown"),
    "vks": (*(str(n) for n in range(1, 9)), "unknown"),
}


def ordered(dimension: str, values: Iterable[str]) -> list[str]:
    """``values`` in the dimension's natural order; unknown codes last, sorted."""
    present = set(values)
    if dimension in _FIXED:
        known: tuple[str, ...] = _FIXED[dimension]
    elif dimension in DIMENSION_VOCABULARIES:
        known = vocabulary(DIMENSION_VOCABULARIES[dimension]).codes()
    else:
        known = ()
    first = [v for v in known if v in present]
    return first + sorted(present - set(first), key=lambda v: (v == "unknown", v))
