"""Stack rules, a learner's progress on them, and the stacked credential a met rule earns.

A provider edits only its own rules and acts only for learners who enrolled with it. A learner's
credentials count towards a rule only when they verify here: signature, issuer, status, and a provider
trusted on the credential's issue date (:func:`microcred.services.verification.verify_document`). The
stacked credential is issued once per rule and learner; asking again returns it.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from microcred.credentials.clr import StackAward, StackPart, stacked_document
from microcred.credentials.cryptosuites import EDDSA_RDFC_2022
from microcred.credentials.elm_stack import ElmStackPart, stacked_elm_document
from microcred.credentials.ob3 import LearnerIdentity, achievement_id
from microcred.credentials.pdf_stack import stacked_certificate_pdf
from microcred.credentials.proofs import add_proof
from microcred.credentials.urls import credential_url, verify_page_url
from microcred.domain import Credential, LearnerScheme, StatusPurpose, credential_urn, ects
from microcred.domain.fields.stacking import STACK_RULE
from microcred.domain.stacked import ComponentReference, StackedCredential
from microcred.domain.stacking import HeldCredential, StackProgress, StackRule, by_offering, evaluate
from microcred.errors import Conflict, FieldProblem, Invalid, NotFound
from microcred.services import status_lists
from microcred.services.dependencies import Dependencies
from microcred.services.enrolments import Enrolments
from microcred.services.ports import UnitOfWork
from microcred.services.stacking_bulk import RuleTally, evaluate_all
from microcred.services.stacking_progress import Progress, ProgressLookups, held_credentials

__all__ = ["Stacking"]


def _json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def _check_components(work: UnitOfWork, rule: StackRule) -> None:
    problems: list[FieldProblem] = []
    for position, component in enumerate(rule.components):
        try:
            work.offerings.get(component.provider, component.offering_code)
        except NotFound:
            problems.append(FieldProblem(f"components[{position}]", "stack-component-unknown", component.key))
    if problems:
        raise Invalid("invalid-input", problems=problems)


class Stacking:
    """Stack rules, progress and stacked credentials, bound to one register (decision 0024)."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps

    # -- rules ---------------------------------------------------------------------------------------------

    def put_rule(self, provider: str, values: Mapping[str, Any]) -> tuple[StackRule, bool]:
        """Create or replace the provider's rule ``values["code"]``; True when it is new."""
        given = {**values, "provider": provider}
        for name in ("min_ects", "ects"):  # a number or text from a file or the command line
            if given.get(name) is not None and not isinstance(given[name], Decimal):
                given[name] = ects(given[name], field=name)
        try:
            rule = STACK_RULE.build(given)
        except (TypeError, ValueError) as error:
            raise Invalid.field("rule", "stack-rule-shape", str(error)) from None
        rule.validate()
        with self._deps.uow() as work:
            work.providers.id_of(provider)
            _check_components(work, rule)
            created = work.stacking.put_rule(rule)
            work.commit()
        return rule, created

    def get_rule(self, provider: str, code: str) -> StackRule:
        with self._deps.uow() as work:
            return work.stacking.get_rule(provider, code)

    def rules(self, provider: str) -> list[StackRule]:
        with self._deps.uow() as work:
            return work.stacking.rules_of(provider)

    def counts_towards(self, provider: str, offering_code: str) -> list[StackRule]:
        """The rules, of any provider, that this offering counts towards (an offering page's "counts towards")."""
        with self._deps.uow() as work:
            return work.stacking.rules_with_components([(provider, offering_code)])

    # -- progress ------------------------------------------------------------------------------------------

    def _learner(self, provider: str, learner_id: str, scheme: LearnerScheme | str | None) -> str:
        return Enrolments(self._deps).learner_of_provider(provider, learner_id, scheme)

    def _held(
        self,
        pseudonyms: Sequence[str],
        grants: frozenset[tuple[str, str]] | None = None,
        credentials: Sequence[Credential] | None = None,
    ) -> list[HeldCredential]:
        """The learners' credentials (only those ``grants`` open, when given; read here unless the caller
        already read them), verified."""
        if credentials is None:
            with self._deps.uow() as work:
                credentials = work.wallet.credentials_of_learners(list(pseudonyms))
        if grants is not None:
            credentials = [c for c in credentials if (c.learner, c.provider) in grants]
        return held_credentials(self._deps, credentials)

    def _progress(self, rule: StackRule, held: Sequence[HeldCredential], pseudonyms: Sequence[str]) -> Progress:
        with self._deps.uow() as work:
            lookups = ProgressLookups(work, pseudonyms, [rule])
            return lookups.progress_of([rule], by_offering(held), self._deps.clock().date())[0]

    def progress(
        self, provider: str, code: str, learner_id: str, *, learner_scheme: LearnerScheme | str | None = None
    ) -> Progress:
        """The learner's progress on the provider's rule ``code`` (the learner must be the provider's; the
        identifier's scheme as at enrolment, detected when not given)."""
        pseudonym = self._learner(provider, learner_id, learner_scheme)
        rule = self.get_rule(provider, code)
        return self._progress(rule, self._held([pseudonym]), [pseudonym])

    def progress_of_grants(
        self, grants: frozenset[tuple[str, str]], *, credentials: Sequence[Credential] | None = None
    ) -> list[Progress]:
        """Every rule a learner has started (a credential held for a component), over the credentials
        the wallet's grants open (``(pseudonym, provider)`` pairs, services/wallet.py). A wallet page
        passes the ``credentials`` it has just listed, so they are not read twice per view."""
        pseudonyms = sorted({pseudonym for pseudonym, _ in grants})
        held = self._held(pseudonyms, grants, credentials)
        today = self._deps.clock().date()
        with self._deps.uow() as work:  # one transaction, each offering and its editions read once for all rules
            rules = work.stacking.rules_with_components(sorted({(h.provider, h.offering_code) for h in held}))
            found = ProgressLookups(work, pseudonyms, rules).progress_of(rules, by_offering(held), today)
        return [p for p in found if p.progress.started]

    def evaluate_all(
        self, provider: str | None = None, *, progress: Callable[[int, int], None] | None = None
    ) -> tuple[int, list[RuleTally]]:
        """Every rule (``provider``'s, for its own learners; every provider's when None) for every learner
        holding one of its components: how many learners were looked at, and per rule the counts."""
        return evaluate_all(self._deps, provider=provider, progress=progress)

    # -- the stacked credential ----------------------------------------------------------------------------

    def issue(
        self, provider: str, code: str, learner_id: str, *, learner_scheme: LearnerScheme | str | None = None
    ) -> StackedCredential:
        """Issue the stacked credential of a met rule (or return the one issued before)."""
        pseudonym = self._learner(provider, learner_id, learner_scheme)
        rule = self.get_rule(provider, code)
        found = self._issue(rule, pseudonym)
        if isinstance(found, StackProgress):
            missing = ", ".join(state.component.key for state in found.missing)
            raise Conflict("stack-not-met", code=code, missing=missing or "-")
        return found

    def issue_all(self, provider: str, code: str, *, progress: Callable[[int, int], None] | None = None) -> list[str]:
        """Issue the stacked credential to every learner of the provider who meets the rule and has none yet,
        one transaction each (a bulk job); the ids issued."""
        rule = self.get_rule(provider, code)
        with self._deps.uow() as work:
            candidates = work.stacking.candidates(rule)
        issued: list[str] = []
        for done, pseudonym in enumerate(candidates, start=1):
            found = self._issue(rule, pseudonym)
            if isinstance(found, StackedCredential):
                issued.append(found.uuid)
            if progress is not None:
                progress(done, len(candidates))
        return issued

    def _issue(self, rule: StackRule, pseudonym: str) -> StackedCredential | StackProgress:
        """The learner's stacked credential (issued now or before), or their progress when the rule is not met."""
        provider = rule.provider
        assert rule.id is not None
        with self._deps.uow() as work:
            existing = work.stacking.stacked_for(rule.id, pseudonym)
        if existing is not None:
            return existing
        found = evaluate(rule, self._held([pseudonym]), self._deps.clock().date())
        if not found.met:
            return found
        with self._deps.uow() as work:
            # first statement: serialises this provider's issuers
            work.credentials.lock_status_lists(provider, size=self._deps.settings.status_list_size)
            existing = work.stacking.stacked_for(rule.id, pseudonym)
            if existing is not None:
                return existing
            stacked = self._sign(work, rule, pseudonym, found)
            work.stacking.add_stacked(stacked, rule.id)
            work.commit()
        return stacked

    def _sign(self, work: UnitOfWork, rule: StackRule, pseudonym: str, found: StackProgress) -> StackedCredential:
        deps, now = self._deps, self._deps.clock()
        # the same lists and draw as the provider's other credentials (decision 0021): a random free index
        [draw] = status_lists.draw_statuses(work, rule.provider, 1, keys=deps.keys, settings=deps.settings, now=now)
        position = work.credentials.list_position(rule.provider, draw.number, draw.index)  # what the tables store
        signing_key, method = deps.keys.signing_key(work, rule.provider, now)
        references = []
        for state in found.done:
            held = state.counted
            assert held is not None
            assert held.digest is not None, "a stacked credential is signed on credentials read whole (_held)"
            references.append(ComponentReference(held.credential_id, held.url, held.digest))
        parts = self._parts(work, references)
        uuid = credential_urn()
        learner = LearnerIdentity(
            salt=secrets.token_hex(16), email=work.learners.email_of(pseudonym, rule.provider), pseudonym=pseudonym
        )
        award = self._award(work, rule, uuid, learner, parts, now, draw.list_url, draw.index)
        signed = add_proof(
            stacked_document(award),
            suite=EDDSA_RDFC_2022,
            signing_key=signing_key,
            verification_method=method,
            created=now,
        )
        return StackedCredential(
            uuid=uuid,
            provider=rule.provider,
            rule_code=rule.code,
            learner=pseudonym,
            components=tuple(references),
            revocation_index=position,
            suspension_index=position,
            issued_at=now,
            document_json=_json(signed),
        )

    def _parts(self, work: UnitOfWork, references: Sequence[ComponentReference]) -> list[StackPart]:
        """Each component as the stacked credential names it: its reference and its offering's achievement."""
        parts = []
        for reference in references:
            component = work.credentials.get(reference.credential_id)
            offering = work.offerings.get(component.provider, component.offering_code)
            parts.append(
                StackPart(
                    credential_id=reference.credential_id,
                    url=reference.url,
                    digest=reference.digest,
                    achievement_id=achievement_id(self._deps.public_base_url, offering.provider, offering.code),
                    title=offering.title,
                    ects=offering.ects,
                )
            )
        return parts

    def _award(
        self,
        work: UnitOfWork,
        rule: StackRule,
        uuid: str,
        learner: LearnerIdentity,
        parts: Sequence[StackPart],
        issued_at: datetime,
        status_url: str,
        status_index: int,
    ) -> StackAward:
        deps = self._deps
        return StackAward(
            credential_id=uuid,
            rule_code=rule.code,
            title=rule.title,
            provider_name=work.providers.get(rule.provider).name,
            issuer_did=deps.keys.did(rule.provider),
            public_base_url=deps.public_base_url,
            provider=rule.provider,
            learner=learner,
            parts=parts,
            issued_at=issued_at,
            status_list_url=status_url,
            status_index=status_index,
            ects=rule.ects,
            eqf_level=rule.eqf_level,
        )

    def get_stacked(self, credential_id: str, *, provider: str | None = None) -> StackedCredential:
        """One stacked credential; another provider's is not found."""
        uuid = credential_urn(credential_id)
        with self._deps.uow() as work:
            stacked = work.stacking.get_stacked(uuid)
        if provider is not None and stacked.provider != provider:
            raise NotFound("no-credential", uuid=uuid)
        return stacked

    def stacked_of_provider(self, provider: str) -> list[StackedCredential]:
        with self._deps.uow() as work:
            return work.stacking.stacked_of_provider(provider)

    def decide_review(self, provider: str, credential_id: str, *, keep: bool, reason: str) -> StackedCredential:
        """Keep (active again) or revoke a stacked credential under review; its status lists are re-signed."""
        uuid = credential_urn(credential_id)
        deps = self._deps
        with deps.uow() as work:
            work.credentials.lock_status_lists(provider, size=deps.settings.status_list_size)
            stacked = work.stacking.get_stacked(uuid)
            if stacked.provider != provider:
                raise NotFound("no-credential", uuid=uuid)
            now = deps.clock()
            stacked.decide_review(keep=keep, reason=reason, at=now)
            work.stacking.save_stacked_state(stacked)
            status_lists.resign_status_lists(
                work,
                provider,
                keys=deps.keys,
                settings=deps.settings,
                now=now,
                numbers=(work.credentials.list_of_position(provider, stacked.revocation_index),),
                purposes=tuple(StatusPurpose),
            )
            work.commit()
        return stacked

    def elm_export(self, credential_id: str, *, provider: str | None = None) -> dict[str, Any]:
        """The stacked credential as an unsigned ELM v3 / EDC document (``hasPart`` / ``isPartOf``)."""
        stacked = self.get_stacked(credential_id, provider=provider)
        deps = self._deps
        with deps.uow() as work:
            rule = work.stacking.get_rule(stacked.provider, stacked.rule_code)
            parts = self._parts(work, stacked.components)
            extras = []
            for reference in stacked.components:
                component = work.credentials.get(reference.credential_id)
                offering = work.offerings.get(component.provider, component.offering_code)
                extras.append(
                    ElmStackPart(
                        provider=work.providers.get(component.provider),
                        did=deps.keys.did(component.provider),
                        offering_code=offering.code,
                        eqf_level=offering.eqf_level,
                    )
                )
            issuer = work.providers.get(stacked.provider)
            status = json.loads(stacked.document_json)["credentialStatus"]  # the list it was issued into
            award = self._award(
                work,
                rule,
                stacked.uuid,
                LearnerIdentity(salt=""),
                parts,
                stacked.issued_at,
                status["statusListCredential"],
                int(status["statusListIndex"]),
            )
        link = verify_page_url(deps.public_base_url, credential_url(deps.public_base_url, stacked.uuid))
        language = "nl" if "nl" in rule.title.texts else "en"
        certificate = stacked_certificate_pdf(award, verify_url=link, lang=language)
        return stacked_elm_document(award, issuer, extras, display_pdf=certificate)

    def credential_url(self, stacked: StackedCredential) -> str:
        return credential_url(self._deps.public_base_url, stacked.uuid)
