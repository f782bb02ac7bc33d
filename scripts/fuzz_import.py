"""Throw generated hostile rows and files at the initiatives validator, as `geo initiatives validate` runs it.

    python scripts/fuzz_import.py [--files 300] [--seed 1] [--json]

Each case is one file (CSV or XLSX) built from a valid row with hostile values in random columns (markup and
script, spreadsheet formulas, control and bidirectional characters, huge text, inf/nan/1e400 and absurd
numbers, foreign codes, odd URL schemes), or a hostile file as a whole (zip bombs, thousands of parts, too
many rows, wrong encodings, binary garbage, broken headers). It reports rows tried, rows refused with a
message, rows accepted, files refused as a whole, crashes (any exception but a clear refusal: want 0) and the
slowest file. It also checks that every accepted row exports to valid CSV, XLSX and JSON.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openpyxl  # noqa: E402

from geo.config import snapshot_dir  # noqa: E402
from geo.initiatives.files import FileProblem, read_rows, to_csv, to_xlsx  # noqa: E402
from geo.initiatives.schema import COLUMNS, Reference, check_rows  # noqa: E402
from tests import hostile_files  # noqa: E402

VALID = {"initiative_id": "fuzz-1", "name": "Buurtkamer", "programme": "Test", "area_id": "kerkrade-oost",
         "gemeentecodes": "GM0928", "buurtcodes": "BU09280105", "theme_ids": "ontmoeting", "partners": "A; B",
         "budget_eur": "25000", "budget_note": "", "status": "running", "status_as_of": "2025",
         "start_year": "2024", "end_year": "2026", "description_nl": "", "source_url": "https://example.org/x",
         "lat": "", "lon": ""}

HOSTILE = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)", "data:text/html,<b>x</b>",
    "=HYPERLINK(\"http://evil\",\"klik\")", "+SUM(A1:A9)", "-2+3", "@cmd", "\t=1+1", "\r\n=1", "'", '"', "\\",
    "**bold** _x_ [link](http://evil)", "{{7*7}}", "${jndi:ldap://x}", "../../etc/passwd", "\x00", "\u202e\u0645",
    "\u200b", "\ufeff", "Ø" * 5000, "a" * 100_000, "🏳️‍🌈" * 100, "", " ", "None", "null", "NaN", "nan", "inf",
    "-inf", "1e400", "-1e400", "99999999999999999999999", "1e10", "10000000001", "-0", "0x10", "1,5", "1.000.000",
    "€ 5.000", "5e-324", "2024-01-01", "1899", "3000", "GM0000", "GM09280", "BU0928010", "BU03630917", "gm0928",
    "atlantis", "__proto__", "constructor", "wonen wonen", "wonen,spaceflight", "planned ", "RUNNING",
    "http://", "https://exa mple.org", "ftp://x", "HTTPS://EXAMPLE.ORG", "https://example.org/" + "x" * 3000,
]
NUMERIC = ("budget_eur", "status_as_of", "start_year", "end_year", "lat", "lon")
NUMBERS = ["inf", "-inf", "nan", "1e400", "99999999999999999999999", "-5", "1e10", "10000000001", "0", "2e9",
           "50.9", "6.0", "1.5", "", "abc", "1_000", "٣"]


def hostile_row(rng: random.Random, index: int) -> dict:
    row = {**VALID, "initiative_id": f"fuzz-{index}"}
    for column in rng.sample(list(COLUMNS), rng.randint(1, 4)):
        row[column] = rng.choice(NUMBERS if column in NUMERIC and rng.random() < 0.6 else HOSTILE)
    return row


def as_csv(rows: list[dict], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding, errors="replace")


def as_xlsx(rows: list[dict], numbers: bool) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for row in rows:
        values = []
        for column in COLUMNS:
            value = row[column]
            if numbers and column in NUMERIC:
                try:
                    value = float(value)
                except ValueError:
                    pass
            values.append(value.replace("\x00", "") if isinstance(value, str) else value)
        try:
            sheet.append(values)
        except (ValueError, TypeError):  # openpyxl refuses some characters itself: such a sheet cannot exist
            sheet.append([str(v).encode("ascii", "ignore").decode() for v in values])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def whole_files(rng: random.Random) -> list[tuple[str, bytes]]:
    """Files that are hostile as a whole."""
    header = ",".join(COLUMNS).encode()
    return [
        ("bomb-300mb.xlsx", hostile_files.zip_bomb(300)),
        ("bomb-ratio.xlsx", hostile_files.zip_bomb(30)),
        ("many-parts.xlsx", hostile_files.many_members(5000)),
        ("too-many-rows.xlsx", hostile_files.workbook(5001)),
        ("too-many-rows.csv", as_csv([{**VALID, "initiative_id": f"r-{i}"} for i in range(5001)])),
        ("fake.xlsx", b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(5000))),
        ("garbage.csv", bytes(rng.randrange(256) for _ in range(5000))),
        ("latin1.csv", as_csv([{**VALID, "name": "Café"}], encoding="latin-1")),
        ("utf16.csv", as_csv([VALID]).decode().encode("utf-16")),
        ("empty.csv", b""), ("header-only.csv", header + b"\n"), ("no-header.csv", b"x,y\n1,2\n"),
        ("nul.csv", header + b"\n" + b"\x00" * 1000), ("long-line.csv", header + b"\n" + b"a" * 1_900_000),
        ("duplicate-header.csv", header + b"," + header + b"\n" + b"x," * 40 + b"\n"),
        ("bom-semicolon.csv", b"\xef\xbb\xbf" + as_csv([VALID], delimiter=";")),
        ("too-big.csv", b"a" * (2 * 1024 * 1024 + 1)), ("image.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
        ("quotes.csv", header + b'\n"' + b'""' * 10000 + b"\n"),
    ]


def reference_data() -> Reference:
    from geo.data.area_data import AreaData
    from geo.data.sources import DirectorySource
    from geo.data.sync import sync

    directory = Path(tempfile.mkdtemp(prefix="fuzz-"))
    sync(DirectorySource(snapshot_dir()), 2024, directory)
    return Reference.from_data(AreaData.load(directory))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=300, help="generated files with hostile rows")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)  # noqa: S311 - reproducible test data, not secrets
    reference = reference_data()

    cases: list[tuple[str, bytes]] = whole_files(rng)
    for i in range(args.files):
        rows = [hostile_row(rng, i * 10 + j) for j in range(rng.randint(1, 10))]
        kind = rng.choice(["csv", "csv;", "xlsx", "xlsx-numbers"])
        content = (as_csv(rows, ";" if kind == "csv;" else ",") if kind.startswith("csv")
                   else as_xlsx(rows, numbers=kind == "xlsx-numbers"))
        cases.append((f"rows-{i}.{kind.rstrip(';').split('-')[0]}", content))

    report = {"files": len(cases), "rows_tried": 0, "rows_refused": 0, "rows_accepted": 0, "files_refused": 0,
              "crashes": 0, "slowest_file": None, "slowest_seconds": 0.0, "crash_details": []}
    for name, content in cases:
        started = time.perf_counter()
        try:
            try:
                rows = read_rows(content, name)
            except FileProblem as exc:
                assert str(exc), "a refusal without a message"
                report["files_refused"] += 1
                continue
            checked = check_rows(rows, reference)
            refused_rows = {p.row for p in checked.problems}
            assert all(p.message for p in checked.problems), "a problem without a message"
            report["rows_tried"] += len(rows)
            report["rows_refused"] += len(refused_rows)
            report["rows_accepted"] += len(checked.initiatives)
            assert len(refused_rows) + len(checked.initiatives) == len(rows), "a row neither accepted nor refused"
            for item in checked.initiatives:
                assert item.budget_eur is None or math.isfinite(item.budget_eur)
            if checked.initiatives:  # what is accepted must export validly
                to_csv(checked.initiatives), to_xlsx(checked.initiatives)
                json.dumps([i.model_dump() for i in checked.initiatives], allow_nan=False)
        except Exception as exc:  # noqa: BLE001 - counting crashes is the point
            report["crashes"] += 1
            report["crash_details"].append(f"{name}: {type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}")
        finally:
            seconds = time.perf_counter() - started
            if seconds > report["slowest_seconds"]:
                report["slowest_file"], report["slowest_seconds"] = name, round(seconds, 3)

    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"files {report['files']} ({report['files_refused']} refused as a whole), rows tried "
              f"{report['rows_tried']}: refused with a message {report['rows_refused']}, accepted "
              f"{report['rows_accepted']}; crashes {report['crashes']}; slowest file {report['slowest_file']} "
              f"{report['slowest_seconds'] * 1000:.0f} ms")
        for detail in report["crash_details"][:10]:
            print(detail, file=sys.stderr)
    return 1 if report["crashes"] else 0


if __name__ == "__main__":
    sys.exit(main())
