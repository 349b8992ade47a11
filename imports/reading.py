"""Reading an uploaded file as a table: CSV in any common encoding and separator, or Excel (.xlsx).

Rows are streamed (csv reader over the decoded text, openpyxl in read-only mode), so a large
file costs the memory of one row at a time on top of the file itself. Cells come back as
trimmed text, with Excel's escaped ids (`="12345"`) unwrapped; Excel dates and numbers come
back as Python values for the parsers in values.py.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

from charset_normalizer import from_bytes

MAX_COLUMNS = 300
# A whole treatment note fits (the note's text allows 200,000); each field has its own, smaller
# limit (rows.py), which refuses the row rather than cutting what it says.
MAX_CELL_CHARS = 250_000
MAX_ROWS = 2_000_000
SNIFF_BYTES = 64 * 1024
# An .xlsx is a ZIP of XML: one that unpacks to more than this is a bomb, not a patient list.
MAX_XLSX_UNPACKED = 2 * 1024**3
XLSX_MAGIC = b"PK\x03\x04"
# Encodings real exports come in, tried in this order after a byte-order mark.
FALLBACK_ENCODINGS = ("utf-8", "cp1252")

csv.field_size_limit(MAX_CELL_CHARS * 4)


class NotATable(Exception):
    """The file cannot be read as a table; the message says why, for the person who sent it."""


@dataclass
class Table:
    headers: list[str]
    rows: "Iterator[tuple[int, list]]"  # (row number as a spreadsheet shows it, cells)
    encoding: str = ""
    delimiter: str = ""
    file_type: str = "csv"


def open_table(data: bytes, file_name: str = "") -> Table:
    """The header row and an iterator over the data rows (empty rows skipped)."""
    if not data or not data.strip():
        raise NotATable("The file is empty.")
    if data.startswith(XLSX_MAGIC):
        return _open_xlsx(data)
    if file_name.lower().endswith((".xls", ".numbers", ".ods")) or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise NotATable("This is an older spreadsheet format: save it as .xlsx or .csv and upload that.")
    if b"\x00" in data[:SNIFF_BYTES]:
        raise NotATable("This is not a table: save it from your spreadsheet program as .csv or .xlsx.")
    return _open_csv(data)


def _encoding(data: bytes) -> str:
    """The file's encoding: a byte-order mark's, UTF-8 if it all decodes as such, else the detector's
    guess (read from the first megabyte), Windows-1252 for its near relatives."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    decoder, step = codecs.getincrementaldecoder("utf-8")(), 1024 * 1024
    try:  # a megabyte at a time: checked without holding the whole text
        for start in range(0, len(data), step):
            decoder.decode(data[start : start + step], final=start + step >= len(data))
        return "utf-8"
    except UnicodeDecodeError:
        pass
    guess = from_bytes(data[: 1024 * 1024]).best()
    encoding = guess.encoding if guess is not None else "cp1252"
    # Excel on Windows writes Windows-1252; the detector often names a near relative of it.
    if encoding.replace("_", "-").lower() in ("latin-1", "iso8859-1", "iso-8859-1", "cp1250", "iso8859-15", "ascii"):
        encoding = "cp1252"
    try:
        codecs.lookup(encoding)
    except LookupError:
        encoding = "cp1252"
    return encoding


def _delimiter(sample: str) -> str:
    first_line = sample.split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _open_csv(data: bytes) -> Table:
    encoding = _encoding(data)
    delimiter = _delimiter(data[:SNIFF_BYTES].decode(encoding, errors="ignore"))
    # Decoded as it is read: the text of a large file is never all in memory at once.
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="replace", newline="")
    reader = csv.reader(text, delimiter=delimiter)
    try:
        headers, start = _header_row(reader)
    except csv.Error as error:
        raise NotATable(f"The file could not be read as CSV ({error}).") from None
    return Table(headers, _csv_rows(reader, len(headers), start), encoding, delimiter, "csv")


def _csv_rows(reader, width: int, start: int) -> Iterator[tuple[int, list]]:
    number = start
    try:
        for row in reader:
            number += 1
            if number > MAX_ROWS:
                raise NotATable(f"The file has more than {MAX_ROWS:,} rows: split it and import the parts.")
            cells = [clean_cell(cell) for cell in row[:MAX_COLUMNS]]
            if any(cells):
                yield number, cells + [""] * (width - len(cells))
    except csv.Error as error:
        raise NotATable(f"Row {number}: the file could not be read as CSV ({error}).") from None


def _header_row(rows) -> tuple[list[str], int]:
    number = 0
    for row in rows:
        number += 1
        cells = [clean_cell(cell) for cell in row]
        if any(cells):
            if len(cells) > MAX_COLUMNS:
                raise NotATable(f"The file has {len(cells)} columns; at most {MAX_COLUMNS} are read.")
            if sum(1 for cell in cells if cell) < 2:
                raise NotATable("The first row must name the columns (at least two), like a spreadsheet's header.")
            return [str(cell) for cell in cells], number
        if number > 50:
            break
    raise NotATable("The file has no header row: the first row must name the columns.")


def _open_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        raise NotATable("This .xlsx file could not be opened (BadZipFile).") from None
    if unpacked > MAX_XLSX_UNPACKED:
        raise NotATable(
            f"This workbook unpacks to {unpacked // 2**20:,} MB, more than a real export of a clinic: "
            "save the sheet as .csv and upload that."
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise NotATable(f"This .xlsx file could not be opened ({type(error).__name__}).") from None
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        raise NotATable("The workbook has no sheet.")
    rows = sheet.iter_rows(values_only=True)
    headers, start = _header_row(rows)
    return Table(headers, _xlsx_rows(rows, len(headers), start, workbook), "", "", "xlsx")


def _xlsx_rows(rows, width: int, start: int, workbook) -> Iterator[tuple[int, list]]:
    number = start
    try:
        for row in rows:
            number += 1
            if number > MAX_ROWS:
                raise NotATable(f"The sheet has more than {MAX_ROWS:,} rows: split it and import the parts.")
            cells = [clean_cell(cell) for cell in row[:MAX_COLUMNS]]
            if any(cell not in ("", None) for cell in cells):
                yield number, cells + [""] * (width - len(cells))
    finally:
        workbook.close()


def clean_cell(value):
    """Trimmed text, or a date/time/number an Excel cell held. Excel-escaped text (`="0042"`) unwrapped."""
    if value is None:
        return ""
    if isinstance(value, datetime | date | time | int | float) and not isinstance(value, bool):
        return value
    text = str(value).replace("\x00", "").strip()
    if len(text) >= 3 and text.startswith('="') and text.endswith('"'):
        text = text[2:-1].replace('""', '"').strip()
    if len(text) > MAX_CELL_CHARS:
        raise NotATable(f"A cell holds more than {MAX_CELL_CHARS:,} characters: this is not an export of records.")
    return text
