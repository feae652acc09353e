"""A status list re-signed from one read of its flagged credentials has exactly the bits it had when each
purpose was rebuilt from every credential of the list (the path before migration credentials_0004).

The reference below is that earlier path, kept here as the oracle: for each purpose, every credential and
stacked credential in the list's block, filtered by state. The register has revoked, suspended, unsuspended
and suspended-then-revoked credentials, a stacked credential under review and a revoked one, across two
lists, so every purpose of every list has something to compare.
"""

from __future__ import annotations

from sqlalchemy import Table, select

from microcred.credentials.status_list import StatusList
from microcred.domain import CredentialState, StatusPurpose
from microcred.domain.stacked import StackedState
from microcred.services import status_lists
from microcred.services.status_lists import StateChange
from microcred.settings import Settings
from microcred.storage.credential_tables import credentials
from microcred.storage.repositories import SqlProviderRepository
from microcred.storage.stacking_tables import stacked_credentials
from tests.services.stacking_setup import INSZ, SHARED, Stacked, enrol_under_register, rule, seed


def _bits_as_before(stacked: Stacked, purpose: StatusPurpose, number: int) -> list[int]:
    """The bits of list ``number`` for ``purpose`` as ``set_bits`` found them before: the list's whole block,
    per table, filtered by state (a message bit at ``2i`` revoked, ``2i + 1`` suspended)."""
    found: list[int] = []
    with stacked.register.uow() as work:
        first = work.credentials.list_position("hoge", number, 0)
        last = first + work.credentials.status_list_size("hoge", number) - 1
        provider_id = SqlProviderRepository(work.connection).id_of("hoge")
        table: Table
        for table, suspended in (
            (credentials, CredentialState.SUSPENDED.value),
            (stacked_credentials, StackedState.REVIEW.value),
        ):
            rows = work.connection.execute(
                select(table.c.revocation_index, table.c.suspension_index, table.c.state).where(
                    table.c.provider_id == provider_id, table.c.revocation_index.between(first, last)
                )
            ).all()
            for revocation, suspension, state in rows:
                if purpose is StatusPurpose.MESSAGE and state in (CredentialState.REVOKED.value, suspended):
                    found.append(2 * (revocation - first) + (state == suspended))
                elif purpose is StatusPurpose.REVOCATION and state == CredentialState.REVOKED.value:
                    found.append(revocation - first)
                elif purpose is StatusPurpose.SUSPENSION and state == suspended:
                    found.append(suspension - first)
    return sorted(found)


def _signed_bits(stacked: Stacked, purpose: StatusPurpose, number: int) -> list[int]:
    document = status_lists.status_list_document("hoge", purpose, stacked.register.uow, number=number)
    return StatusList.decode(document["credentialSubject"]["encodedList"]).set_indexes()


def _change(stacked: Stacked, uuid: str, change: StateChange) -> None:
    wired = stacked.register
    status_lists.change_state(
        uuid, change, "test", uow=wired.uow, keys=wired.key_store, settings=wired.settings, clock=stacked.clock
    )


def test_lists_re_signed_from_their_flags_keep_the_bits_of_the_whole_list_rebuild(settings: Settings) -> None:
    stacked = seed(settings.model_copy(update={"status_list_size": 3}))  # six credentials: lists 1 and 2
    register = stacked.register
    shared = enrol_under_register(stacked)
    register.stacking.put_rule("hoge", rule())
    first = register.stacking.issue("hoge", "PG", INSZ)
    second = register.stacking.issue("hoge", "PG", SHARED, learner_scheme="register")
    _change(stacked, shared["A"].uuid, "suspend")  # the second stacked credential goes under review ...
    _change(stacked, shared["A"].uuid, "unsuspend")  # ... and stays there after the unsuspension
    stacked.revoke("A")  # the first stacked credential goes under review
    register.stacking.decide_review("hoge", first.uuid, keep=False, reason="A was revoked")
    _change(stacked, stacked.credentials["B"].uuid, "suspend")
    _change(stacked, stacked.credentials["B"].uuid, "revoke")  # suspended, then revoked
    _change(stacked, shared["B"].uuid, "suspend")
    with register.uow() as work:
        numbers = work.credentials.status_list_numbers("hoge")
        assert work.stacking.get_stacked(second.uuid).state is StackedState.REVIEW
    assert numbers == [1, 2]
    for number in numbers:  # every list's documents as a change of state leaves them, then re-signed all at once
        for purpose in StatusPurpose:
            assert _signed_bits(stacked, purpose, number) == _bits_as_before(stacked, purpose, number)
    register.issuance.rotate_key("hoge")  # every purpose of every list re-signed in one go
    totals = dict.fromkeys(StatusPurpose, 0)
    for number in numbers:
        for purpose in StatusPurpose:
            signed = _signed_bits(stacked, purpose, number)
            assert signed == _bits_as_before(stacked, purpose, number), (purpose, number)
            totals[purpose] += len(signed)
    # revoked: A, B and the first stacked credential; suspended: hoge's shared B and the second under review
    assert totals == {StatusPurpose.REVOCATION: 3, StatusPurpose.SUSPENSION: 2, StatusPurpose.MESSAGE: 5}
