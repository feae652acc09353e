"""``microcred issue / revoke / suspend / unsuspend / verify / credential / keys``: happy and error paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import microcred

# slow (seconds a test: credentials issued, a demo loaded, a report rendered or a process started):
# make test runs it, make test-fast leaves it out
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("small_demo")]


def _issued_id(out: str) -> str:
    return out.split("credential ", 1)[1].split(maxsplit=1)[0]


def test_issue_export_verify_and_revoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert microcred("issue", "--enrolment", "vub/MC-DSS-2023-E000") == 0
    credential_id = _issued_id(capsys.readouterr().out)
    assert microcred("issue", "--enrolment", "vub/MC-DSS-2023-E000") == 0
    assert _issued_id(capsys.readouterr().out) == credential_id  # idempotent
    for format_ in ("json", "elm", "pdf"):
        assert microcred("credential", "export", credential_id, "--format", format_, "--out", f"c.{format_}") == 0
    assert json.loads((tmp_path / "c.json").read_text())["id"] == credential_id
    assert json.loads((tmp_path / "c.elm").read_text())["type"][-1] == "EuropeanDigitalCredential"
    assert (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF-")
    capsys.readouterr()
    assert microcred("verify", "c.json") == 0
    out = capsys.readouterr().out
    assert "signature" in out
    assert "verified" in out
    assert microcred("verify", (tmp_path / "c.json").as_uri(), "--lang", "nl") == 0
    assert "handtekening is geldig" in capsys.readouterr().out
    uuid = credential_id.removeprefix("urn:uuid:")
    assert microcred("verify", f"http://127.0.0.1:8000/credentials/{uuid}") == 0
    assert microcred("credential", "show", uuid) == 0
    assert "active" in capsys.readouterr().out
    assert microcred("suspend", credential_id, "--reason", "under review") == 0
    assert microcred("verify", "c.json") == 1
    assert "suspended" in capsys.readouterr().out
    assert microcred("unsuspend", credential_id, "--reason", "cleared") == 0
    assert microcred("verify", "c.json") == 0
    assert microcred("revoke", credential_id, "--reason", "issued in error") == 0
    capsys.readouterr()
    assert microcred("verify", "c.json") == 1
    out = capsys.readouterr().out
    assert "revoked" in out
    assert "NOT verified" in out


def test_issue_for_an_edition_and_rotate_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert microcred("issue", "--edition", "vub/MC-DSS-2023") == 0
    out = capsys.readouterr().out
    count = int(out.split("issued ", 1)[1].split()[0])
    assert count > 0
    assert microcred("issue", "--edition", "vub/MC-DSS-2023") == 0
    assert "issued 0 credential(s)" in capsys.readouterr().out
    assert microcred("keys", "rotate", "vub") == 0
    assert "new signing key z6Mk" in capsys.readouterr().out


def test_a_tampered_file_fails_verification(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    microcred("issue", "--enrolment", "vub/MC-DSS-2023-E000")
    credential_id = _issued_id(capsys.readouterr().out)
    microcred("credential", "export", credential_id, "--out", "c.json")
    document = json.loads((tmp_path / "c.json").read_text())
    document["credentialSubject"]["achievement"]["creditsAvailable"] = 60
    (tmp_path / "t.json").write_text(json.dumps(document))
    capsys.readouterr()
    assert microcred("verify", "t.json") == 1
    assert "signature is not valid" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("issue",), "give exactly one of --edition or --enrolment"),
        (("issue", "--enrolment", "vub"), "must be PROVIDER/REFERENCE"),
        (("issue", "--enrolment", "vub/NOPE"), "no enrolment with reference 'NOPE'"),
        (("issue", "--edition", "vub/NOPE"), "no edition with code 'NOPE'"),
        (("revoke", "not-a-uuid", "--reason", "x"), "must be a credential id"),
        (("revoke", "urn:uuid:00000000-0000-4000-8000-000000000000", "--reason", "x"), "no credential"),
        (("verify", "https://elsewhere.example/c.json"), "nothing is fetched from the network"),
        (("verify", "missing.json"), "missing.json"),
        (("credential", "export", "urn:uuid:00000000-0000-4000-8000-000000000000", "--out", "x"), "no credential"),
        (("keys", "rotate", "nope"), "no provider with slug 'nope'"),
    ],
)
def test_errors_are_one_clear_line(args: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert microcred(*args) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_a_failed_enrolment_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert microcred("issue", "--enrolment", "vub/MC-DSS-2023-E003") == 1
    assert "only a passed enrolment earns a credential" in capsys.readouterr().err


def _exported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    microcred("issue", "--enrolment", "vub/MC-DSS-2023-E000")
    credential_id = _issued_id(capsys.readouterr().out)
    microcred("credential", "export", credential_id, "--out", "c.json")
    capsys.readouterr()
    document: dict[str, object] = json.loads((tmp_path / "c.json").read_text())
    return document


def test_verify_options_offline_no_status_trust_date_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _exported(tmp_path, capsys)
    assert microcred("verify", "c.json", "--offline", "--json") == 0  # the register's own: nothing to fetch
    answer = json.loads(capsys.readouterr().out)
    assert answer["verified"] is True
    assert [check["name"] for check in answer["checks"]][:2] == ["well-formed", "signature"]
    assert microcred("verify", "c.json", "--no-status") == 3
    out = capsys.readouterr().out
    assert "not checked" in out
    assert "NOT verified: not checked: status" in out
    assert microcred("--lang", "nl", "verify", "c.json", "--no-status") == 3
    out = " ".join(capsys.readouterr().out.split())  # rich wraps at the terminal's width
    assert "niet gecontroleerd" in out
    assert "NIET geverifieerd: niet gecontroleerd: status" in out
    assert "statuscontroles werden uitgeschakeld" in out
    assert microcred("verify", "c.json", "--trust-date", "1950-01-01", "--json") == 1
    trusted = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}["trusted-provider"]
    assert trusted["outcome"] == "fail"
    assert "1950-01-01" in trusted["reason"]
    assert microcred("verify", "c.json", "--trust-date", "yesterday") == 1
    assert "trust_date: must be both, created, valid-from or a date" in capsys.readouterr().err


def test_dids_are_printed_verbatim_not_as_emoji(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = _exported(tmp_path, capsys)
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    document["issuer"] = {**document["issuer"], "id": did}  # type: ignore[dict-item]
    (tmp_path / "k.json").write_text(json.dumps(document))
    assert microcred("verify", "k.json") == 1
    out = " ".join(capsys.readouterr().out.split())  # rich wraps at the terminal's width
    assert f"The issuer {did} was resolved" in out
    assert "🔑" not in out
