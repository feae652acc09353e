"""The judged query set of the catalogue search and its measures: nDCG@10 and recall@10.

Shared by tests/search/test_judged_queries.py (both backends, floors) and benchmarks/bench_search.py (the
figures in benchmarks/results/search.json). The judgements are data: judged_queries.json beside this file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from microcred.domain import Offering

__all__ = ["CUTOFF", "Judged", "Measured", "base_title", "judged_queries", "measure", "measure_all"]

CUTOFF = 10
_HEADINGS = ("Postgraduaat ", "Opleiding ")


@dataclass(frozen=True, slots=True)
class Judged:
    text: str
    language: str
    relevant: dict[str, int]  # a base title (see base_title) and its grade: 2 what was asked for, 1 related


@dataclass(frozen=True, slots=True)
class Measured:
    text: str
    language: str
    ndcg: float
    recall: float
    found: list[str]  # the first CUTOFF offerings, as provider/code


def judged_queries() -> list[Judged]:
    document = json.loads((Path(__file__).parent / "judged_queries.json").read_text(encoding="utf-8"))
    return [Judged(entry["q"], entry["lang"], entry["relevant"]) for entry in document["queries"]]


def base_title(offering: Offering) -> str:
    """The offering's Dutch title without the heading the demo puts before a postgraduate or a course."""
    title = offering.title.texts.get("nl") or ""
    for heading in _HEADINGS:
        title = title.removeprefix(heading)
    return title


def measure(judged: Judged, ranked: Sequence[Offering], register: Sequence[Offering]) -> Measured:
    """nDCG@10 (gain 2^grade - 1) and recall@10 (relevant offerings among the first ten, over the number
    of relevant offerings or ten, whichever is smaller) of one ranked answer."""
    grades = {_key(o): judged.relevant.get(base_title(o), 0) for o in register}
    relevant = sorted((g for g in grades.values() if g > 0), reverse=True)
    top = [_key(o) for o in ranked[:CUTOFF]]
    dcg = sum(_gain(grades.get(key, 0), rank) for rank, key in enumerate(top, start=1))
    ideal = sum(_gain(grade, rank) for rank, grade in enumerate(relevant[:CUTOFF], start=1))
    hits = sum(1 for key in top if grades.get(key, 0) > 0)
    return Measured(
        judged.text,
        judged.language,
        ndcg=dcg / ideal if ideal else 0.0,
        recall=hits / min(CUTOFF, len(relevant)) if relevant else 0.0,
        found=top,
    )


def measure_all(search: Callable[[str], Sequence[Offering]], register: Sequence[Offering]) -> list[Measured]:
    return [measure(judged, search(judged.text), register) for judged in judged_queries()]


def _gain(grade: int, rank: int) -> float:
    return (2**grade - 1) / math.log2(rank + 1)


def _key(offering: Offering) -> str:
    return f"{offering.provider}/{offering.code}"
