"""The one neutralising writer behind every CSV and XLSX the platform produces."""

from __future__ import annotations

import csv
import io

import pytest
import xlsxwriter
from openpyxl import load_workbook

from app.export import XLSX_OPTIONS, cell, csv_bytes, neutralise, write_xlsx_text


@pytest.mark.parametrize(("text", "expected"), [
    ("=1+1", "'=1+1"), ("+kWh", "'+kWh"), ("-5", "'-5"), ("@SUM(1)", "'@SUM(1)"), ("\t=1", "'\t=1"),
    ("＝1", "'＝1"), ("电", "电"), ("", ""), ("a=b", "a=b"),
])
def test_neutralise(text, expected):
    assert neutralise(text) == expected


def test_numbers_stay_numbers_and_missing_is_empty():
    assert (cell(-5), cell(1.5), cell(None), cell(float("nan")), cell("-5")) == (-5, 1.5, "", "", "'-5")


def test_csv_bytes_has_a_bom_and_inert_cells():
    blob = csv_bytes(["a", "b"], [["=HYPERLINK(\"x\")", -3], ["@x", None]])
    assert blob.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(blob.decode("utf-8-sig"))))
    assert rows == [["a", "b"], ["'=HYPERLINK(\"x\")", "-3"], ["'@x", ""]]


def test_xlsx_text_is_stored_as_inert_text():
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, XLSX_OPTIONS) as book:
        sheet = book.add_worksheet()
        write_xlsx_text(sheet, 0, 0, "=SUM(A2:A3)")
        sheet.write(0, 1, "=1+1")  # the options keep even a plain write from becoming a formula
    ws = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert ws["A1"].value == "'=SUM(A2:A3)" and ws["A1"].data_type == "s"
    assert ws["B1"].data_type == "s"
