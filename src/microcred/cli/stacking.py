"""``microcred stack …`` (rules, progress, stacked credentials) and ``microcred recognition …``.

Rules and decisions are data: a JSON file with the fields of ``domain/fields/stacking.py``, read by the same
service the API calls. A learner identifier is asked for without echo unless given, and never printed.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from microcred.cli.context import console, language, register, say
from microcred.domain import LearnerScheme, ects
from microcred.errors import Invalid, MicrocredError
from microcred.i18n import translate

if TYPE_CHECKING:  # the command line starts without the credential libraries (tests/cli/test_start_up.py)
    from microcred.services.stacking_progress import Progress

__all__ = ["attach", "recognition_commands", "stack_commands"]

stack_commands = typer.Typer(help="Stack rules, learners' progress and stacked credentials.", no_args_is_help=True)
recognition_commands = typer.Typer(help="Recognition decisions on received credentials.", no_args_is_help=True)

_LEARNER_HELP = "The learner's student number or INSZ (asked for without echo when left out; never printed)."
_SCHEME_HELP = (
    "The identifier's scheme as at enrolment (decision 0018); left out, it is detected: an INSZ, an ESI, "
    "else the provider's own number. A register-wide id needs 'register'."
)


def attach(app: typer.Typer) -> None:
    app.add_typer(stack_commands, name="stack")
    app.add_typer(recognition_commands, name="recognition")


def _json_file(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise MicrocredError("source-not-json", source=str(path), detail=str(error)) from None


def _pair(value: str) -> tuple[str, str]:
    provider, _, code = value.partition("/")
    if not provider or not code:
        raise Invalid.field("RULE", "provider-slash", value, what="CODE")
    return provider, code


def _learner_option() -> Any:
    return typer.Option(..., "--learner-id", prompt=True, hide_input=True, help=_LEARNER_HELP)


def _scheme_option() -> Any:
    return typer.Option(None, "--learner-scheme", help=_SCHEME_HELP)


@stack_commands.command("put")
def put_rules(
    provider: str = typer.Argument(..., help="The awarding provider's slug."),
    source: Path = typer.Argument(..., help="A JSON file: one rule, or a list of rules (fields: docs/stacking.md)."),
) -> None:
    """Create or replace stack rules of a provider from a JSON file (putting the same file again changes nothing)."""
    found = _json_file(source)
    for values in found if isinstance(found, list) else [found]:
        if not isinstance(values, dict):
            raise Invalid.field("rule", "stack-rule-shape", type(values).__name__)
        rule, created = register().stacking.put_rule(provider, values)
        console.print(say("stack.put", code=rule.code, done=say("stack.created" if created else "stack.replaced")))


@stack_commands.command("list")
def list_rules(provider: str = typer.Argument(..., help="The provider's slug.")) -> None:
    """The provider's stack rules with their components and constraints."""
    table = Table(*(say(f"stack.column.{name}") for name in ("code", "title", "kind", "components", "constraints")))
    for rule in register().stacking.rules(provider):
        constraints = [
            f"EQF ≥ {rule.min_eqf_level}" if rule.min_eqf_level else "",
            say("stack.max-age", months=rule.max_age_months) if rule.max_age_months else "",
            say("stack.other-providers") if rule.other_providers else "",
        ]
        kind = {"n-of": f"{rule.required_count}/{len(rule.components)}", "ects": f"≥ {rule.min_ects} ECTS"}
        table.add_row(
            rule.code,
            rule.title.get(language()),
            kind.get(rule.kind.value, rule.kind.value),
            ", ".join(c.key for c in rule.components),
            ", ".join(c for c in constraints if c),
        )
    console.print(table)


def _print_progress(found: Progress) -> None:
    progress = found.progress
    console.print(say("stack.met" if progress.met else "stack.not-met", code=progress.rule.code))
    for state in progress.components:
        key = state.component.key
        if state.counted is not None:
            console.print(f"  [green]✓[/] {key}  {state.counted.credential_id}", highlight=False)
            continue
        why = "" if state.exclusion is None else say("stack.excluded", reason=say_exclusion(state.exclusion.value))
        upcoming = ", ".join(f"{e.code} ({e.start_date.isoformat()})" for e in found.upcoming.get(key, []))
        console.print(f"  [red]✗[/] {key}  {why}", highlight=False)
        if upcoming:
            console.print("    " + say("stack.upcoming", editions=upcoming), highlight=False)
    if found.stacked is not None:
        worded = say(f"stack.state.{found.stacked.state.value}")
        console.print(say("stack.issued", uuid=found.stacked.uuid, state=worded), highlight=False)


def say_exclusion(code: str) -> str:
    return translate(f"stack.exclusion.{code}", language())


@stack_commands.command("progress")
def progress(
    rule: str = typer.Argument(..., help="PROVIDER/CODE of the rule."),
    learner_id: str = _learner_option(),
    learner_scheme: LearnerScheme | None = _scheme_option(),
) -> None:
    """A learner's progress on a rule: what counts, what does not and why, which editions would complete it."""
    provider, code = _pair(rule)
    _print_progress(register().stacking.progress(provider, code, learner_id, learner_scheme=learner_scheme))


