"""Entry point: ``microcred``. Errors print one clear line and exit non-zero; ``--debug`` shows tracebacks."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TypeGuard

import typer
from typer._click import exceptions as click  # Typer 0.2x vendors Click; its errors live here

from microcred import __version__
from microcred.cli import access, catalogue, credentials, data, demo, reports, stacking, system
from microcred.cli.context import err_console, language, say, use_language
from microcred.errors import MicrocredError

if TYPE_CHECKING:
    from pydantic import ValidationError

__all__ = ["app", "run"]

app = typer.Typer(
    name="microcred",
    help="microcred: the register of micro-credentials. Set up with `microcred init`, load demo data with "
    "`microcred demo`, serve with `microcred serve`. Add --debug to any command to see tracebacks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(catalogue.providers, name="provider")
app.add_typer(catalogue.offerings, name="offering")
app.add_typer(reports.reports, name="report")
system.attach(app)
demo.attach(app)
credentials.attach(app)
data.attach(app)
access.attach(app)
stacking.attach(app)


def _print_version(asked: bool) -> None:
    """``--version`` answers at once: in the group's own body it came after Click's "Missing command"."""
    if asked:
        typer.echo(__version__)
        raise typer.Exit


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", is_eager=True, callback=_print_version
    ),
    lang: str = typer.Option("en", "--lang", help="Language of the messages and errors: en or nl."),
) -> None:
    use_language(lang)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 ok, 1 error, 2 usage error)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    args = [arg for arg in args if arg != "--debug"]
    use_language("en")  # until the command line's own --lang says otherwise
    try:
        result = app(args=args, prog_name="microcred", standalone_mode=False)
    except typer.Exit as done:
        return int(done.exit_code)
    except click.ClickException as usage:
        usage.show()
        return usage.exit_code
    except typer.Abort:
        err_console.print(say("aborted"))
        return 1
    except (MicrocredError, OSError) as error:
        if debug:
            raise
        err_console.print(f"[bold red]{say('error')}:[/] {_one_line(error)}", highlight=False, soft_wrap=True)
        return 1
    except Exception as error:
        if debug:
            raise
        if _is_validation_error(error) or _is_database_error(error):
            err_console.print(f"[bold red]{say('error')}:[/] {_one_line(error)}", highlight=False, soft_wrap=True)
            return 1
        text = say("unexpected", kind=type(error).__name__, message=_one_line(error))
        err_console.print(f"[bold red]{say('error')}:[/] {text}", highlight=False, soft_wrap=True)
        return 1
    return result if isinstance(result, int) else 0


def _one_line(error: Exception) -> str:
    if _is_validation_error(error):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return say("configuration", where=where, message=first["msg"])
    if _is_database_error(error):
        return say("database", message=str(error.__cause__ or error).splitlines()[0])
    if isinstance(error, MicrocredError):
        return error.describe(language()).replace("\n", " ")
    return str(error).replace("\n", " ")


def _is_validation_error(error: Exception) -> TypeGuard[ValidationError]:
    """A settings error (pydantic), told without importing pydantic: only settings built for a command raise
    one, and ``microcred --help`` need not load it (issue 21: start-up)."""
    pydantic_core = sys.modules.get("pydantic_core")
    return pydantic_core is not None and isinstance(error, pydantic_core.ValidationError)


def _is_database_error(error: Exception) -> bool:
    """A SQLAlchemy error, told without importing SQLAlchemy: only commands that touched the database raise
    one, and ``microcred --help`` must not pay for loading it (issue 21: start-up)."""
    database_errors = sys.modules.get("sqlalchemy.exc")
    return database_errors is not None and isinstance(error, database_errors.SQLAlchemyError)


def main() -> None:
    sys.exit(run())
