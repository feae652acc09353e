"""A second implementation of the statistics port (``microcred.stats.source``): the register's facts held
as plain Python rows, handed over in small batches so the batching is exercised too."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Providers:
    id: Sequence[int]
    slug: Sequence[str]
    name: Sequence[Mapping[str, str]]
    type: Sequence[str]


@dataclass(frozen=True)
class Offerings:
    id: Sequence[int]
    provider_id: Sequence[int]
    code: Sequence[str]
    title: Sequence[Mapping[str, str]]
    kind: Sequence[str]
    flemish_type: Sequence[str | None]
    ects_tenths: Sequence[int | None]
    eqf_level: Sequence[int | None]
    vks_level: Sequence[int | None]
    isced_field: Sequence[str | None]
    participation_form: Sequence[str | None]


@dataclass(frozen=True)
class Editions:
    id: Sequence[int]
    offering_id: Sequence[int]
    academic_year: Sequence[int]
    capacity: Sequence[int | None]


@dataclass(frozen=True)
class Enrolments:
    id: Sequence[int]  # the row's position, counted from 1
    edition_id: Sequence[int]
    learner_id: Sequence[int]
    contract_type: Sequence[str]
    employment_status: Sequence[str]
    age_band: Sequence[str]
    outcome: Sequence[str]
    learner_scheme: Sequence[str | None]  # a row of six leaves it out: not recorded


@dataclass(frozen=True)
class Recognitions:
    provider: Sequence[str]
    provider_type: Sequence[str]
    learner_id: Sequence[int]
    academic_year: Sequence[int]
    kind: Sequence[str]
    ects_tenths: Sequence[int]


@dataclass
class FactsInMemory:
    """Rows in the column order of the batch types above; ``batch`` rows per batch."""

    providers_rows: list[tuple[Any, ...]] = field(default_factory=list)
    offerings_rows: list[tuple[Any, ...]] = field(default_factory=list)
    editions_rows: list[tuple[Any, ...]] = field(default_factory=list)
    enrolments_rows: list[tuple[Any, ...]] = field(default_factory=list)
    recognitions_rows: list[tuple[Any, ...]] = field(default_factory=list)
    batch: int = 1000
    register: str = "in-memory"
    register_file: Path | None = None
    secret: bytes = b""

    def change_token(self) -> str:
        tables = (self.providers_rows, self.offerings_rows, self.editions_rows, self.enrolments_rows)
        return json.dumps([len(rows) for rows in tables]) + repr(hash(repr(tables)))

    def changes_since(self, token: str) -> None:
        """Lists keep no change log: every change is copied in full."""
        return

    def rounding_secret(self) -> bytes:
        """The same key the register would give: its first learner's pseudonym (ids in the order ``load`` saves)."""
        return self.secret

    def providers(self) -> Iterator[Providers]:
        return (Providers(*columns) for columns in self._batches(self.providers_rows, 4))

    def offerings(self) -> Iterator[Offerings]:
        return (Offerings(*columns) for columns in self._batches(self.offerings_rows, 11))

    def editions(self) -> Iterator[Editions]:
        return (Editions(*columns) for columns in self._batches(self.editions_rows, 4))

    def enrolments(self) -> Iterator[Enrolments]:
        numbered = [(number, *row) for number, row in enumerate(self.enrolments_rows, start=1)]
        return (Enrolments(*columns) for columns in self._batches(numbered, 8))

    def recognitions(self) -> Iterator[Recognitions]:
        return (Recognitions(*columns) for columns in self._batches(self.recognitions_rows, 6))

    def _batches(self, rows: list[tuple[Any, ...]], width: int) -> Iterator[list[list[Any]]]:
        for start in range(0, len(rows), self.batch):
            chunk = rows[start : start + self.batch]
            yield [[row[index] if index < len(row) else None for row in chunk] for index in range(width)]