@stack_commands.command("issue")
def issue(
    rule: str = typer.Argument(..., help="PROVIDER/CODE of the rule."),
    learner_id: str = _learner_option(),
    learner_scheme: LearnerScheme | None = _scheme_option(),
) -> None:
    """Issue the stacked credential of a met rule (issuing again returns the same credential)."""
    provider, code = _pair(rule)
    stacked = register().stacking.issue(provider, code, learner_id, learner_scheme=learner_scheme)
    console.print(say("stack.issued", uuid=stacked.uuid, state=say(f"stack.state.{stacked.state.value}")))


@stack_commands.command("issue-all")
def issue_all(rule: str = typer.Argument(..., help="PROVIDER/CODE of the rule.")) -> None:
    """Issue the stacked credential to every learner of the provider who meets the rule and has none yet."""
    provider, code = _pair(rule)
    issued = register().stacking.issue_all(provider, code)
    console.print(say("stack.issued-all", count=len(issued), code=code), highlight=False)


@stack_commands.command("evaluate")
def evaluate(
    provider: str | None = typer.Option(
        None, "--provider", help="Only this provider's rules, for its own learners (default: every provider's)."
    ),
) -> None:
    """Evaluate every rule for every learner holding one of its components: per rule, how many started, meet
    it, and meet it without its stacked credential yet (the counts the evaluate-stack-rules job stores)."""
    looked, tallies = register().stacking.evaluate_all(provider)
    columns = ("code", "started", "met", "to-issue")
    table = Table(*(say(f"stack.column.{name}") for name in columns))
    for tally in tallies:
        table.add_row(f"{tally.provider}/{tally.code}", str(tally.started), str(tally.met), str(tally.to_issue))
    console.print(table)
    console.print(say("stack.evaluated", learners=looked, rules=len(tallies)), highlight=False)


@stack_commands.command("show")
def show(
    provider: str = typer.Argument(..., help="The awarding provider's slug."),
    credential_id: str = typer.Argument(..., help="urn:uuid:… or the bare uuid of a stacked credential."),
) -> None:
    """Print a stacked credential's signed document (JSON)."""
    typer.echo(json.dumps(register().stacking.get_stacked(credential_id, provider=provider).document, indent=2))


@stack_commands.command("review")
def review(
    provider: str = typer.Argument(..., help="The awarding provider's slug."),
    credential_id: str = typer.Argument(..., help="urn:uuid:… or the bare uuid of a stacked credential."),
    keep: bool = typer.Option(..., "--keep/--revoke", help="Keep the credential (active again) or revoke it."),
    reason: str = typer.Option(..., "--reason", help="Why; kept with the credential."),
) -> None:
    """End the review of a stacked credential whose component was revoked or suspended."""
    stacked = register().stacking.decide_review(provider, credential_id, keep=keep, reason=reason)
    console.print(say("stack.issued", uuid=stacked.uuid, state=say(f"stack.state.{stacked.state.value}")))


@recognition_commands.command("record")
def record(
    provider: str = typer.Argument(..., help="The deciding provider's slug."),
    credential: Path = typer.Argument(..., help="The received credential (JSON file)."),
    decision: Path = typer.Argument(..., help="The decision (JSON file; fields: docs/recognition.md)."),
    learner_id: str = _learner_option(),
    learner_scheme: LearnerScheme | None = _scheme_option(),
) -> None:
    """Verify a received credential and record the provider's recognition decision on it."""
    values = _json_file(decision)
    if not isinstance(values, dict):
        raise Invalid.field("decision", "recognition-shape", type(values).__name__)
    if isinstance(values.get("decided_on"), str):
        try:
            values["decided_on"] = date.fromisoformat(values["decided_on"])
        except ValueError:
            raise Invalid.field("decided_on", "date-format", values["decided_on"]) from None
    if values.get("ects") is not None:
        values["ects"] = ects(values["ects"])
    document = _json_file(credential)
    found, created = register().recognition.record(
        provider, learner_id, document, values, learner_scheme=learner_scheme
    )
    outcome = say(f"recognition.outcome.{found.outcome.value}")
    console.print(
        say("recognition.recorded" if created else "recognition.same", id=found.public_id, outcome=outcome),
        highlight=False,
    )


@recognition_commands.command("list")
def list_decisions(provider: str = typer.Argument(..., help="The provider's slug.")) -> None:
    """The provider's recognition decisions, newest first (learners by pseudonym)."""
    columns = ("id", "outcome", "recognised-for", "ects", "decided-on", "credential")
    table = Table(*(say(f"recognition.column.{name}") for name in columns))
    for found in register().recognition.decisions(provider):
        table.add_row(
            found.public_id,
            say(f"recognition.outcome.{found.outcome.value}"),
            found.recognised_for,
            "" if found.ects is None else str(found.ects),
            found.decided_on.isoformat(),
            found.credential_id,
        )
    console.print(table)
