"""User text in spreadsheet cells is always text, never a formula.

A name, id or note from a user's file that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab
or carriage return) would become a live formula when a CSV is opened in Excel or LibreOffice,
or when a spreadsheet library stores it (openpyxl turns any string starting with ``=`` into a
formula). So:

* in CSV outputs such a text gets a leading single quote (``'=HYPERLINK(...)``), as the OWASP
  guidance on CSV injection says: the spreadsheet shows the text, and does not evaluate it.
  landtool's own CSV reader takes the quote off again (:func:`csv_untext`), so a layer written
  to CSV and read back is unchanged;
* in XLSX outputs it is written as a string cell (:func:`xlsx_text`), which no spreadsheet
  evaluates, so it needs no quote and reads back exactly as written.

Numbers are left alone: only text is escaped (a negative number is not a formula).
"""

from __future__ import annotations

#: How a text a spreadsheet would evaluate can start (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value):
    """``value`` for a CSV cell: a text that a spreadsheet would evaluate gets a leading
    single quote; anything else (numbers, None, other text) is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_untext(value):
    """Undo :func:`csv_text` on a cell read from a CSV file."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def xlsx_text(cell) -> None:
    """Make an openpyxl cell holding a text a string cell, whatever the text starts with."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
