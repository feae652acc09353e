"""A provider's status lists have no ceiling: a full list makes way for the next, indexes are drawn at
random within a list, and every credential keeps one status entry that verifies (issue 16, decision 0021).

The lists hold 16 credentials here (``MICROCRED_STATUS_LIST_SIZE``), so a test crosses list boundaries
with a few dozen credentials, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from microcred.asgi import create_app
from microcred.bootstrap import Register, build
from microcred.credentials.status_list import MINIMUM_BITS, StatusList, shuffled_indexes
from microcred.domain import Credential, StatusPurpose
from microcred.services import issuance, status_lists, verification
from microcred.services.status_lists import StateChange
from microcred.settings import Settings
from microcred.storage import migrate
from tests.credentials.register_setup import Seeded, later, seed

LIST_SIZE = 16


@pytest.fixture
def small_lists(settings: Settings) -> Iterator[Register]:
    wired = build(settings.model_copy(update={"status_list_size": LIST_SIZE}))
    yield wired
    wired.close()


def _status(seeded: Seeded, credential: Credential) -> str:
    wired = seeded.register
    result = verification.verify_document(
        credential.document, uow=wired.uow, keys=wired.key_store, clock=seeded.clock, remote=wired.remote
    )
    return next(check.outcome for check in result.checks if check.name == "status")


def _change(seeded: Seeded, action: StateChange, credential: Credential) -> None:
    seeded.change(action, credential.uuid)


def _message_values(seeded: Seeded, number: int) -> dict[int, int]:
    """The non-zero two-bit values of the provider's message list ``number``, by index."""
    listed = status_lists.status_list_document("hoge", "message", seeded.register.uow, number=number)
    bits = StatusList.decode(listed["credentialSubject"]["encodedList"])
    assert bits.length == 2 * MINIMUM_BITS, "a list of 16 still publishes the minimum bitstring (§6.1)"
    return {index: bits.value(index, 2) for index in range(LIST_SIZE) if bits.value(index, 2)}


def test_a_provider_passing_list_boundaries_keeps_issuing_revoking_and_verifying(small_lists: Register) -> None:
    seeded = seed(small_lists, passed=2 * LIST_SIZE + 4)
    issued = [seeded.issue(f"P-{n}") for n in range(1, 2 * LIST_SIZE + 5)]

    assert [c.status_list for c in issued] == [1] * LIST_SIZE + [2] * LIST_SIZE + [3] * 4
    for number in (1, 2):
        in_list = [c.status_indexes[StatusPurpose.REVOCATION] for c in issued if c.status_list == number]
        assert sorted(in_list) == list(range(LIST_SIZE)), "a full list used each of its indexes once"
        assert in_list != sorted(in_list), "indexes are drawn at random, not in issue order"
    base = small_lists.settings.public_base_url.rstrip("/")
    for credential in issued:
        entry: dict[str, Any] = credential.document["credentialStatus"]  # one object, not a list
        assert entry["statusPurpose"] == "message"
        assert entry["statusListIndex"] == str(credential.status_indexes[StatusPurpose.REVOCATION])
        suffix = "" if credential.status_list == 1 else f"/{credential.status_list}"
        assert entry["statusListCredential"] == f"{base}/providers/hoge/status/message{suffix}"
        stored = issuance.get_credential(credential.uuid, uow=small_lists.uow)
        assert (stored.status_list, stored.status_indexes) == (credential.status_list, credential.status_indexes)

    revoked, suspended, kept = issued[LIST_SIZE + 3], issued[2 * LIST_SIZE + 1], issued[2]
    _change(seeded, "revoke", revoked)
    _change(seeded, "suspend", suspended)
    assert [_status(seeded, c) for c in (revoked, suspended, kept)] == ["fail", "fail", "pass"]
    assert all(_status(seeded, c) == "pass" for c in issued if c not in (revoked, suspended))
    assert _message_values(seeded, 1) == {}, "list 1 is untouched by changes in lists 2 and 3"
    assert _message_values(seeded, 2) == {revoked.status_indexes[StatusPurpose.REVOCATION]: 0x2}
    assert _message_values(seeded, 3) == {suspended.status_indexes[StatusPurpose.REVOCATION]: 0x1}
    _change(seeded, "unsuspend", suspended)
    assert _status(seeded, suspended) == "pass"


