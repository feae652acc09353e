"""ESCO skills shipped with the package: each skill's preferred and alternative English labels, by concept URI.

A learning outcome may name an ESCO skill by URI; for a skill of this list the register shows its label
instead of the bare URI and searches its labels. A well-formed skill outside the list is kept as it is: the
list is a subset of ESCO (decision 0032). The list is the subset of
ESCO v1.1 skills in ``data/esco-skills.tsv.gz`` (sources and licence in ``data/SOURCES.md``); it is read on
first use, so importing this module costs nothing.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from types import MappingProxyType

__all__ = ["ESCO_SKILL_PREFIX", "EscoSkill", "esco_skill", "esco_skills"]

ESCO_SKILL_PREFIX = "http://data.europa.eu/esco/skill/"
_FILE = "esco-skills.tsv.gz"


@dataclass(frozen=True, slots=True)
class EscoSkill:
    """One ESCO skill: its concept URI and its English labels (ESCO's Dutch labels are not shipped)."""

    uri: str
    label: str
    alt_labels: tuple[str, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        """The preferred label first, then the alternative ones: every name the skill is searched by."""
        return (self.label, *self.alt_labels)


def esco_skill(uri: str) -> EscoSkill | None:
    """The shipped ESCO skill with this concept URI, or None when the list does not hold it."""
    if not uri.startswith(ESCO_SKILL_PREFIX):
        return None
    return esco_skills().get(uri)


@cache
def esco_skills() -> Mapping[str, EscoSkill]:
    """Every shipped skill by URI. One line per skill: the URI's last segment, the preferred label, and the
    alternative labels joined by ``|``, tab-separated (the file's own layout, see SOURCES.md)."""
    packed = (files("microcred.vocab") / "data" / _FILE).read_bytes()
    skills: dict[str, EscoSkill] = {}
    for line in gzip.decompress(packed).decode("utf-8").splitlines():
        identifier, label, alternatives = line.split("\t")
        uri = ESCO_SKILL_PREFIX + identifier
        skills[uri] = EscoSkill(uri, label, tuple(alternatives.split("|")) if alternatives else ())
    return MappingProxyType(skills)
