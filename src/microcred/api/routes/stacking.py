"""Stack rules, a learner's progress, stacked credentials and recognition decisions of one provider.

A learner is named by the identifier the provider knows (student number or INSZ) only in request bodies,
never in a URL (URLs end up in logs); answers carry the pseudonym.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from fastapi import Response
from pydantic import BaseModel, Field, PlainSerializer, StringConstraints, create_model

from microcred.api.bodies import input_fields, output_fields
from microcred.api.deps import (
    CatalogueWriterDep,
    CredentialIssuerDep,
    CredentialRevokerDep,
    EnrolmentWriterDep,
    ProviderReaderDep,
    RegisterDep,
)
from microcred.api.jobs import JobOut
from microcred.api.routing import api_router
from microcred.api.schemas import InputModel
from microcred.bootstrap import Register
from microcred.domain import LearnerScheme
from microcred.domain.fields.stacking import RECOGNITION_DECISION, STACK_COMPONENT, STACK_RULE
from microcred.domain.recognition import RecognitionDecision
from microcred.domain.stacked import StackedCredential
from microcred.domain.stacking import StackRule
from microcred.services.stacking_progress import Progress

__all__ = ["router"]

router = api_router(prefix="/api/v1/providers/{slug}", tags=["stacking"])

LearnerId = Annotated[str, StringConstraints(min_length=1, max_length=128)]
_SCHEME = (
    "the identifier's scheme as at enrolment (decision 0018): insz, esi, register or local; left out, it is "
    "detected (an INSZ, an ESI, else the provider's own number)"
)
Number = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


class _StackComponentIo(InputModel):
    pass


class _StackRuleIn(InputModel):
    """A stack rule: the larger credential and the micro-credentials that earn it."""


class _StackRuleOut(BaseModel):
    @classmethod
    def of(cls, rule: StackRule) -> Self:
        return cls.model_validate(STACK_RULE.plain(rule))


class _RecognitionIn(InputModel):
    """A recognition decision on the credential in ``document``, for the learner ``learner_id``."""

    learner_id: LearnerId = Field(description="the learner's student number or INSZ; pseudonymised, never stored")
    learner_scheme: LearnerScheme | None = Field(None, description=_SCHEME)
    document: dict[str, Any] = Field(description="the credential as received (OB 3.0 / VC 2.0 JSON)")


class _RecognitionOut(BaseModel):
    id: str
    provider: str
    learner: str = Field(description="the learner's pseudonym")
    credential_id: str
    credential_digest: str = Field(description="sha256-<base64> of the credential's JSON Canonicalization")
    issuer: str
    verified: bool = Field(description="signature, issuer and status passed when the decision was recorded")

    @classmethod
    def of(cls, decision: RecognitionDecision) -> Self:
        return cls.model_validate(
            {
                **RECOGNITION_DECISION.plain(decision),
                "id": decision.public_id,
                "provider": decision.provider,
                "learner": decision.learner,
                "credential_id": decision.credential_id,
                "credential_digest": decision.credential_digest,
                "issuer": decision.issuer,
                "verified": decision.verified,
            }
        )


def _model(name: str, base: type[BaseModel], fields: dict[str, Any]) -> Any:
    return create_model(name, __base__=base, __module__=__name__, __doc__=base.__doc__, **fields)


if TYPE_CHECKING:
    StackComponentIo = _StackComponentIo
    StackRuleIn = _StackRuleIn
    StackRuleOut = _StackRuleOut
    RecognitionIn = _RecognitionIn
    RecognitionOut = _RecognitionOut
else:
    StackComponentIo = _model("StackComponentIo", _StackComponentIo, input_fields(STACK_COMPONENT))
    _PARTS = {"components": StackComponentIo}
    StackRuleIn = _model(
        "StackRuleIn", _StackRuleIn, input_fields(STACK_RULE, exclude=("provider", "code"), sub_models=_PARTS)
    )
    StackRuleOut = _model("StackRuleOut", _StackRuleOut, output_fields(STACK_RULE, sub_models=_PARTS))
    RecognitionIn = _model("RecognitionIn", _RecognitionIn, input_fields(RECOGNITION_DECISION))
    RecognitionOut = _model("RecognitionOut", _RecognitionOut, output_fields(RECOGNITION_DECISION))


class LearnerIn(InputModel):
    learner_id: LearnerId = Field(description="the learner's student number or INSZ; pseudonymised, never stored")
    learner_scheme: LearnerScheme | None = Field(None, description=_SCHEME)


class EditionOut(BaseModel):
    provider: str
    code: str
    start_date: date


class ComponentOut(BaseModel):
    provider: str
    offering_code: str
    state: str = Field(description="counted, excluded or missing")
    credential_id: str | None
    exclusion: str | None = Field(description="why a held credential does not count (a stack.exclusion code)")
    upcoming: list[EditionOut] = Field(description="editions starting today or later that would complete it")


class ProgressOut(BaseModel):
    rule: str
    kind: str
    met: bool
    still_needed: Number = Field(description="components (all, n-of) or ECTS (ects) still to earn")
    ects_done: Number
    components: list[ComponentOut]
    stacked_credential: str | None

    @classmethod
    def of(cls, found: Progress) -> ProgressOut:
        progress = found.progress
        components = []
        for state in progress.components:
            held = state.counted or state.excluded
            key = state.component.key
            components.append(
                ComponentOut(
                    provider=state.component.provider,
                    offering_code=state.component.offering_code,
                    state="counted" if state.counted else "excluded" if state.excluded else "missing",
                    credential_id=None if held is None else held.credential_id,
                    exclusion=None if state.exclusion is None else state.exclusion.value,
                    upcoming=[
                        EditionOut(provider=e.provider, code=e.code, start_date=e.start_date)
                        for e in found.upcoming.get(key, [])
                    ],
                )
            )
        return cls(
            rule=progress.rule.code,
            kind=progress.rule.kind.value,
            met=progress.met,
            still_needed=progress.still_needed,
            ects_done=progress.ects_done,
            components=components,
            stacked_credential=None if found.stacked is None else found.stacked.uuid,
        )


class ComponentReferenceOut(BaseModel):
    credential_id: str
    url: str
    digest: str


class StackedOut(BaseModel):
    id: str
    provider: str
    rule: str
    learner: str = Field(description="the learner's pseudonym")
    state: str = Field(description="active, review or revoked")
    state_reason: str | None
    issued_at: datetime
    components: list[ComponentReferenceOut]
    url: str
    document: dict[str, Any]

    @classmethod
    def of(cls, register: Register, stacked: StackedCredential) -> StackedOut:
        return cls(
            id=stacked.uuid,
            provider=stacked.provider,
            rule=stacked.rule_code,
            learner=stacked.learner,
            state=stacked.state.value,
            state_reason=stacked.state_reason,
            issued_at=stacked.issued_at,
            components=[
                ComponentReferenceOut(credential_id=c.credential_id, url=c.url, digest=c.digest)
                for c in stacked.components
            ],
            url=register.stacking.credential_url(stacked),
            document=stacked.document,
        )


class ReviewIn(InputModel):
    keep: bool = Field(description="true: the credential stands again; false: it is revoked for good")
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]


@router.put("/stack-rules/{code}", response_model=StackRuleOut, operation_id="put_stack_rule")
def put_stack_rule(
    slug: str, code: str, body: StackRuleIn, response: Response, _: CatalogueWriterDep, register: RegisterDep
) -> Any:
    """Create or replace the provider's stack rule ``code`` (201 when new)."""
    rule, created = register.stacking.put_rule(slug, {**body.model_dump(), "code": code})
    response.status_code = 201 if created else 200
    return StackRuleOut.of(rule)


