"""Generated hostile uploads for tests and scripts/fuzz_import.py: zip bombs and oversized workbooks."""

from __future__ import annotations

import io
import zipfile

import openpyxl

HEADER = ("initiative_id", "name", "programme", "theme_ids", "status", "status_as_of", "source_url")


def workbook(rows: int = 1) -> bytes:
    """An ordinary small XLSX with the required columns and `rows` valid-looking rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append((f"row-{i}", f"Initiative {i}", "Test", "wonen", "running", 2024, "https://example.org/"))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_bomb(unpacked_mb: int = 300, member: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A real workbook whose sheet XML is replaced by `unpacked_mb` MB of repeated rows: about 1 MB packed
    per 300 MB unpacked, so it fits under the upload limit."""
    source = zipfile.ZipFile(io.BytesIO(workbook()))
    out = io.BytesIO()
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 1000
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != member:
                target.writestr(info, source.read(info.filename))
                continue
            with target.open(member, "w", force_zip64=True) as fh:
                fh.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                         b'spreadsheetml/2006/main"><sheetData>')
                for _ in range(unpacked_mb * 1_000_000 // len(row)):
                    fh.write(row)
                fh.write(b"</sheetData></worksheet>")
    return out.getvalue()


def many_members(count: int = 5000) -> bytes:
    """A workbook padded with thousands of tiny parts."""
    out = io.BytesIO(workbook())
    with zipfile.ZipFile(out, "a") as target:
        for i in range(count):
            target.writestr(f"xl/media/pad{i}.bin", b"x")
    return out.getvalue()
