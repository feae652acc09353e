"""What statistics read of the register: the port storage implements (``storage/statistics.py``).

Statistics never see a connection or a table name. A source tells them whether the register changed (the
change token), where a kept snapshot may live, and hands over the columns of providers, offerings, editions
and enrolments in batches, which ``stats.snapshot`` loads into DuckDB. Columns rather than rows, because
that is how DuckDB and NumPy take them; batches, so ten million enrolments never sit in memory as rows.
A source that keeps a change log also tells what changed after an earlier token (``changes_since``), so a
kept snapshot is refreshed with only those rows (``stats.refresh``, decision 0038).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Protocol

__all__ = [
    "KINDS",
    "EditionColumns",
    "EnrolmentColumns",
    "OfferingColumns",
    "ProviderColumns",
    "RecognitionColumns",
    "StatisticsChanges",
    "StatisticsSource",
]


class ProviderColumns(Protocol):
    """Providers, one sequence per column, all of the same length."""

    @property
    def id(self) -> Sequence[int]: ...
    @property
    def slug(self) -> Sequence[str]: ...
    @property
    def name(self) -> Sequence[Mapping[str, str]]: ...  # by language code, as stored
    @property
    def type(self) -> Sequence[str]: ...


class OfferingColumns(Protocol):
    """Offerings; ECTS in whole tenths (ECTS have one decimal), so no float or Decimal differs by backend."""

    @property
    def id(self) -> Sequence[int]: ...
    @property
    def provider_id(self) -> Sequence[int]: ...
    @property
    def code(self) -> Sequence[str]: ...
    @property
    def title(self) -> Sequence[Mapping[str, str]]: ...
    @property
    def kind(self) -> Sequence[str]: ...
    @property
    def flemish_type(self) -> Sequence[str | None]: ...
    @property
    def ects_tenths(self) -> Sequence[int | None]: ...
    @property
    def eqf_level(self) -> Sequence[int | None]: ...
    @property
    def vks_level(self) -> Sequence[int | None]: ...
    @property
    def isced_field(self) -> Sequence[str | None]: ...
    @property
    def participation_form(self) -> Sequence[str | None]: ...


class EditionColumns(Protocol):
    """Editions: the academic year is the one the edition starts in."""

    @property
    def id(self) -> Sequence[int]: ...
    @property
    def offering_id(self) -> Sequence[int]: ...
    @property
    def academic_year(self) -> Sequence[int]: ...
    @property
    def capacity(self) -> Sequence[int | None]: ...


class EnrolmentColumns(Protocol):
    """Enrolments, learners by their register id (never the pseudonym)."""

    @property
    def id(self) -> Sequence[int]: ...
    @property
    def edition_id(self) -> Sequence[int]: ...
    @property
    def learner_id(self) -> Sequence[int]: ...
    @property
    def contract_type(self) -> Sequence[str]: ...
    @property
    def employment_status(self) -> Sequence[str]: ...
    @property
    def age_band(self) -> Sequence[str]: ...
    @property
    def outcome(self) -> Sequence[str]: ...
    @property
    def learner_scheme(self) -> Sequence[str | None]: ...  # insz, esi, register, local; None: not recorded


# --- recognition statistics (issue 19): the one addition of the stacking work to the port -------------------


class RecognitionColumns(Protocol):
    """Decisions that *recognised* a credential (refusals are not handed over), learners by their register id.

    ``provider`` is the deciding institution (its slug and type, as the report's scope selects providers);
    ``academic_year`` the start year of the academic year the decision was taken in (from 1 September);
    ECTS in whole tenths, as for offerings."""

    @property
    def provider(self) -> Sequence[str]: ...
    @property
    def provider_type(self) -> Sequence[str]: ...
    @property
    def learner_id(self) -> Sequence[int]: ...
    @property
    def academic_year(self) -> Sequence[int]: ...
    @property
    def kind(self) -> Sequence[str]: ...  # exemption, credit-transfer
    @property
    def ects_tenths(self) -> Sequence[int]: ...


# --- end of the recognition addition ------------------------------------------------------------------------


#: The kinds of rows a change log reports removed, by the name ``StatisticsChanges.removed`` takes.
KINDS = ("providers", "offerings", "editions", "enrolments")


class StatisticsChanges(Protocol):
    """What changed after a token: the rows added or changed since (as they are now) and the ids removed."""

    def providers(self) -> Iterator[ProviderColumns]: ...
    def offerings(self) -> Iterator[OfferingColumns]: ...
    def editions(self) -> Iterator[EditionColumns]: ...
    def enrolments(self) -> Iterator[EnrolmentColumns]: ...
    def removed(self, kind: str) -> Sequence[int]:
        """Ids of the rows of ``kind`` (one of ``KINDS``) removed since, cascades included."""
        ...


class StatisticsSource(Protocol):
    """The register as statistics read it, inside one transaction (the unit of work's ``statistics``)."""

    @property
    def register(self) -> str:
        """Which register this is (its file, or its URL without password): keeps snapshots apart."""

    @property
    def register_file(self) -> Path | None:
        """The register's database file, next to which a snapshot file is kept; None keeps it in memory."""

    def change_token(self) -> str:
        """Differs whenever a row statistics read was added, changed or removed since the last token; read on
        every report, so it must cost one row, not a scan (decision 0038)."""

    def changes_since(self, token: str) -> StatisticsChanges | None:
        """What changed after the register showed ``token`` (read in the same transaction as the token that
        came before this call); None when the source cannot tell, and the snapshot is copied in full."""

    def rounding_secret(self) -> bytes:
        """The register's key for the protected copy's draws (``stats.disclosure.Rounding``): the same for every
        entry point, so two differently rounded copies of one register are never published; never published
        itself (docs/statistics.md)."""
        ...

    def providers(self) -> Iterator[ProviderColumns]: ...
    def offerings(self) -> Iterator[OfferingColumns]: ...
    def editions(self) -> Iterator[EditionColumns]: ...
    def enrolments(self) -> Iterator[EnrolmentColumns]: ...
    def recognitions(self) -> Iterator[RecognitionColumns]:
        """Recognition decisions: few, read afresh for each report rather than kept in the snapshot."""
        ...