@router.get("/stack-rules", response_model=list[StackRuleOut], operation_id="list_stack_rules")
def list_stack_rules(slug: str, _: ProviderReaderDep, register: RegisterDep) -> Any:
    return [StackRuleOut.of(rule) for rule in register.stacking.rules(slug)]


@router.get("/stack-rules/{code}", response_model=StackRuleOut, operation_id="get_stack_rule")
def get_stack_rule(slug: str, code: str, _: ProviderReaderDep, register: RegisterDep) -> Any:
    return StackRuleOut.of(register.stacking.get_rule(slug, code))


@router.post("/stack-rules/{code}/progress", response_model=ProgressOut, operation_id="stack_progress")
def stack_progress(slug: str, code: str, body: LearnerIn, _: ProviderReaderDep, register: RegisterDep) -> ProgressOut:
    """The learner's progress on the rule: what counts, what does not and why, what editions would complete it."""
    return ProgressOut.of(register.stacking.progress(slug, code, body.learner_id, learner_scheme=body.learner_scheme))


@router.post(
    "/stack-rules/{code}/credentials",
    response_model=StackedOut,
    status_code=201,
    operation_id="issue_stacked_credential",
)
def issue_stacked_credential(
    slug: str, code: str, body: LearnerIn, _: CredentialIssuerDep, register: RegisterDep
) -> StackedOut:
    """Issue the stacked credential of a met rule (or return the one issued before)."""
    issued = register.stacking.issue(slug, code, body.learner_id, learner_scheme=body.learner_scheme)
    return StackedOut.of(register, issued)


