"""The desk's bulk credential offers: after issuing an edition, e-mail each learner an offer of their own credential.

Each learner with an *active* credential of the edition and a contact address recorded by the same provider
gets one bilingual e-mail with an OpenID4VCI offer by reference that carries only the authorization code
grant (its ``issuer_state``): their wallet app sends them to sign in and approve (decision 0033), so no
pre-authorized code or PIN travels by e-mail (decision 0034). With ``pending``, so does each learner who
passed but whose credential is not issued yet: their wallet's request is deferred until it is (decision 0035).
An offer lives :data:`MAILED_OFFER_LIFETIME`, as the mail says. Each learner is one transaction, which first
locks the learner's enrolment: the offer row (marked mailed), the job's item and the sending commit together,
so a resumed job mails nobody twice, two jobs at the same moment take turns, and a second mailing of the
edition skips everyone mailed before unless staff ask to send again. Results hold counts
and credential ids (``enrolment/<reference>`` for a pending one) only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from microcred.errors import MicrocredError
from microcred.services.dependencies import Dependencies
from microcred.services.mail import compose_bilingual
from microcred.services.oid4vci import Oid4vci
from microcred.services.ports import UnitOfWork

__all__ = ["MAILED_OFFER_LIFETIME", "mail_offers"]

MAILED_OFFER_LIFETIME = timedelta(days=14)
"""How long a mailed offer can be taken up: long enough for a learner to read their mail and install a
wallet app; the learner still signs in to approve, so the link alone gives nothing."""


@dataclass(frozen=True, slots=True)
class _Target:
    """One learner to mail: the job's item key, the address, and the credential or pending enrolment offered."""

    item: str
    email: str | None
    credential: str | None = None
    enrolment_id: int | None = None


def _targets(
    work: UnitOfWork, provider: str, edition: str, *, again: bool, pending: bool
) -> tuple[list[_Target], set[str]]:
    """Everyone the mailing is about, and the items of those mailed before (empty with ``again``)."""
    targets = [_Target(uuid, email, credential=uuid) for uuid, email in work.oid4vci.mail_targets(provider, edition)]
    mailed_before = set() if again else work.oid4vci.mailed_credentials([t.item for t in targets])
    if pending:
        waiting = [
            _Target(f"enrolment/{reference}", email, enrolment_id=enrolment)
            for enrolment, reference, email in work.deferred.pending_targets(provider, edition)
        ]
        if not again:
            mailed = work.deferred.mailed_enrolments([t.enrolment_id for t in waiting if t.enrolment_id is not None])
            mailed_before |= {t.item for t in waiting if t.enrolment_id in mailed}
        targets += waiting
    return targets, mailed_before


def _mailed_meanwhile(work: UnitOfWork, target: _Target) -> bool:
    """Whether another mailing offered it since this one looked; asked under the lock of the learner's
    enrolment, so a mailing at the very same moment waits for this one's commit and then sees its offer."""
    work.oid4vci.hold_for_mailing(credential_uuid=target.credential, enrolment_id=target.enrolment_id)
    if target.credential is not None:
        return bool(work.oid4vci.mailed_credentials([target.credential]))
    assert target.enrolment_id is not None
    return bool(work.deferred.mailed_enrolments([target.enrolment_id]))


def mail_offers(
    deps: Dependencies,
    provider: str,
    edition: str,
    *,
    again: bool = False,
    pending: bool = False,
    done_before: frozenset[str] = frozenset(),
    progress: Callable[[int, int], None] = lambda done, total: None,
    within: Callable[[UnitOfWork, str], None] = lambda work, credential: None,
) -> dict[str, Any]:
    """Mail an offer for every active credential of ``provider``'s ``edition`` (and, with ``pending``, every
    passed enrolment's credential not issued yet) whose learner this provider can reach; skip those mailed
    before (unless ``again``) and ``done_before`` (mailed by this job already).

    ``within`` runs in each learner's transaction before it commits (the job records its item there)."""
    issuance = Oid4vci(deps)
    with deps.uow() as work:
        work.editions.get(provider, edition)  # another provider's edition is not found
        targets, mailed_before = _targets(work, provider, edition, again=again, pending=pending)
        name = work.providers.get(provider).name
    reachable = [target for target in targets if target.email is not None]
    to_mail = [t for t in reachable if t.item not in mailed_before and t.item not in done_before]
    mailed: list[str] = []
    raced = 0
    for position, target in enumerate(to_mail):
        progress(position, len(to_mail))
        with deps.uow() as work:
            if _mailed_meanwhile(work, target) and not again:
                raced += 1  # another job mailed it since this one looked
                continue
            within(work, target.item)
            link = issuance.add_mailed_offer(
                work, target.credential, lifetime=MAILED_OFFER_LIFETIME, enrolment_id=target.enrolment_id
            )
            message = compose_bilingual(
                to=str(target.email),
                message="credential_offer" if target.credential is not None else "credential_offer_pending",
                localised={lang: {"provider": name.get(lang)} for lang in ("en", "nl")},
                edition=edition,
                link=link,
                days=MAILED_OFFER_LIFETIME.days,
            )
            try:
                deps.mailer.send(message)
            except OSError as error:  # nothing of this learner is kept: a new run sends it and the rest
                raise MicrocredError("offer-mail-failed", mailed=len(mailed) + len(done_before)) from error
            work.commit()  # sent, then kept
        mailed.append(target.item)
    progress(len(to_mail), len(to_mail))
    return {
        "edition": edition,
        "mailed": len(mailed) + len(done_before),
        "pending": len([item for item in [*done_before, *mailed] if item.startswith("enrolment/")]),
        "already_mailed": len([t for t in reachable if t.item in mailed_before - done_before]) + raced,
        "without_address": len(targets) - len(reachable),
        "credentials": [*sorted(done_before), *mailed],
    }
