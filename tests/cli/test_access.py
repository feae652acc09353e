"""``microcred token …`` and ``microcred staff …`` against a real SQLite register, then the API with the token."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from microcred.asgi import create_app
from microcred.cli.context import register
from microcred.cli.main import run
from microcred.services import auth


@pytest.fixture(autouse=True)
def acme(isolated_database: Path) -> None:
    """A migrated register with one provider, ``acme``, made through the command line."""
    assert run(["init"]) == 0
    assert run(["provider", "add", "acme", "--name-nl", "Acme Academie", "--type", "other-private"]) == 0


def test_token_create_list_revoke(capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert run(["token", "create", "--provider", "acme", "--scope", "catalogue:write", "--expires-days", "7"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("mct_")
    with TestClient(create_app(register())) as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json() == {"kind": "provider", "provider": "acme", "scopes": ["catalogue:write"]}
        prefix = token.split("_")[1]
        assert run(["token", "list", "--provider", "acme"]) == 0
        listing = capsys.readouterr().out
        assert prefix in listing
        assert "active" in listing
        assert token not in listing
        assert run(["token", "revoke", prefix]) == 0
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert run(["token", "revoke", prefix]) == 1  # twice is an error


def test_token_needs_a_provider_or_admin_and_known_scopes(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["token", "create", "--scope", "catalogue:write"]) == 1
    assert run(["token", "create", "--provider", "acme", "--scope", "everything"]) == 1
    assert run(["token", "create", "--provider", "nobody"]) == 1
    assert run(["token", "create", "--admin"]) == 0
    assert "unknown scope" in capsys.readouterr().err


def test_staff_add_then_authenticate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert run(["staff", "add", "An@Acme.be", "--provider", "acme", "--password-stdin"]) == 0
    principal = auth.authenticate_staff("an@acme.be", "a long enough password", register().uow)
    assert principal.kind == "staff"
    assert principal.provider == "acme"
    with pytest.raises(auth.Unauthenticated):
        auth.authenticate_staff("an@acme.be", "a wrong password!", register().uow)
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert run(["staff", "add", "bo@acme.be", "--provider", "acme", "--password-stdin"]) == 1


def test_staff_deactivate_and_password_end_the_account_s_sessions(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert run(["staff", "add", "an@acme.be", "--provider", "acme", "--password-stdin"]) == 0
    before = register().staff.sign_in_staff("an@acme.be", "a long enough password")
    monkeypatch.setattr("sys.stdin", io.StringIO("another long password\n"))
    assert run(["staff", "password", "an@acme.be", "--password-stdin"]) == 0
    assert "password of an@acme.be changed; its sessions and tokens have ended" in capsys.readouterr().out
    assert register().staff.staff_of_session(before) is None
    after = register().staff.sign_in_staff("an@acme.be", "another long password")
    assert run(["--lang", "nl", "staff", "deactivate", "An@Acme.be"]) == 0
    assert "medewerkersaccount an@acme.be gedeactiveerd" in capsys.readouterr().out
    assert register().staff.staff_of_session(after) is None
    with pytest.raises(auth.Unauthenticated):
        auth.authenticate_staff("an@acme.be", "another long password", register().uow)
    assert run(["staff", "deactivate", "nobody@acme.be"]) == 1
    assert "no staff account 'nobody@acme.be'" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["staff", "add", "cy@acme.be", "--provider", "acme"], ["staff", "password"]])
def test_a_password_under_twelve_characters_is_refused_with_the_field_and_the_minimum(
    command: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """OWASP ASVS V2.1.1: at least 12 characters (10 passed before), for a new account and a new password."""
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert run(["staff", "add", "an@acme.be", "--provider", "acme", "--password-stdin"]) == 0
    arguments = command if command[1] == "add" else [*command, "an@acme.be"]
    monkeypatch.setattr("sys.stdin", io.StringIO("eleven char\n"))
    capsys.readouterr()
    assert run([*arguments, "--password-stdin"]) == 1
    error = capsys.readouterr().err
    assert "password" in error
    assert "from 12 to 1024 characters (it has 11)" in error
    monkeypatch.setattr("sys.stdin", io.StringIO("twelve chars\n"))
    assert run([*arguments, "--password-stdin"]) == 0
