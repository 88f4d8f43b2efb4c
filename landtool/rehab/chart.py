"""A chart of hectares by rehabilitation status per partnership (or soum), as a PNG.

Drawn with matplotlib's Agg canvas directly (never pyplot), so no GUI toolkit is ever loaded.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from landtool.geodesy import AREA_METHOD, AREA_METHOD_MN
from landtool.io.formats import atomic_path
from landtool.rehab.status import STATUS_NAMES_MN, STATUSES

COLOURS = {"disturbed": "#b2182b", "technical_in_progress": "#ef8a62",
           "technical_done": "#fddbc7", "biological_done": "#a6dba0", "accepted": "#1b7837"}
TEXT = {
    "en": {"title": "Hectares by rehabilitation status", "x": "hectares",
           "bar": "  {total:.2f} ha", "left": " ({out:.2f} ha outstanding)",
           "made": "Made {day}. Areas: {method}."},
    "mn": {"title": "Нөхөн сэргээлтийн төлөвөөр (га)", "x": "га",
           "bar": "  {total:.2f} га", "left": " ({out:.2f} га үлдсэн)",
           "made": "{day}-нд үүсгэв. Талбай: {method}."},
}


def status_chart(summary: pd.DataFrame, path: str | Path, *, lang: str = "en",
                 title: str | None = None) -> None:
    """Write a stacked horizontal bar chart of ``summarize(...)`` output to ``path`` (PNG)."""
    text = TEXT["mn" if lang == "mn" else "en"]
    group = summary.columns[0]
    rows = summary.sort_values("total_ha")
    fig = Figure(figsize=(9, 1.2 + 0.45 * len(rows)), dpi=150, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    left = pd.Series(0.0, index=rows.index)
    for status in STATUSES:
        label = STATUS_NAMES_MN[status] if lang == "mn" else status.replace("_", " ")
        ax.barh(rows[group].astype(str), rows[status], left=left, color=COLOURS[status],
                edgecolor="#555555", linewidth=0.4, label=label)
        left = left + rows[status]
    for y, (total, out) in enumerate(zip(rows["total_ha"], rows["outstanding_ha"], strict=True)):
        label = text["bar"].format(total=total) + (text["left"].format(out=out) if out else "")
        ax.text(total, y, label, va="center", fontsize=7)
    ax.set_xlabel(text["x"])
    ax.set_xlim(0, max(float(rows["total_ha"].max()), 0.1) * 1.35)
    ax.set_title(title or text["title"])
    ax.legend(fontsize=7, loc="lower right")
    method = AREA_METHOD_MN if lang == "mn" else AREA_METHOD
    fig.text(0.01, 0.005, text["made"].format(day=date.today().isoformat(), method=method),
             fontsize=6, color="#555555")
    with atomic_path(Path(path)) as tmp:
        fig.savefig(tmp, format="png")
