"""The desk's bulk credential offers: after issuing an edition, e-mail each learner an offer of their own credential.

Each learner with an *active* credential of the edition and a contact address recorded by the same provider
gets one bilingual e-mail with an OpenID4VCI offer by reference that carries only the authorization code
grant (its ``issuer_state``): their wallet app sends them to sign in and approve (decision 0033), so no
pre-authorized code or PIN travels by e-mail (decision 0034). An offer lives :data:`MAILED_OFFER_LIFETIME`,
as the mail says. Each learner is one transaction: the offer row (marked mailed), the job's item and the
sending commit together, so a resumed job mails nobody twice, and a second mailing of the edition skips
every credential mailed before unless staff ask to send again. Results hold counts and credential ids only.
"""

from __future__ import annotations

from collections.abc import Callable
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


def mail_offers(
    deps: Dependencies,
    provider: str,
    edition: str,
    *,
    again: bool = False,
    done_before: frozenset[str] = frozenset(),
    progress: Callable[[int, int], None] = lambda done, total: None,
    within: Callable[[UnitOfWork, str], None] = lambda work, credential: None,
) -> dict[str, Any]:
    """Mail an offer for every active credential of ``provider``'s ``edition`` whose learner this provider
    can reach; skip those mailed before (unless ``again``) and ``done_before`` (mailed by this job already).

    ``within`` runs in each learner's transaction before it commits (the job records its item there)."""
    issuance = Oid4vci(deps)
    with deps.uow() as work:
        work.editions.get(provider, edition)  # another provider's edition is not found
        targets = work.oid4vci.mail_targets(provider, edition)
        mailed_before = set() if again else work.oid4vci.mailed_credentials([uuid for uuid, _ in targets])
        name = work.providers.get(provider).name
    reachable = [(uuid, email) for uuid, email in targets if email is not None]
    pending = [(uuid, email) for uuid, email in reachable if uuid not in mailed_before and uuid not in done_before]
    mailed: list[str] = []
    raced = 0
    for position, (credential, email) in enumerate(pending):
        progress(position, len(pending))
        with deps.uow() as work:
            if not again and work.oid4vci.mailed_credentials([credential]):
                raced += 1  # another job mailed it since this one looked
                continue
            within(work, credential)
            link = issuance.add_mailed_offer(work, credential, lifetime=MAILED_OFFER_LIFETIME)
            message = compose_bilingual(
                to=email,
                message="credential_offer",
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
        mailed.append(credential)
    progress(len(pending), len(pending))
    return {
        "edition": edition,
        "mailed": len(mailed) + len(done_before),
        "already_mailed": len([uuid for uuid, _ in reachable if uuid in mailed_before - done_before]) + raced,
        "without_address": len(targets) - len(reachable),
        "credentials": [*sorted(done_before), *mailed],
    }