@router.post(
    "/stack-rules/{code}/credentials/bulk",
    response_model=JobOut,
    status_code=202,
    operation_id="issue_stacked_credentials",
)
def issue_stacked_credentials(
    slug: str, code: str, response: Response, _: CredentialIssuerDep, register: RegisterDep
) -> JobOut:
    """Issue the stacked credential to every learner who meets the rule and has none yet, as a background job."""
    job = register.jobs.submit_stack_issue(slug, code)  # an unknown rule is 404 before any job exists
    response.headers["Location"] = f"/api/v1/providers/{slug}/jobs/{job.id}"
    return JobOut.of(job)


@router.post("/stack-rules/evaluation", response_model=JobOut, status_code=202, operation_id="evaluate_stack_rules")
def evaluate_stack_rules(slug: str, response: Response, _: ProviderReaderDep, register: RegisterDep) -> JobOut:
    """Evaluate every rule of the provider for each of its learners holding a component, as a background job;
    its result counts per rule who started it, meets it, and is owed its stacked credential (no learner named)."""
    job = register.jobs.submit_stack_evaluation(slug)
    response.headers["Location"] = f"/api/v1/providers/{slug}/jobs/{job.id}"
    return JobOut.of(job)


@router.get("/stacked-credentials/{credential}", response_model=StackedOut, operation_id="get_stacked_credential")
def get_stacked_credential(slug: str, credential: str, _: ProviderReaderDep, register: RegisterDep) -> StackedOut:
    return StackedOut.of(register, register.stacking.get_stacked(credential, provider=slug))


@router.get(
    "/stacked-credentials/{credential}/elm", response_model=dict[str, Any], operation_id="get_stacked_credential_elm"
)
def get_stacked_credential_elm(slug: str, credential: str, _: ProviderReaderDep, register: RegisterDep) -> Any:
    """The stacked credential as a European Learning Model (EDC) document: components in ``hasPart``."""
    return register.stacking.elm_export(credential, provider=slug)


@router.post(
    "/stacked-credentials/{credential}/review",
    response_model=StackedOut,
    operation_id="decide_stacked_review",
)
def decide_stacked_review(
    slug: str, credential: str, body: ReviewIn, _: CredentialRevokerDep, register: RegisterDep
) -> StackedOut:
    """End the review of a stacked credential whose component was revoked or suspended."""
    decided = register.stacking.decide_review(slug, credential, keep=body.keep, reason=body.reason)
    return StackedOut.of(register, decided)


@router.post("/recognition-decisions", response_model=RecognitionOut, operation_id="record_recognition")
def record_recognition(
    slug: str, body: RecognitionIn, response: Response, _: EnrolmentWriterDep, register: RegisterDep
) -> Any:
    """Verify the credential and record the decision (201 when new; the same decision again answers 200)."""
    values = body.model_dump(exclude={"learner_id", "learner_scheme", "document"})
    decision, created = register.recognition.record(
        slug, body.learner_id, body.document, values, learner_scheme=body.learner_scheme
    )
    response.status_code = 201 if created else 200
    return RecognitionOut.of(decision)


@router.get("/recognition-decisions", response_model=list[RecognitionOut], operation_id="list_recognitions")
def list_recognitions(slug: str, _: ProviderReaderDep, register: RegisterDep) -> Any:
    return [RecognitionOut.of(decision) for decision in register.recognition.decisions(slug)]


@router.get("/recognition-decisions/{decision}", response_model=RecognitionOut, operation_id="get_recognition")
def get_recognition(slug: str, decision: str, _: ProviderReaderDep, register: RegisterDep) -> Any:
    return RecognitionOut.of(register.recognition.get(slug, decision))


@router.get(
    "/recognition-decisions/{decision}/credential",
    response_model=dict[str, Any],
    operation_id="get_recognition_credential",
)
def get_recognition_credential(
    slug: str, decision: str, _: ProviderReaderDep, register: RegisterDep, lang: Literal["nl", "en"] = "nl"
) -> Any:
    """A recognised decision as an Open Badges 3.0 credential signed by the provider (409 for a refusal)."""
    return register.recognition.signed(slug, decision, lang=lang)
