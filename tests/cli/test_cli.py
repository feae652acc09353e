"""The command line: happy paths and error paths (one clear line, non-zero exit, no traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import microcred

# slow (seconds a test: credentials issued, a demo loaded, a report rendered or a process started):
# make test runs it, make test-fast leaves it out
pytestmark = pytest.mark.slow


def test_init_demo_and_listing(capsys: pytest.CaptureFixture[str]) -> None:
    assert microcred("init") == 0
    assert microcred("demo") == 0
    assert microcred("demo") == 0  # idempotent
    assert microcred("provider", "list") == 0
    assert microcred("offering", "list", "--provider", "vub") == 0
    out = capsys.readouterr().out
    assert "ugent" in out
    assert "MC-DSS" in out


def test_provider_add_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    microcred("init")
    assert (
        microcred(
            "provider",
            "add",
            "acme",
            "--name-nl",
            "Acme Academie",
            "--type",
            "other-private",
            "--qa-agency",
            "NVAO",
            "--qa-from",
            "2020-01-01",
        )
        == 0
    )
    assert microcred("provider", "show", "acme") == 0
    out = capsys.readouterr().out
    assert "Acme Academie" in out
    assert "trusted today: yes" in out


def test_adding_a_provider_twice_is_a_conflict(capsys: pytest.CaptureFixture[str]) -> None:
    microcred("init")
    args = ("provider", "add", "acme", "--name-nl", "Acme", "--type", "other-private")
    assert microcred(*args) == 0
    assert microcred(*args) == 1
    err = capsys.readouterr().err
    assert "already exists" in err
    assert "Traceback" not in err


def test_offering_show_prints_labels_next_to_vocabulary_codes(demo: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert microcred("--lang", "en", "offering", "show", "vub", "MC-DSS") == 0
    out = capsys.readouterr().out
    assert "Marked assignment (2939dae15f)".lower() in out.lower()
    assert "Blended (blended)" in out
    assert "Level 7 (7)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("provider", "show", "nope"), "no provider with slug 'nope'"),
        (("provider", "add", "Bad Slug", "--name-nl", "x", "--type", "university"), "slug"),
        (("provider", "add", "acme", "--name-nl", "x", "--type", "castle"), "--type: 'castle' is not a known value"),
        (("provider", "add", "acme", "--name-nl", "x", "--type", "university", "--qa-agency", "NVAO"), "--qa-from"),
        (("offering", "add", "vub", "X", "--ects", "99"), "at most 60"),
        (("offering", "add", "vub", "X", "--eqf", "9"), "eqf_level"),
        (("offering", "add", "nope", "X", "--title-nl", "t"), "no provider with slug 'nope'"),
        (("offering", "add", "vub", "X", "--title-nl", "t", "--publish"), "is not valid: learning_outcomes"),
        (("offering", "check", "vub", "NOPE"), "no offering with code 'NOPE'"),
    ],
)
def test_errors_are_one_clear_line(
    demo: None, args: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert microcred(*args) == 1
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_offering_check_lists_missing_elements_and_exits_one(demo: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert microcred(
        "offering",
        "add",
        "vub",
        "DRAFT-1",
        "--title-nl",
        "Ontwerp",
        "--ects",
        "3",
        "--isced",
        "informatie- en communicatietechnologie (ict)",
    ) in (0, 1)
    capsys.readouterr()
    assert microcred("offering", "check", "vub", "DRAFT-1") == 1
    out = capsys.readouterr().out
    assert "learning_outcomes" in out
    assert "eqf_level" in out
    assert "workload" not in out
    assert microcred("offering", "check", "vub", "MC-DSS") == 0


def test_usage_errors_exit_two(capsys: pytest.CaptureFixture[str]) -> None:
    assert microcred("offering", "show") == 2
    assert "Missing argument" in capsys.readouterr().err


def test_bad_configuration_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MICROCRED_ENVIRONMENT", "production")
    assert microcred("init") == 1
    assert "MICROCRED_PSEUDONYM_PEPPER" in capsys.readouterr().err


def test_debug_shows_the_traceback() -> None:
    microcred("init")
    with pytest.raises(Exception, match="nope"):
        microcred("--debug", "provider", "show", "nope")


@pytest.mark.slow
def test_report_audit_attacks_every_publishable_statistic_of_the_demo_and_passes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert microcred("init") == 0
    assert microcred("demo") == 0
    assert microcred("report", "audit") == 0
    out = capsys.readouterr().out
    assert "scopes and" in out
    assert "weakest: " in out
    assert "passed: every count of fewer than 5 learners keeps at least 4 values" in out


def test_an_unexpected_error_is_one_line_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15, finding 8: an error nobody planned for is one line (a traceback only with --debug), and a CSV
    whose header line is over 128 KB is a row-1 problem in the report, not a crash."""
    microcred("init")
    huge = tmp_path / "huge.csv"
    huge.write_text('"' + "x" * 200_000 + '"\n1\n', encoding="utf-8")
    assert microcred("import", "providers", str(huge)) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "row 1 is not a header" in captured.out

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the disk vanished")

    monkeypatch.setattr("microcred.services.imports.Imports.import_file", broken)
    assert microcred("import", "providers", str(huge)) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "error:" in err
    assert "unexpected RuntimeError: the disk vanished (add --debug for the traceback)" in " ".join(err.split())
    assert microcred("--lang", "nl", "import", "providers", str(huge)) == 1
    err = capsys.readouterr().err
    assert "fout:" in err
    assert "onverwachte RuntimeError: the disk vanished (voeg --debug toe" in " ".join(err.split())


def test_report_facts_writes_the_parquet_dataset_and_refuses_a_foreign_folder(
    small_demo: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "facts"
    assert microcred("report", "facts", "--parquet", str(target)) == 0
    assert microcred("report", "facts", "--parquet", str(target)) == 0  # again: replaced
    captured = capsys.readouterr()
    assert f"statistics facts written to {target}" in captured.out
    assert "not for publication" in captured.err
    assert any((target / "enrolments").glob("academic_year=*/provider=*/*.parquet"))
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "todo.txt").write_text("keep me", encoding="utf-8")
    assert microcred("report", "facts", "--parquet", str(foreign)) != 0
    assert "holds no microcred statistics facts" in capsys.readouterr().err
    assert (foreign / "todo.txt").read_text(encoding="utf-8") == "keep me"