def test_later_lists_are_served_at_their_own_url(small_lists: Register) -> None:
    seeded = seed(small_lists, passed=LIST_SIZE + 1)
    for n in range(1, LIST_SIZE + 2):
        seeded.issue(f"P-{n}")
    with TestClient(create_app(small_lists)) as client:
        first = client.get("/providers/hoge/status/message")
        second = client.get("/providers/hoge/status/message/2")
        assert first.status_code == second.status_code == 200
        assert second.json()["id"] == second.json()["id"].split("/status/")[0] + "/status/message/2"
        assert first.json()["id"] != second.json()["id"]
        assert client.get("/providers/hoge/status/revocation/2").status_code == 200
        assert client.get("/providers/hoge/status/message/3").status_code == 404
        assert client.get("/providers/hoge/status/message/0").status_code == 422


def test_a_list_that_handed_out_indexes_before_the_shuffle_never_hands_them_out_again(
    small_lists: Register,
) -> None:
    """A database from before decision 0021: list 1 gave indexes 0, 1, 2 in order and has no draw order."""
    seeded = seed(small_lists, passed=3)
    issued = [seeded.issue(f"P-{n}") for n in (1, 2, 3)]
    used = sorted(c.status_indexes[StatusPurpose.REVOCATION] for c in issued)
    migrate.downgrade(small_lists.engine, "credentials_0001")  # drops the draw order, keeps the positions
    migrate.upgrade(small_lists.engine)
    with small_lists.uow() as work:
        drawn = [
            work.credentials.allocate_indexes("hoge", 1, size=LIST_SIZE, shuffled=shuffled_indexes)[0]
            for _ in range(LIST_SIZE - 3 + 1)
        ]
    assert sorted(index for number, index in drawn if number == 1) == sorted(set(range(LIST_SIZE)) - set(used))
    assert drawn[-1] == (2, drawn[-1][1]), "the next draw opens list 2"


def test_the_draw_order_is_a_permutation_and_not_the_order_of_issue() -> None:
    order = shuffled_indexes(range(4096))
    assert sorted(order) == list(range(4096))
    assert order != list(range(4096))
    assert shuffled_indexes(range(4096)) != order, "each list draws its own order"


def test_a_production_register_refuses_lists_smaller_than_the_group_privacy_minimum() -> None:
    secrets = {
        "pseudonym_pepper": "p" * 32,
        "key_encryption_key": "k" * 32,
        "session_secret": "s" * 32,
        "smtp_host": "smtp.example.org",
        "environment": "production",
    }
    with pytest.raises(ValueError, match="MICROCRED_STATUS_LIST_SIZE"):
        Settings(status_list_size=LIST_SIZE, **secrets)  # type: ignore[arg-type]
    assert Settings(**secrets).status_list_size == MINIMUM_BITS  # type: ignore[arg-type]


def _list_documents(register: Register, number: int) -> dict[StatusPurpose, str | None]:
    with register.uow() as work:
        return {purpose: work.credentials.status_list_document("hoge", purpose, number) for purpose in StatusPurpose}


def test_a_change_re_signs_only_the_list_holding_the_credential_and_a_key_rotation_all(small_lists: Register) -> None:
    seeded = seed(small_lists, passed=LIST_SIZE + 1)
    issued = [seeded.issue(f"P-{n}") for n in range(1, LIST_SIZE + 2)]
    before = {number: _list_documents(small_lists, number) for number in (1, 2)}
    wired, an_hour_later = seeded.register, later(seeded.clock, hours=1)  # a re-signed list gets a new proof
    in_second = next(credential for credential in issued if credential.status_list == 2)
    seeded.change("revoke", in_second.uuid, clock=an_hour_later)
    revoked = {number: _list_documents(small_lists, number) for number in (1, 2)}
    assert revoked[1] == before[1], "list 1 holds no changed bit: it is not re-signed"
    assert all(revoked[2][purpose] != before[2][purpose] for purpose in StatusPurpose)
    status_lists.rotate_key(
        "hoge", uow=wired.uow, keys=wired.key_store, settings=wired.settings, clock=later(seeded.clock, hours=2)
    )
    rotated = {number: _list_documents(small_lists, number) for number in (1, 2)}
    assert all(rotated[n][purpose] != revoked[n][purpose] for n in (1, 2) for purpose in StatusPurpose)
