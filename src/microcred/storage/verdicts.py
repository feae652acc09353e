"""Verdicts kept in the register: whether a credential counts as a stack component, under a token of what
that verdict depends on besides the credential's own (immutable) document (issue 19, "Speed and scale").

The token digests the credential's state and its provider's status lists, signing keys and trust records, so
any revocation, suspension, key rotation or edit of the provider moves it and the next read verifies again
(docs/stacking.md, "Speed"). The provider's part is read once per provider and call, not once per credential
row: correlated sub-queries on every row were most of the evaluation job's reading time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Select, func, select
from sqlalchemy.dialects import postgresql, sqlite

from microcred.domain.stacking import VerdictState
from microcred.storage.credential_tables import credentials, signing_keys, status_lists
from microcred.storage.engine import stamp
from microcred.storage.stacking_tables import credential_verdicts
from microcred.storage.tables import providers, quality_assurances

__all__ = ["VERDICT_RULES", "keep_verdicts", "verdict_columns", "verdict_states", "with_kept_verdict"]

VERDICT_RULES = "1"
"""Part of every token: bump it when what a component's verification checks changes, so that every verdict
kept under the old checks is made again (a kept verdict otherwise outlives an upgrade)."""


def verdict_columns() -> list[Any]:
    """The columns :func:`verdict_states` reads per credential row, in its order (the query must join the
    kept verdict with :func:`with_kept_verdict`)."""
    return [
        credentials.c.provider_id,
        credentials.c.state,
        credentials.c.state_changed_at,
        credential_verdicts.c.token,
        credential_verdicts.c.counts,
    ]


def with_kept_verdict(query: Select[Any]) -> Select[Any]:
    """``query`` (over ``credentials``) with each credential's kept verdict, when there is one."""
    return query.outerjoin(credential_verdicts, credential_verdicts.c.credential_id == credentials.c.id)


def verdict_states(connection: Connection, rows: Sequence[Sequence[Any]]) -> list[VerdictState]:
    """For each row of :func:`verdict_columns` values, the credential's current token and the verdict kept
    under exactly that token (None when none is, or the token moved since)."""
    provider_part = _provider_tokens(connection, {row[0] for row in rows})
    tokens: dict[tuple[Any, ...], str] = {}  # most credentials of a provider share one (active, never changed)
    found = []
    for provider_id, state, changed_at, kept_token, counts in rows:
        token = tokens.get((provider_id, state, changed_at))
        if token is None:
            token = _digest((VERDICT_RULES, state, changed_at, provider_part.get(provider_id)))
            tokens[(provider_id, state, changed_at)] = token
        found.append(VerdictState(token, bool(counts) if kept_token == token else None))
    return found


def keep_verdicts(connection: Connection, found: Mapping[str, tuple[str, bool]]) -> None:
    """Keep each credential's verdict (by uuid: token and whether it counts), replacing an older one; a
    credential deleted meanwhile is skipped. One statement for the lot, whichever process wrote first."""
    if not found:
        return
    ids = connection.execute(
        select(credentials.c.uuid, credentials.c.id).where(credentials.c.uuid.in_(list(found)))
    ).all()
    if not ids:
        return
    now = stamp(connection)
    rows = [
        {"credential_id": credential_id, "token": found[uuid][0], "counts": found[uuid][1], "checked_at": now}
        for uuid, credential_id in ids
    ]
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(credential_verdicts)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[credential_verdicts.c.credential_id],
            set_={
                "token": statement.excluded.token,
                "counts": statement.excluded.counts,
                "checked_at": statement.excluded.checked_at,
            },
        ),
        rows,
    )


def _provider_tokens(connection: Connection, provider_ids: Iterable[int]) -> dict[int, str]:
    """Per provider, what every verdict on its credentials depends on: the provider record, its status
    lists, its signing keys (added or retired) and its trust records (added or removed)."""
    wanted = sorted(set(provider_ids))
    if not wanted:
        return {}
    mine = providers.c.id
    of_keys, of_trust = signing_keys.c.provider_id == mine, quality_assurances.c.provider_id == mine
    rows = connection.execute(
        select(
            mine,
            providers.c.updated_at,
            select(func.max(status_lists.c.updated_at)).where(status_lists.c.provider_id == mine).scalar_subquery(),
            select(func.count()).where(of_keys).scalar_subquery(),
            select(func.max(signing_keys.c.retired_at)).where(of_keys).scalar_subquery(),
            select(func.count()).where(of_trust).scalar_subquery(),
            select(func.max(quality_assurances.c.id)).where(of_trust).scalar_subquery(),
        ).where(mine.in_(wanted))
    ).all()
    return {int(row[0]): _digest(row[1:]) for row in rows}


def _digest(values: Iterable[Any]) -> str:
    return hashlib.blake2b("|".join(str(value) for value in values).encode(), digest_size=32).hexdigest()
