"""A provider's status lists: drawing a new credential's place in them, and keeping them signed and current.

Every credential the register signs, a micro-credential or a stacked one, takes its place through
:func:`draw_statuses`: indexes drawn at random within the provider's current list, a full list opening the
next one with its three list credentials signed (decision 0021). A change of state re-signs only the list
that holds the changed credential; a key rotation re-signs them all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from microcred.credentials.cryptosuites import EDDSA_RDFC_2022
from microcred.credentials.ob3 import timestamp
from microcred.credentials.proofs import add_proof
from microcred.credentials.status_list import (
    MESSAGE_STATUS_SIZE,
    MINIMUM_BITS,
    StatusList,
    shuffled_indexes,
    status_list_credential,
)
from microcred.credentials.urls import status_list_url
from microcred.domain import Credential, CredentialState, StatusPurpose, credential_urn
from microcred.errors import NotFound
from microcred.services.keys import KeyStore
from microcred.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from microcred.settings import Settings

__all__ = [
    "StateChange",
    "StatusDraw",
    "change_state",
    "draw_statuses",
    "resign_status_lists",
    "rotate_key",
    "sign_status_list",
    "status_list_document",
    "store_status_lists",
]

StateChange = Literal["revoke", "suspend", "unsuspend"]

# Each change, and the lists it can flip a bit in: revoking may also clear a suspension bit.
_CHANGES: dict[StateChange, tuple[Callable[[Credential, str, datetime], None], tuple[StatusPurpose, ...]]] = {
    "revoke": (Credential.revoke, tuple(StatusPurpose)),
    "suspend": (Credential.suspend, (StatusPurpose.SUSPENSION, StatusPurpose.MESSAGE)),
    "unsuspend": (Credential.unsuspend, (StatusPurpose.SUSPENSION, StatusPurpose.MESSAGE)),
}


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class StatusDraw:
    """A new credential's place: list ``number``, ``index`` in it, and the message list it names (0015)."""

    number: int
    index: int
    list_url: str


def draw_statuses(
    work: UnitOfWork, provider: str, count: int, *, keys: KeyStore, settings: Settings, now: datetime
) -> list[StatusDraw]:
    """Draw ``count`` places in the provider's lists, in ``work``'s transaction (which holds their lock).

    A list that opens in the draw gets its three list credentials signed here, so it is served from the
    moment the first credential naming it commits."""
    drawn = work.credentials.allocate_indexes(
        provider, count, size=settings.status_list_size, shuffled=shuffled_indexes
    )
    for number in sorted({number for number, _ in drawn}):
        unsigned = work.credentials.unsigned_status_lists(provider, number)
        if unsigned:
            store_status_lists(work, provider, number, unsigned, keys=keys, settings=settings, now=now)
    base = settings.public_base_url
    return [
        StatusDraw(number, index, status_list_url(base, provider, StatusPurpose.MESSAGE, number))
        for number, index in drawn
    ]


def store_status_lists(
    work: UnitOfWork,
    provider: str,
    number: int,
    purposes: Iterable[StatusPurpose],
    *,
    keys: KeyStore,
    settings: Settings,
    now: datetime,
) -> None:
    """Regenerate and re-sign the provider's list ``number`` for ``purposes`` from the credentials' states.

    The list's flagged credentials are read once for every purpose, so a re-signing costs what the revoked
    and suspended credentials cost, not the list's size."""
    flags = work.credentials.status_flags(provider, number)
    for purpose in purposes:
        bits = (index for flag in flags if (index := flag.bit(purpose)) is not None)
        sign_status_list(work, provider, purpose, number, bits, keys=keys, settings=settings, now=now)


