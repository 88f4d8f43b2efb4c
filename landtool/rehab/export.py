"""Cost estimates as files officials can open and check: JSON, CSV and a spreadsheet.

The spreadsheet has a sheet of lines whose cost cells are formulas (quantity × rate, rounded as
landtool rounds them; percentages of the direct cost) and a summary sheet whose totals are SUM
formulas, so anyone can see and re-check the arithmetic in Excel or LibreOffice. Those are the
only formulas: text from the user's files (parcel ids, partnerships, sites) is always written as
text (:mod:`landtool.io.cells`).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from landtool.geodesy import AREA_METHOD
from landtool.io.cells import csv_text, xlsx_text
from landtool.rehab.costs import Estimate

COLUMNS = ["kind", "parcel_id", "partnership", "site", "status", "task", "quantity", "unit",
           "rate", "percent", "cost", "source"]


def write_json(est: Estimate, path: Path) -> None:
    data = {**est.to_json(), "area_method": AREA_METHOD}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def write_csv(est: Estimate, path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:  # BOM: Excel reads UTF-8
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for row in est.line_rows():
            writer.writerow({k: csv_text(row.get(k)) for k in COLUMNS})  # text stays text


def write_xlsx(est: Estimate, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    lines = wb.active
    lines.title = "lines"
    lines.append(COLUMNS + ["cost (formula)"])
    for cell in lines[1]:
        cell.font = Font(bold=True)
    rows = est.line_rows()
    direct_rows = []
    for row in rows:
        lines.append([row.get(k) for k in COLUMNS])
        r = lines.max_row
        for cell in lines[r]:  # a parcel id or name starting with '=' stays text
            xlsx_text(cell)
        if row["kind"] == "direct":
            direct_rows.append(r)
            lines.cell(r, len(COLUMNS) + 1, f"=ROUND(G{r}*I{r},0)")
    first, last = (direct_rows[0], direct_rows[-1]) if direct_rows else (2, 1)
    direct_range = f"K{first}:K{last}"
    direct_sum = f"SUM({direct_range})" if direct_rows else "0"
    for r in range(2, lines.max_row + 1):
        kind = lines.cell(r, 1).value
        if kind == "indirect":
            lines.cell(r, len(COLUMNS) + 1, f"=ROUND({direct_sum}*J{r}/100,0)")
    summary = wb.create_sheet("summary")
    rates = est.rates
    for label, value in [
        ("rate file", f"{rates.id} {rates.version} ({rates.date.isoformat()})"),
        ("illustrative rates", "yes" if rates.illustrative else "no"),
        ("currency", est.currency),
        ("areas", AREA_METHOD),
        ("direct cost (formula)", f"=SUM(lines!{direct_range})" if direct_rows else 0),
    ]:
        summary.append([label, value])
        if not label.endswith("(formula)"):
            xlsx_text(summary.cell(summary.max_row, 2))
    for x in est.indirect:
        summary.append([f"{x.name} ({x.percent:g} %)", x.cost])
    summary.append(["direct (landtool)", est.direct])
    summary.append(["total", est.total])
    summary.append([f"deposit ({est.deposit_percent:g} %, "
                    f"{'confirmed' if est.deposit_confirmed else 'unconfirmed'})", est.deposit])
    for cell in summary["A"]:
        cell.font = Font(bold=True)
        xlsx_text(cell)
    summary.column_dimensions["A"].width = 40
    summary.column_dimensions["B"].width = 60
    wb.save(path)
