"""``microcred token …`` and ``microcred staff …``: API tokens and web-desk accounts."""

from __future__ import annotations

import sys

import typer
from rich.table import Table

from microcred.cli.context import console, err_console, register, say
from microcred.errors import Invalid

__all__ = ["attach", "staff", "tokens"]

tokens = typer.Typer(help="Create, list and revoke API tokens (shown once, stored hashed).", no_args_is_help=True)
staff = typer.Typer(help="Web-desk accounts for providers' staff.", no_args_is_help=True)


def attach(app: typer.Typer) -> None:
    app.add_typer(tokens, name="token")
    app.add_typer(staff, name="staff")


@tokens.command("create")
def token_create(
    provider: str | None = typer.Option(None, "--provider", help="Slug of the provider the token acts for."),
    scope: list[str] = typer.Option(
        [], "--scope", help="catalogue:write, enrolments:write, credentials:issue, credentials:revoke, reports:read."
    ),
    admin: bool = typer.Option(False, "--admin", help="An operator token (providers, QA records, trusted list)."),
    expires_days: int | None = typer.Option(None, "--expires-days", help="Expire after this many days."),
    label: str = typer.Option("", "--label", help="A note for yourself, e.g. the system that uses it."),
) -> None:
    """Create a token and print it once; only its hash is kept."""
    issued = register().access.create_token(
        provider=provider, scopes=scope, admin=admin, expires_days=expires_days, label=label
    )
    owner = issued.provider or say("token.operator")
    scopes = ", ".join(issued.scopes) or say("token.no_scopes")
    err_console.print(say("token.created", prefix=issued.prefix, owner=owner, scopes=scopes))
    typer.echo(issued.token)


@tokens.command("list")
def token_list(provider: str | None = typer.Option(None, "--provider", help="Only this provider's tokens.")) -> None:
    """List tokens (prefix, owner, scopes, state); never the secrets."""
    access = register().access
    columns = ("prefix", "for", "scopes", "label", "created", "expires", "state")
    table = Table(*(say(f"token.column.{column}") for column in columns))
    for info in access.list_tokens(provider=provider):
        table.add_row(
            info.prefix,
            say("token.for_operator") if info.is_admin else info.provider or "",
            ", ".join(info.scopes),
            info.label,
            info.created_at.strftime("%Y-%m-%d"),
            info.expires_at.strftime("%Y-%m-%d") if info.expires_at else say("token.never"),
            say(f"token.state.{access.token_state(info)}"),
        )
    console.print(table)


@tokens.command("revoke")
def token_revoke(prefix: str = typer.Argument(..., help="The token's prefix (from `token list`).")) -> None:
    """Revoke a token at once."""
    register().access.revoke_token(prefix)
    console.print(say("token.revoked", prefix=prefix))


@staff.command("add")
def staff_add(
    email: str = typer.Argument(..., help="The staff member's e-mail address (their login)."),
    provider: str = typer.Option(..., "--provider", help="Slug of the provider they work for."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
) -> None:
    """Create a web-desk account; the password (at least 12 characters) is asked for, or read from stdin, and
    stored as a scrypt hash."""
    register().access.add_staff(email, provider=provider, password=_new_password(password_stdin))
    console.print(say("staff.added", provider=provider))


def _new_password(password_stdin: bool) -> str:
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt(say("password"), hide_input=True, confirmation_prompt=True)
    if not password:
        raise Invalid.field("password", "required")
    return password


@staff.command("deactivate")
def staff_deactivate(email: str = typer.Argument(..., help="The staff member's e-mail address.")) -> None:
    """Close a web-desk account: it cannot sign in, its sessions end and the tokens it made are revoked."""
    register().staff.deactivate_staff(email)
    console.print(say("staff.deactivated", email=email.strip().lower()))


@staff.command("password")
def staff_password(
    email: str = typer.Argument(..., help="The staff member's e-mail address."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
) -> None:
    """Set a new password (at least 12 characters); every session and desk-made token of the account ends."""
    register().staff.change_staff_password(email, _new_password(password_stdin))
    console.print(say("staff.password_changed", email=email.strip().lower()))