def sign_status_list(
    work: UnitOfWork,
    provider: str,
    purpose: StatusPurpose,
    number: int,
    bits: Iterable[int],
    *,
    keys: KeyStore,
    settings: Settings,
    now: datetime,
) -> None:
    """Sign and store the provider's list ``number`` for ``purpose`` with ``bits`` set, as served at its URL."""
    # A bitstring never shorter than §6.1's minimum, even for a list of few credentials (a test's).
    length = max(MINIMUM_BITS, -(-work.credentials.status_list_size(provider, number) // 8) * 8)
    # MESSAGE_STATUS_SIZE bits per credential in the message list, at its revocation index
    status_list = StatusList(length * MESSAGE_STATUS_SIZE if purpose is StatusPurpose.MESSAGE else length)
    for index in bits:
        status_list.set(index)
    unsigned = status_list_credential(
        url=status_list_url(settings.public_base_url, provider, purpose, number),
        issuer=keys.did(provider),
        status_list=status_list,
        valid_from=timestamp(now),
        purpose=purpose.value,
    )
    signing_key, method = keys.signing_key(work, provider, now)
    signed = add_proof(
        unsigned, suite=EDDSA_RDFC_2022, signing_key=signing_key, verification_method=method, created=now
    )
    work.credentials.store_status_list_document(provider, purpose, _json(signed), number)


def resign_status_lists(
    work: UnitOfWork,
    provider: str,
    *,
    keys: KeyStore,
    settings: Settings,
    now: datetime,
    numbers: Iterable[int],
    purposes: tuple[StatusPurpose, ...] = (StatusPurpose.SUSPENSION, StatusPurpose.MESSAGE),
) -> None:
    """Regenerate and re-sign the provider's lists ``numbers`` for ``purposes`` (by default those a review
    changes). Name only the lists whose bits changed: each re-signing reads a list's flagged credentials."""
    for number in sorted(set(numbers)):
        store_status_lists(work, provider, number, purposes, keys=keys, settings=settings, now=now)


def change_state(
    credential_id: str,
    change: StateChange,
    reason: str,
    *,
    uow: UnitOfWorkFactory,
    keys: KeyStore,
    settings: Settings,
    clock: Clock,
    provider: str | None = None,
) -> Credential:
    """Revoke (for good), suspend or unsuspend a credential; its list and any stacked credential built on
    it change in the same transaction."""
    uuid = credential_urn(credential_id)
    with uow() as work:
        owner = work.credentials.get(uuid).provider
        if provider is not None and owner != provider:
            raise NotFound("no-credential", uuid=uuid)
        work.credentials.lock_status_lists(owner, size=settings.status_list_size)
        credential = work.credentials.get(uuid)  # read again under the lock
        now = clock()
        apply, purposes = _CHANGES[change]
        apply(credential, reason, now)
        work.credentials.save_state(credential)
        resign_status_lists(
            work,
            owner,
            keys=keys,
            settings=settings,
            now=now,
            numbers=(credential.status_list,),
            purposes=purposes,
        )
        if credential.state is not CredentialState.ACTIVE:
            _flag_stacked(work, credential, keys=keys, settings=settings, now=now)
        work.commit()
    return credential


def _flag_stacked(
    work: UnitOfWork, component: Credential, *, keys: KeyStore, settings: Settings, now: datetime
) -> None:
    """Every stacked credential built on ``component`` goes under review, in the same transaction: it reads
    as suspended in its issuer's status lists until a person keeps or revokes it, never silently valid."""
    reason = f"component-{component.state.value}"
    for stacked in work.stacking.stacked_with_component(component.uuid):
        if not stacked.flag_for_review(reason, now):
            continue
        if stacked.provider != component.provider:
            work.credentials.lock_status_lists(stacked.provider, size=settings.status_list_size)
        work.stacking.save_stacked_state(stacked)
        number = work.credentials.list_of_position(stacked.provider, stacked.revocation_index)
        resign_status_lists(work, stacked.provider, keys=keys, settings=settings, now=now, numbers=(number,))


def status_list_document(
    provider: str, purpose: StatusPurpose | str, uow: UnitOfWorkFactory, *, number: int = 1
) -> dict[str, Any]:
    """The provider's signed status list credential ``number`` for ``purpose``, as served at its URL."""
    try:
        wanted = StatusPurpose(purpose)
    except ValueError:
        raise NotFound("no-status-list-purpose", purpose=purpose) from None
    with uow() as work:
        stored = work.credentials.status_list_document(provider, wanted, number)
    if stored is None:
        raise NotFound("no-status-list-yet", provider=provider, purpose=wanted.value)
    document: dict[str, Any] = json.loads(stored)
    return document


def rotate_key(provider: str, *, uow: UnitOfWorkFactory, keys: KeyStore, settings: Settings, clock: Clock) -> str:
    """Retire the provider's key and make a new one; re-sign all its status lists. Returns the new public key."""
    with uow() as work:
        work.credentials.lock_status_lists(provider, size=settings.status_list_size)
        now = clock()
        record = keys.rotate(work, provider, now)
        numbers = work.credentials.status_list_numbers(provider)
        resign_status_lists(
            work, provider, keys=keys, settings=settings, now=now, numbers=numbers, purposes=tuple(StatusPurpose)
        )
        work.commit()
    return record.public_key_multibase
