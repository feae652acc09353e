"""``microcred issue|revoke|suspend|unsuspend|verify``, ``microcred credential …`` and ``microcred keys …``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import typer
from rich.markup import escape
from rich.table import Table

from microcred.cli.context import console, language, register, say
from microcred.domain import TRUST_DATES, Credential
from microcred.errors import Invalid, MicrocredError

__all__ = ["attach", "credential_commands", "key_commands"]

credential_commands = typer.Typer(help="Show and export issued credentials (JSON, ELM, PDF).", no_args_is_help=True)
key_commands = typer.Typer(help="Providers' signing keys (did:web).", no_args_is_help=True)

_OUTCOME_STYLE = {"pass": "green", "fail": "bold red", "warn": "yellow", "not-checked": "magenta"}
_INCOMPLETE = 3  # exit code: nothing failed, but not every check was done


def attach(app: typer.Typer) -> None:
    app.command("issue")(issue)
    app.command("revoke")(revoke)
    app.command("suspend")(suspend)
    app.command("unsuspend")(unsuspend)
    app.command("verify")(verify)
    app.add_typer(credential_commands, name="credential")
    app.add_typer(key_commands, name="keys")


def _pair(value: str, option: str, what: str) -> tuple[str, str]:
    provider, _, code = value.partition("/")
    if not provider or not code:
        raise Invalid.field(option, "provider-slash", value, what=what)
    return provider, code


def issue(
    edition: str | None = typer.Option(None, "--edition", help="PROVIDER/EDITION: every passed enrolment without one."),
    enrolment: str | None = typer.Option(None, "--enrolment", help="PROVIDER/REFERENCE: one enrolment."),
) -> None:
    """Issue signed credentials for passed enrolments (idempotent: issuing again changes nothing)."""
    if (edition is None) == (enrolment is None):
        raise Invalid.field("--edition/--enrolment", "edition-or-enrolment")
    issuance = register().issuance
    if enrolment is not None:
        provider, reference = _pair(enrolment, "--enrolment", "REFERENCE")
        credential = issuance.issue_for_enrolment(provider, reference)
        console.print(say("issue.one", uuid=f"[bold]{credential.uuid}[/]", provider=provider, reference=reference))
        return
    assert edition is not None
    provider, code = _pair(edition, "--edition", "EDITION")
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn  # bar only

    columns = (TextColumn(say("issue.progress")), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("issuing", total=None)
        issued = issuance.issue_for_edition(
            provider, code, progress=lambda done, total: bar.update(task, completed=done, total=total)
        )
    console.print(say("issue.many", count=issued, provider=provider, code=code), highlight=False)


def _report_change(changed: Credential) -> None:
    state = say(f"credential.state.{changed.state.value}")
    console.print(
        say("credential.changed", uuid=changed.uuid, state=state, reason=changed.state_reason), highlight=False
    )


def revoke(
    credential_id: str = typer.Argument(..., help="urn:uuid:… or the bare uuid."),
    reason: str = typer.Option(..., "--reason", help="Why; shown to whoever asks."),
) -> None:
    """Revoke a credential for good and re-sign the provider's status lists."""
    _report_change(register().issuance.revoke(credential_id, reason))


def suspend(
    credential_id: str = typer.Argument(..., help="urn:uuid:… or the bare uuid."),
    reason: str = typer.Option(..., "--reason", help="Why."),
) -> None:
    """Suspend a credential (it fails verification until unsuspended)."""
    _report_change(register().issuance.suspend(credential_id, reason))


def unsuspend(
    credential_id: str = typer.Argument(..., help="urn:uuid:… or the bare uuid."),
    reason: str = typer.Option(..., "--reason", help="Why."),
) -> None:
    """Lift a suspension."""
    _report_change(register().issuance.unsuspend(credential_id, reason))


