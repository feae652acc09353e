"""A learner's progress on stack rules: which of their credentials count, and what is still missing.

A credential counts towards a rule only when it verifies here (signature, issuer, status, and a provider
trusted on its issue date); the verdict is kept while nothing it depends on changes (``services.verdicts``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from microcred.credentials.clr import digest_sri
from microcred.credentials.urls import credential_url
from microcred.domain import Credential, Edition, LangText
from microcred.domain.stacked import StackedCredential
from microcred.domain.stacking import CompiledRule, HeldCredential, Holding, StackProgress, StackRule
from microcred.services.dependencies import Dependencies
from microcred.services.ports import UnitOfWork
from microcred.services.verdicts import settle, verdicts
from microcred.services.verification import verify_documents

__all__ = ["Progress", "ProgressLookups", "held_credentials", "held_of_holdings"]

# What must pass for a credential to count: not the validity period (the rule's maximum age decides that).
_MUST_PASS = ("well-formed", "signature", "issuer", "trusted-provider", "status")


@dataclass(frozen=True, slots=True)
class Progress:
    """A learner's progress on one rule, with the upcoming editions that would complete a missing component."""

    progress: StackProgress
    upcoming: Mapping[str, Sequence[Edition]] = field(default_factory=dict)  # component key -> editions
    stacked: StackedCredential | None = None
    titles: Mapping[str, LangText] = field(default_factory=dict)  # component key -> the offering's title


def _counts(deps: Dependencies, credentials: Sequence[Credential]) -> list[bool]:
    """Whether each credential verifies as a component: every check but the validity period passes. One
    transaction for the lot, each provider's keys, lists and trust read once (``verify_documents``)."""
    results = verify_documents(
        [credential.document for credential in credentials],
        uow=deps.uow,
        keys=deps.keys,
        clock=deps.clock,
        remote=None,
        trust_date="valid-from",
    )
    return [all(result.check(name).passed for name in _MUST_PASS) for result in results]


def held_credentials(deps: Dependencies, credentials: Sequence[Credential]) -> list[HeldCredential]:
    """The learner's credentials as rules see them, each verified here (outside any write transaction), or
    its verdict reused while nothing it depends on changed (``services.verdicts``)."""
    base = deps.public_base_url
    found = verdicts(deps.uow, credentials, lambda some: _counts(deps, some))
    held: list[HeldCredential] = []
    with deps.uow() as work:
        offerings = work.stacking.component_offerings([f"{c.provider}/{c.offering_code}" for c in credentials])
        for credential in credentials:
            offering = offerings[f"{credential.provider}/{credential.offering_code}"]
            held.append(
                HeldCredential(
                    credential_id=credential.uuid,
                    url=credential_url(base, credential.uuid),
                    digest=digest_sri(credential.document_json),
                    provider=credential.provider,
                    offering_code=credential.offering_code,
                    issued_on=credential.issued_at.date(),
                    ects=offering.ects,
                    eqf_level=offering.eqf_level,
                    verified=found[credential.uuid],
                )
            )
    return held


def held_of_holdings(deps: Dependencies, holdings: Sequence[Holding]) -> list[HeldCredential]:
    """``held_credentials`` for the evaluation job, on credentials read without their documents: the kept
    verdict while its token holds; a credential whose token moved (or that was never verified) is read
    whole and verified exactly as a wallet page verifies it, and its verdict kept. The documents are not read
    otherwise, so no digest is given: the job only counts and references no component."""
    found: dict[str, bool] = {h.uuid: h.verdict.kept for h in holdings if h.verdict.kept is not None}
    unknown = {h.uuid: h.verdict for h in holdings if h.verdict.kept is None}
    if unknown:
        with deps.uow() as work:
            learners = sorted({h.learner for h in holdings if h.uuid in unknown})
            credentials = [c for c in work.wallet.credentials_of_learners(learners) if c.uuid in unknown]
        found.update(settle(deps.uow, credentials, unknown, lambda some: _counts(deps, some)))
    base = deps.public_base_url
    return [
        HeldCredential(
            credential_id=h.uuid,
            url=credential_url(base, h.uuid),
            digest=None,
            provider=h.provider,
            offering_code=h.offering_code,
            issued_on=h.issued_on,
            ects=h.ects,
            eqf_level=h.eqf_level,
            verified=found.get(h.uuid, False),  # gone since it was read: it does not count
        )
        for h in holdings
    ]


class ProgressLookups:
    """What progress shows besides the evaluation (titles, upcoming editions, the stacked credential), read
    once per offering and once for the learners however many rules share them: a wallet page evaluates
    every rule the learner started (200 rules read 1,000 offerings one by one before)."""

    def __init__(self, work: UnitOfWork, pseudonyms: Sequence[str], rules: Sequence[StackRule]) -> None:
        self._work = work
        offerings = work.stacking.component_offerings(sorted({c.key for rule in rules for c in rule.components}))
        self._titles = {key: offering.title for key, offering in offerings.items()}
        stacked = work.stacking.stacked_of_learners(list(pseudonyms))  # newest first: keep the first per rule
        self._stacked: dict[tuple[str, str], StackedCredential] = {}
        for found in stacked:
            self._stacked.setdefault((found.provider, found.rule_code), found)

    def progress_of(
        self, rules: Sequence[StackRule], by_key: Mapping[str, Sequence[HeldCredential]], today: date
    ) -> list[Progress]:
        """Each rule's progress on the learner's credentials grouped once (``by_offering``), the upcoming
        editions of every missing component read in one query (a wallet page misses hundreds; one query
        each took a third of its time)."""
        found = [CompiledRule(rule, today).progress(by_key) for rule in rules]
        missing = {state.component.key: state.component for one in found for state in one.missing}
        editions: dict[str, list[Edition]] = {key: [] for key in missing}
        pairs = sorted((c.provider, c.offering_code) for c in missing.values())
        for edition in self._work.editions.upcoming_of_offerings(pairs, from_day=today):
            editions[f"{edition.provider}/{edition.offering_code}"].append(edition)
        return [
            Progress(
                one,
                {state.component.key: editions[state.component.key] for state in one.missing},
                self._stacked.get((one.rule.provider, one.rule.code)),
                {c.key: self._titles[c.key] for c in one.rule.components if c.key in self._titles},
            )
            for one in found
        ]
