"""Reading real exports: encodings, separators, Excel's quirks, dates, phones, hostile cells."""

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from imports.fields import guess_columns
from imports.reading import NotATable, open_table
from imports.values import AmbiguousDate, BadValue, free_text, parse_date, parse_datetime, parse_phone, plain_text


def rows_of(data: bytes, name="file.csv"):
    table = open_table(data, name)
    return table, list(table.rows)


def test_windows_1252_file_from_excel_keeps_its_accents():
    table, rows = rows_of("Last Name,First Name\nLefèvre,Zoë\nGarcía,José\n".encode("cp1252"))
    assert table.encoding == "cp1252"
    assert [cells for _, cells in rows] == [["Lefèvre", "Zoë"], ["García", "José"]]


def test_utf8_with_byte_order_mark_and_semicolons():
    table, rows = rows_of("\ufeffID;First Name;Last Name\n1;Åsa;Öberg\n".encode())
    assert table.headers == ["ID", "First Name", "Last Name"]  # no BOM glued to the first header
    assert table.delimiter == ";" and rows == [(2, ["1", "Åsa", "Öberg"])]


def test_excel_escaped_ids_are_unwrapped_and_empty_rows_skipped():
    _, rows = rows_of(b'ID,Name\n="00123",Kim\n,\n\n="5002",Liam\n')
    assert rows == [(2, ["00123", "Kim"]), (5, ["5002", "Liam"])]


def test_xlsx_rows_keep_dates_and_row_numbers():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["First", "Born"])
    sheet.append(["Kim", datetime(1990, 7, 4)])
    sheet.append([None, None])
    sheet.append(["Liam", "1985-01-02"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table, rows = rows_of(buffer.getvalue(), "clients.xlsx")
    assert table.file_type == "xlsx"
    assert rows == [(2, ["Kim", datetime(1990, 7, 4)]), (4, ["Liam", "1985-01-02"])]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "a.csv", "empty"),
        (b"   \n\n", "a.csv", "empty"),
        (b"\x00\x01\x02binary", "a.csv", "not a table"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "a.xls", "older spreadsheet"),
        (b"PK\x03\x04not really a workbook", "a.xlsx", "could not be opened"),
        (b"just one column\nvalue\n", "a.csv", "name the columns"),
    ],
)
def test_files_that_are_not_tables_are_refused_with_a_reason(data, name, message):
    with pytest.raises(NotATable, match=message):
        rows_of(data, name)


def test_a_workbook_that_unpacks_to_gigabytes_is_refused(monkeypatch):
    from imports import reading

    monkeypatch.setattr(reading, "MAX_XLSX_UNPACKED", 1000)
    with pytest.raises(NotATable, match="unpacks to"):
        rows_of(xlsx_bytes([["First", "Last"], ["Ana", "Silva"]]), "big.xlsx")


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_dates_in_every_common_form():
    assert parse_date("1987-11-23") == date(1987, 11, 23)
    assert parse_date("23/11/1987") == date(1987, 11, 23)  # only day-first makes sense
    assert parse_date("11/23/1987") == date(1987, 11, 23)
    assert parse_date("03/04/1987", order="dmy") == date(1987, 4, 3)
    assert parse_date("03/04/1987", order="mdy") == date(1987, 3, 4)
    assert parse_date(32104) == date(1987, 11, 23)  # an Excel serial
    assert parse_date("32104") == date(1987, 11, 23)
    assert parse_date("23 Nov 1987") == parse_date("Nov 23, 1987") == date(1987, 11, 23)
    with pytest.raises(AmbiguousDate):
        parse_date("03/04/1987")
    with pytest.raises(BadValue):
        parse_date("31/02/1987")


def test_date_times_with_offsets_and_clinic_time():
    assert parse_datetime("2017-06-12T16:56:57Z").isoformat() == "2017-06-12T16:56:57+00:00"
    local = parse_datetime("02/03/2024 2:30 PM", order="dmy")
    assert (local.date(), local.hour, local.minute, local.tzinfo is not None) == (date(2024, 3, 2), 14, 30, True)


def test_phones_in_any_format_are_written_the_clinics_way(settings):
    settings.CLINIC_COUNTRY = "CA"
    assert parse_phone("416.555.0102") == parse_phone("+1 416 555 0102") == "(416) 555-0102"
    assert parse_phone(4165550102.0) == "(416) 555-0102"  # Excel made it a number
    assert parse_phone("+34 612 345 678") == "+34 612 34 56 78"
    assert parse_phone("ask at desk") == "ask at desk"  # not a number: kept as typed


def test_formulas_and_html_are_refused_in_names_and_neutralised_in_text():
    with pytest.raises(BadValue, match="formula"):
        plain_text("=cmd|' /C calc'!A0", limit=100, what="First name")
    with pytest.raises(BadValue, match="HTML"):
        plain_text("<script>alert(1)</script>", limit=100, what="First name")
    with pytest.raises(BadValue, match="formula"):
        plain_text("-2+3+cmd|' /C calc'!A0", limit=100, what="Id")
    assert free_text("-2+3+cmd|' /C calc'!A0", limit=100, what="Notes").startswith("'-2+3")
    assert free_text('=HYPERLINK("http://x")', limit=100, what="Notes") == '\'=HYPERLINK("http://x")'
    assert free_text("- stretch daily", limit=100, what="Notes") == "- stretch daily"


def test_headers_match_whatever_their_case_spacing_or_product():
    columns = guess_columns(
        ["Patient Number", "first_name", "LastName", "Date of Birth", "Mobile Phone", "Favourite colour"], "clients"
    )
    assert columns == {
        "Patient Number": "external_id",
        "first_name": "first_name",
        "LastName": "last_name",
        "Date of Birth": "date_of_birth",
        "Mobile Phone": "mobile_phone",
        "Favourite colour": "",
    }


def test_the_likelier_header_wins_a_field():
    columns = guess_columns(["Created At", "Finalized At", "Content", "Patient ID"], "notes")
    assert columns["Finalized At"] == "signed_at" and columns["Created At"] == ""


def test_one_cell_with_several_typed_phone_numbers(settings):
    from imports.rows import Row, client_values

    settings.CLINIC_COUNTRY = "AU"
    values = client_values(
        Row(2, {"first_name": "Kim", "last_name": "Nguyen", "phone": "Mobile: 0412 345 678, Home: (02) 9876 5432"}),
        date_order="",
        system_label="Cliniko",
    )

    assert values["phone"] == "0412 345 678"
    assert "Other phones: home (02) 9876 5432." in values["desk_notes"]
