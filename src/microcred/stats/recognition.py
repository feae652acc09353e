"""Recognition statistics: how many credentials institutions recognised for credit, where, and for how many
ECTS, per academic year (issue 19), counted on a protected copy like every other count of persons.

A recognition decision is about one learner, so its counts get the protection of ``stats.disclosure``: the
recognised decisions fall into *atoms* — one deciding provider, one academic year, one kind (exemption or
credit transfer) and one ECTS value — and an atom of fewer than ``k`` learners is rounded, keyed and without
bias, to 0 or ``k`` (``k`` - x stand-in learners with one decision each, of the atom's ECTS). Every published
figure — counts and ECTS per provider, per kind, per year, over the range, the totals — is a sum over that
one copy, so combining tables, margins, scopes and year ranges recovers the copy at best, never a small
count. Because the ECTS value is part of the atom, ECTS totals are a function of the copy too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

from microcred.stats.disclosure import Atoms, Rounding, atoms, protected_rows
from microcred.stats.model import Figure, Row, Table, year_label
from microcred.stats.queries import Scope
from microcred.stats.source import RecognitionColumns

__all__ = ["KINDS", "Recognitions", "recognition_atoms", "recognition_tables"]

Ints = NDArray[np.int64]

KINDS = ("exemption", "credit-transfer")  # domain.RecognitionKind, in the order the report lists them


@dataclass(frozen=True, slots=True)
class Recognitions:
    """The recognised decisions of the register, one entry per decision (columns as ``RecognitionColumns``)."""

    provider: tuple[str, ...] = ()
    provider_type: tuple[str, ...] = ()
    learner_id: tuple[int, ...] = ()
    academic_year: tuple[int, ...] = ()
    kind: tuple[str, ...] = ()
    ects_tenths: tuple[int, ...] = ()

    @classmethod
    def read(cls, batches: Iterable[RecognitionColumns]) -> Recognitions:
        """All batches of the source's ``recognitions()`` in one value (decisions are few: thousands)."""
        columns: list[list[object]] = [[], [], [], [], [], []]
        for batch in batches:
            for column, values in zip(
                columns,
                (
                    batch.provider,
                    batch.provider_type,
                    batch.learner_id,
                    batch.academic_year,
                    batch.kind,
                    batch.ects_tenths,
                ),
                strict=True,
            ):
                column.extend(values)
        provider, types, learner, year, kind, ects = columns
        return cls(
            tuple(map(str, provider)),
            tuple(map(str, types)),
            tuple(int(str(v)) for v in learner),
            tuple(int(str(v)) for v in year),
            tuple(map(str, kind)),
            tuple(int(str(v)) for v in ects),
        )


def recognition_tables(found: Recognitions, scope: Scope, rounding: Rounding | None) -> tuple[Table, ...]:
    """Recognised credentials by deciding provider, the ECTS they were recognised for, and both by kind:
    per academic year of the scope and over the range, with totals, all from the protected copy."""
    wanted = [
        i
        for i in range(len(found.provider))
        if found.provider_type[i] in scope.provider_types
        and (not scope.providers or found.provider[i] in scope.providers)
        and scope.from_year <= found.academic_year[i] <= scope.to_year
    ]
    cells = sorted({(found.provider[i], found.academic_year[i]) for i in wanted})
    values = sorted({(found.kind[i], found.ects_tenths[i]) for i in wanted})
    cell_of, value_of = {c: n for n, c in enumerate(cells)}, {v: n for n, v in enumerate(values)}
    learner = np.array([found.learner_id[i] for i in wanted], dtype=np.int64)
    cell = np.array([cell_of[(found.provider[i], found.academic_year[i])] for i in wanted], dtype=np.int64)
    value = np.array([value_of[(found.kind[i], found.ects_tenths[i])] for i in wanted], dtype=np.int64)
    if rounding is not None and wanted:
        split = recognition_atoms(learner, cell, value, cells, values, rounding)
        _, cell, value, _ = protected_rows(
            learner, cell, value, split, k=rounding.k, first_stand_in=int(learner.max()) + 1
        )
    copy = _Copy(cell, value, cells, values)
    providers = sorted({p for p, _ in cells})
    return (
        copy.table("recognitions_by_provider", "provider", providers, scope, ects=False),
        copy.table("recognised_ects_by_provider", "provider", providers, scope, ects=True),
        copy.table("recognitions_by_recognition_kind", "recognition_kind", KINDS, scope, ects=False),
        copy.table("recognised_ects_by_recognition_kind", "recognition_kind", KINDS, scope, ects=True),
    )


def recognition_atoms(
    learner: Ints,
    cell: Ints,
    value: Ints,
    cells: Sequence[tuple[str, int]],
    values: Sequence[tuple[str, int]],
    rounding: Rounding,
) -> Atoms:
    """The atoms of decisions whose ``cell`` indexes (provider, year) ``cells`` and ``value`` indexes (kind, ECTS
    in tenths) ``values``. Each atom's draw depends only on its provider, year, kind, ECTS and the secret, so
    every scope and the disclosure audit (``stats.recognition_audit``) see the same copy."""
    return atoms(
        learner,
        cell,
        value,
        edition_ids=np.array([_stable(f"{p}|{y}") for p, y in cells], dtype=np.int64),
        groups=np.arange(len(values), dtype=np.int64),
        group_hashes=np.array([_stable(f"recognition|{k}|{e}") for k, e in values], dtype=np.uint64),
        rounding=rounding,
    )


@dataclass(frozen=True, slots=True)
class _Copy:
    """The protected copy: per decision its (provider, year) cell and its (kind, ECTS) value."""

    cell: Ints
    value: Ints
    cells: Sequence[tuple[str, int]]
    values: Sequence[tuple[str, int]]

    def table(self, name: str, dimension: str, keys: Sequence[str], scope: Scope, *, ects: bool) -> Table:
        """Rows ``keys`` of ``dimension`` (provider or recognition_kind), columns the years and the range."""
        weight = np.array([e for _, e in self.values], dtype=np.int64)[self.value] if ects else None
        key_of = self._keys(dimension)
        year = np.array([y for _, y in self.cells], dtype=np.int64)[self.cell] - scope.from_year
        span = len(scope.years)
        grid = np.zeros((len(keys), span), dtype=np.int64)
        index = {k: n for n, k in enumerate(keys)}
        rows_of = np.array([index[k] for k in key_of], dtype=np.int64) if len(key_of) else np.zeros(0, np.int64)
        np.add.at(grid, (rows_of, year), 1 if weight is None else weight)

        def line(values: Iterable[int]) -> tuple[Figure, ...]:
            return tuple(Figure(Decimal(int(v)) / 10 if ects else int(v)) for v in values)

        rows = tuple(Row(k, line([*grid[n], grid[n].sum()])) for n, k in enumerate(keys))
        total = Row("total", line([*grid.sum(axis=0), grid.sum()]))
        columns = (*(year_label(y) for y in scope.years), "total")
        return Table(name, dimension, columns, rows, total, rounded=True)

    def _keys(self, dimension: str) -> list[str]:
        if dimension == "provider":
            return [self.cells[c][0] for c in self.cell]
        return [self.values[v][0] for v in self.value]


def _stable(text: str) -> int:
    """A stable 63-bit identity of an atom's part (the draw must not change between runs or releases)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big") >> 1
