"""The shipped ESCO skills: read from the package, looked up by concept URI, with their English labels."""

from __future__ import annotations

import re

from microcred.vocab.esco import ESCO_SKILL_PREFIX, esco_skill, esco_skills

INSTALL_HEAT_PUMP = "http://data.europa.eu/esco/skill/00735755-adc6-4ea0-b034-b8caff339c9f"


def test_a_skill_is_found_by_its_uri_with_its_preferred_and_alternative_labels() -> None:
    skill = esco_skill(INSTALL_HEAT_PUMP)
    assert skill is not None
    assert skill.label == "install heat pump"
    assert "heat pump commissioning" in skill.alt_labels
    assert skill.labels[0] == "install heat pump"
    assert "install heat pump" not in skill.alt_labels  # the preferred label is not repeated


def test_an_unknown_or_foreign_uri_is_no_skill() -> None:
    assert esco_skill(ESCO_SKILL_PREFIX + "00000000-0000-4000-8000-000000000000") is None
    assert esco_skill("https://example.org/skill/00735755-adc6-4ea0-b034-b8caff339c9f") is None
    assert esco_skill("") is None


def test_every_shipped_skill_has_a_well_formed_uri_and_a_label() -> None:
    skills = esco_skills()
    assert len(skills) == 4199  # the reference subset (data/SOURCES.md)
    pattern = re.compile(r"^http://data\.europa\.eu/esco/skill/[0-9a-f-]{36}$")
    assert [uri for uri, skill in skills.items() if not pattern.match(uri) or skill.uri != uri] == []
    assert [uri for uri, skill in skills.items() if not skill.label.strip() or "" in skill.alt_labels] == []