def _load(source: str) -> Any:
    """A credential from a file, a file:// URL or one of this register's own URLs; never the network."""
    wired = register()
    verification = wired.verification
    if source.startswith("file://"):
        source = unquote(urlsplit(source).path)
    elif "://" in source:
        if not verification.is_own_url(source):
            raise MicrocredError("verify-source-refused", source=source, base=wired.settings.public_base_url)
        return verification.own_document(source)
    try:
        return json.loads(Path(source).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise MicrocredError("source-not-json", source=source, detail=str(error)) from None


def verify(
    source: str = typer.Argument(..., help="A credential file, file:// URL or this register's credential URL."),
    lang: str | None = typer.Option(
        None, "--lang", help="Language of the reasons: en or nl (default: microcred --lang)."
    ),
    offline: bool = typer.Option(
        False, "--offline", help="Fetch nothing from other sites; checks that need them are reported not checked."
    ),
    status: bool = typer.Option(True, "--status/--no-status", help="Check the credential's status lists."),
    trust_date: str = typer.Option(
        "both",
        "--trust-date",
        help=f"Day(s) the issuer must have been trusted: {', '.join(TRUST_DATES)} (the proof's created day "
        "and validFrom) or a date YYYY-MM-DD.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Verify a credential and list every check; exit 1 when a check fails, 3 when one could not be done."""
    from microcred.services.verification import parse_trust_date

    result = register().verification.verify_document(
        _load(source), offline=offline, check_status=status, trust_date=parse_trust_date(trust_date)
    )
    reasons = lang or language()
    if as_json:
        typer.echo(json.dumps(result.as_dict(reasons), ensure_ascii=False, indent=2))
    else:
        labels = {check.outcome: say(f"verify.{check.outcome}") for check in result.checks}
        width = max(6, *(len(label) for label in labels.values()))
        for check in result.checks:
            outcome = f"[{_OUTCOME_STYLE[check.outcome]}]{escape(labels[check.outcome]):>{width}}[/]"
            console.print(f"{outcome}  {check.name:<17} {escape(check.reason(reasons))}", highlight=False)
        if result.verified:
            console.print(say("verify.verified"))
        elif result.failed:
            console.print(f"[bold red]{say('verify.not_verified')}[/]")
        else:
            checks = ", ".join(result.not_checked)
            console.print(f"[magenta]{escape(say('verify.not_fully_checked', checks=checks))}[/]")
    if result.failed:
        raise typer.Exit(1)
    if not result.complete:
        raise typer.Exit(_INCOMPLETE)


@credential_commands.command("show")
def show(credential_id: str = typer.Argument(..., help="urn:uuid:… or the bare uuid.")) -> None:
    """Show a credential's record: enrolment, status indexes and state."""
    credential = register().issuance.get_credential(credential_id)
    table = Table(show_header=False)
    state = say(f"credential.state.{credential.state.value}")
    for label, value in (
        ("id", credential.uuid),
        ("provider", credential.provider),
        ("enrolment", credential.enrolment_reference),
        ("offering", credential.offering_code),
        ("edition", credential.edition_code),
        ("issued", credential.issued_at.isoformat()),
        ("valid_until", credential.valid_until.isoformat() if credential.valid_until else say("credential.no_end")),
        ("state", state + (f" ({credential.state_reason})" if credential.state_reason else "")),
        ("status_list", str(credential.status_list)),
        ("status_indexes", ", ".join(f"{p.value} {i}" for p, i in credential.status_indexes.items())),
        ("signing_key", credential.public_key_multibase),
    ):
        table.add_row(say(f"credential.field.{label}"), value)
    console.print(table)


@credential_commands.command("export")
def export(
    credential_id: str = typer.Argument(..., help="urn:uuid:… or the bare uuid."),
    format_: str = typer.Option("json", "--format", help="json (the signed OB 3.0 credential), elm or pdf."),
    out: Path = typer.Option(..., "--out", help="File to write."),
    lang: str = typer.Option("nl", "--lang", help="Language of the PDF: nl or en."),
) -> None:
    """Write the signed credential (json), its ELM v3 / EDC form (elm) or the PDF certificate (pdf)."""
    issuance = register().issuance
    if format_ == "json":
        out.write_text(issuance.get_credential(credential_id).document_json, encoding="utf-8")
    elif format_ == "elm":
        document = issuance.elm_export(credential_id)
        out.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    elif format_ == "pdf":
        out.write_bytes(issuance.credential_pdf(credential_id, lang=lang))
    else:
        raise Invalid.field("--format", "one-of", format_, allowed="json, elm, pdf")
    console.print(say("wrote", out=out), highlight=False)


@key_commands.command("rotate")
def rotate(provider: str = typer.Argument(..., help="The provider's slug.")) -> None:
    """Retire the provider's signing key (it stays published for older credentials) and make a new one."""
    new_key = register().issuance.rotate_key(provider)
    console.print(say("keys.rotated", provider=provider, key=new_key), highlight=False)
