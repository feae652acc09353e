"""The plans of the wallet endpoints' look-ups since an offer may be of a credential or of an enrolment whose
credential comes later (decision 0035): the join on either must read credentials by index, not scan them."""

from __future__ import annotations

from datetime import timedelta

from microcred.bootstrap import Register
from tests.credentials.register_setup import seed
from tests.storage.query_plans import plan, statements


def _scans_credentials(plan: list[str]) -> bool:
    return any(line.startswith("SCAN credentials") or "Seq Scan on credentials" in line for line in plan)


def test_an_offer_and_an_access_tokens_offer_read_credentials_by_index(register: Register) -> None:
    seeded = seed(register, passed=3)
    credential = seeded.issue("P-1")
    now = register.clock()
    with register.uow() as work:
        [pending] = [e for e, ref, _ in work.deferred.pending_targets("hoge", "DLT-2024") if ref == "P-2"]
        work.oid4vci.add_offer(credential.uuid, public_id="issued", code_hash="a" * 64, created_at=now, expires_at=now)
        work.oid4vci.add_offer(
            None, public_id="pending", code_hash="b" * 64, created_at=now, expires_at=now, enrolment_id=pending
        )
        offer = work.oid4vci.offer("pending")
        assert offer is not None
        work.oid4vci.add_token(offer.id, token_hash="c" * 64, expires_at=now + timedelta(minutes=5))
        work.commit()
    for look_up in (
        lambda work: work.oid4vci.offer("issued"),
        lambda work: work.oid4vci.offer("pending"),
        lambda work: work.oid4vci.offer_of_token("c" * 64, now),
    ):
        with statements(register, "credential_offers") as seen, register.uow() as work:
            look_up(work)
        assert seen
        found = plan(register, *seen[-1])
        assert not _scans_credentials(found), found
