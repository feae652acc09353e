"""The recognition section of the parliament report against an attacker who holds every published margin.

The attacker reads a small institution's recognitions off the margins (the total minus every other row, in
counts and in ECTS, per kind and per provider) in every scope and year range the report offers, and then
asks whether the published figures tell the true register apart from one with a learner fewer or more in
that cell: for some such neighbour they must not, whatever the register's secret.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from microcred.stats import Rounding, Scope, Table
from microcred.stats.recognition import Recognitions, recognition_tables

K = 5
TYPES = ("university", "university-college")
# provider -> type; hs-b is the small institution whose count the attacker is after
PROVIDERS = {"uni-a": "university", "uni-c": "university", "hs-b": "university-college"}
Decision = tuple[str, int, int, str, int]  # provider, learner, academic year, kind, ECTS in tenths


def background() -> list[Decision]:
    """Large groups everywhere but the target: 20 or more learners per provider, year, kind and ECTS."""
    rows: list[Decision] = []
    for n, (provider, kind, ects) in enumerate(
        (("uni-a", "exemption", 50), ("uni-a", "credit-transfer", 30), ("uni-c", "exemption", 60))
    ):
        for year in (2023, 2024):
            rows += [(provider, 1000 * n + 100 * (year - 2023) + m, year, kind, ects) for m in range(20 + n)]
    return rows


def target(count: int) -> list[Decision]:
    """``count`` learners of hs-b recognised for 3 ECTS each, as a credit transfer, in 2024-25."""
    return [("hs-b", 9000 + m, 2024, "credit-transfer", 30) for m in range(count)]


def recognitions(rows: Sequence[Decision], types: Mapping[str, str] = PROVIDERS) -> Recognitions:
    """The decisions as the statistics port hands them over; ``types``: each provider's type."""
    return Recognitions(
        provider=tuple(r[0] for r in rows),
        provider_type=tuple(types[r[0]] for r in rows),
        learner_id=tuple(r[1] for r in rows),
        academic_year=tuple(r[2] for r in rows),
        kind=tuple(r[3] for r in rows),
        ects_tenths=tuple(r[4] for r in rows),
    )


SCOPES = {
    "all": {"provider_types": TYPES},
    "universities": {"provider_types": ("university",)},
    "colleges": {"provider_types": ("university-college",)},
    "hs-b": {"provider_types": TYPES, "providers": ("hs-b",)},
    "uni-a": {"provider_types": TYPES, "providers": ("uni-a",)},
}
RANGES = ((2023, 2023), (2024, 2024), (2023, 2024))


def publish(rows: Sequence[Decision], secret: bytes) -> dict[tuple[str, int, int], tuple[Table, ...]]:
    """Every recognition table of every scope and year range, as the register would publish them."""
    found = recognitions(rows)
    return {
        (name, first, last): recognition_tables(found, Scope(first, last, **scope), Rounding(K, secret))  # type: ignore[arg-type]
        for name, scope in SCOPES.items()
        for first, last in RANGES
    }


def value(tables: Sequence[Table], name: str, row: str, column: str) -> int | Decimal:
    for table in tables:
        if table.name == name:
            found = table.figure(row, column).value
            assert isinstance(found, int | Decimal)
            return found
    raise KeyError(name)


SECRETS = [f"register-{n}".encode() for n in range(40)]


def test_the_margins_give_the_attacker_the_copy_never_the_small_count() -> None:
    """Total minus the other rows, in counts and in ECTS, by provider and by kind: 0 or 5, never 2."""
    for secret in SECRETS:
        tables = publish([*background(), *target(2)], secret)[("all", 2024, 2024)]
        total = value(tables, "recognitions_by_provider", "total", "2024-25")
        others = sum(value(tables, "recognitions_by_provider", p, "2024-25") for p in ("uni-a", "uni-c"))
        by_count = total - others
        ects = value(tables, "recognised_ects_by_provider", "total", "2024-25") - sum(
            value(tables, "recognised_ects_by_provider", p, "2024-25") for p in ("uni-a", "uni-c")
        )
        transfers = value(tables, "recognitions_by_recognition_kind", "credit-transfer", "2024-25")
        by_kind = transfers - value(tables, "recognitions_by_provider", "uni-a", "2024-25") + 20  # uni-a's exemptions
        assert by_count in (0, K)
        assert by_kind == by_count
        assert ects == Decimal(3) * by_count


def test_a_neighbour_with_a_learner_fewer_or_more_publishes_the_same_for_every_secret() -> None:
    """For any key, one of the registers with 1 or 3 learners in the cell publishes exactly what the true
    register (2 learners) publishes, in every scope and year range: the attacker cannot tell 1, 2 or 3 apart."""
    hidden = 0
    for secret in SECRETS:
        published = publish([*background(), *target(2)], secret)
        neighbours = [publish([*background(), *target(count)], secret) for count in (1, 3)]
        assert published in neighbours
        hidden += value(published[("hs-b", 2024, 2024)], "recognitions_by_provider", "total", "2024-25") == 0
    assert 0 < hidden < len(SECRETS)  # both draws occur: the test sees rounding down and up


def test_tables_add_up_and_large_groups_are_exact() -> None:
    """The copy keeps groups of k or more as they are, and every table counts the same copy."""
    tables = publish([*background(), *target(2)], b"register")[("all", 2023, 2024)]
    assert value(tables, "recognitions_by_provider", "uni-a", "2023-24") == 41
    assert value(tables, "recognised_ects_by_provider", "uni-c", "total") == Decimal(6) * 44
    for name in ("recognitions_by_provider", "recognitions_by_recognition_kind"):
        table = next(t for t in tables if t.name == name)
        assert table.rounded
        for column in table.columns:
            assert (
                sum(table.figure(r.key, column).value or 0 for r in table.rows) == table.figure("total", column).value
            )
    assert value(tables, "recognitions_by_provider", "total", "total") == value(
        tables, "recognitions_by_recognition_kind", "total", "total"
    )


def test_without_rounding_the_counts_are_the_decisions() -> None:
    """k = 1 (no protection, never published): the section counts exactly, so the rounding is all it hides."""
    tables = recognition_tables(recognitions([*background(), *target(2)]), Scope(2024, 2024, TYPES), None)
    assert value(tables, "recognitions_by_provider", "hs-b", "2024-25") == 2
    assert value(tables, "recognised_ects_by_provider", "hs-b", "2024-25") == Decimal(6)
    assert value(tables, "recognitions_by_recognition_kind", "credit-transfer", "2024-25") == 23
