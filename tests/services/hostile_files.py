"""Hostile and awkward import files, built in code: each is the smallest file that shows one class of trouble.

Shared by the service, API, desk and command-line tests of the importer. Enrolments are for the small
demo's provider ``vub`` and its edition ``MC-DSS-2023``; learner identifiers come from ``LEARNER_IDS`` so
a test can scan every output for them.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

LEARNER_IDS = ("r0777001", "r0777002", "85073003328", "r0777004", "r0777005")
HEADER = ["provider", "reference", "edition_code", "learner_id", "enrolment_date", "contract_type", "outcome"]


def enrolment(number: int, *, learner: str | None = None, date: str = "2023-09-01", contract: str = "02") -> list[str]:
    """A valid enrolment row of ``vub`` in ``MC-DSS-2023``."""
    return [
        "vub",
        f"H-{number}",
        "MC-DSS-2023",
        learner or LEARNER_IDS[number % len(LEARNER_IDS)],
        date,
        contract,
        "enrolled",
    ]


def csv_text(rows: list[list[str]], *, delimiter: str = ",", header: list[str] = HEADER) -> str:
    return "".join(delimiter.join(cells) + "\n" for cells in [header, *rows])


def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    """An XLSX workbook with the given sheets (name -> rows, the first row a header)."""
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_stale_dimension(xlsx: bytes, ref: str) -> bytes:
    """The workbook with its first sheet's ``<dimension>`` rewritten to ``ref`` (other writers leave it stale)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), data)
                assert count == 1, "openpyxl no longer writes a <dimension> element"
            target.writestr(item, data)
    return buffer.getvalue()


def zip_without_a_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


def jsonl(objects: list[str]) -> str:
    """JSON Lines from raw JSON texts (raw so a test can write what json.dumps never would)."""
    return "".join(line + "\n" for line in objects)


def json_object(cells: dict[str, object]) -> str:
    return json.dumps(cells)


def _wrong_delimiter() -> tuple[str, bytes]:
    rows = [enrolment(n) for n in range(3)]
    return "enrolments.csv", (",".join(HEADER) + "\n" + "".join(";".join(r) + "\n" for r in rows)).encode()


def _line_pasted_in_one_cell() -> tuple[str, bytes]:
    rows: list[list[object]] = [[";".join(enrolment(n))] for n in range(3)]
    return "enrolments.xlsx", workbook({"enrolments": [list(HEADER), *rows]})


def _no_header() -> tuple[str, bytes]:
    return "enrolments.csv", "".join(",".join(enrolment(n)) + "\n" for n in range(3)).encode()


def _stray_quote() -> tuple[str, bytes]:
    first = enrolment(0)
    first[1] = '"H-0'
    return "enrolments.csv", csv_text([first, enrolment(1), enrolment(2)]).encode()


def _control_characters() -> tuple[str, bytes]:
    rows = [enrolment(0, learner=LEARNER_IDS[0] + "\x00"), enrolment(1), enrolment(2)]
    rows[1][4] = "2023-09-01\x07"
    return "enrolments.csv", csv_text(rows).encode()


def _oversized_learner_id() -> tuple[str, bytes]:
    return "enrolments.csv", csv_text([enrolment(0, learner=LEARNER_IDS[1] * 5_000), enrolment(1)]).encode()


def _json_keys() -> tuple[str, bytes]:
    objects = [
        json_object({LEARNER_IDS[0]: "x", **dict(zip(HEADER, enrolment(1), strict=True))}),
        '{"provider": "vub", "reference": "H-2", "learner_id": "' + '", "learner_id": "'.join(LEARNER_IDS[2:4]) + '"}',
        json_object({**dict(zip(HEADER, enrolment(4), strict=True)), "enrolment_date": "soon " + LEARNER_IDS[4]}),
    ]
    return "enrolments.jsonl", jsonl(objects).encode()


HOSTILE: dict[str, Callable[[], tuple[str, bytes]]] = {
    "wrong delimiter": _wrong_delimiter,
    "a whole line pasted into one cell": _line_pasted_in_one_cell,
    "no header row": _no_header,
    "a stray quote": _stray_quote,
    "control characters": _control_characters,
    "an oversized learner id": _oversized_learner_id,
    "learner ids in JSON keys and values": _json_keys,
}
"""Files that put learner identifiers where an import echoes cells: each must be refused without echoing them."""


def write(folder: Path, name: str, content: bytes | str) -> Path:
    path = folder / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path
