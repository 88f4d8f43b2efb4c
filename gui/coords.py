"""Formatting of positions and map scales for the status bar.

Examples
--------
>>> print(format_dms(48.85, "lat"))
48°51'00.0" N
>>> print(format_dms(-0.5, "lon"))
0°30'00.0" W
>>> format_scale(123456.0)
'1:123,000'
"""

from __future__ import annotations

from typing import Literal

from gui.i18n import Lang, tr
from landtool.io.corners import format_dms as _core_dms


def format_dms(value: float, axis: Literal["lat", "lon"], lang: str | Lang = Lang.EN) -> str:
    """``value`` degrees as degrees, minutes and seconds (tenths) with the hemisphere.

    The numbers are written by the core's :func:`landtool.io.corners.format_dms`, the notation
    its corner-list reader accepts, so a position can be copied from the status bar.
    """
    if axis == "lat":
        hemi = "N" if value >= 0 else "S"
    else:
        hemi = "E" if value >= 0 else "W"
    return f"{_core_dms(abs(value), decimals=1)} {tr(f'hemi.{hemi}', lang)}"


def format_position(lon: float, lat: float, lang: str | Lang = Lang.EN) -> str:
    """The status-bar text of a position: decimal degrees and DMS."""
    dms = f"{format_dms(lat, 'lat', lang)}  {format_dms(lon, 'lon', lang)}"
    return tr("status.position", lang, lat=f"{lat:.6f}°", lon=f"{lon:.6f}°", dms=dms)


def format_scale(denominator: float, lang: str | Lang = Lang.EN) -> str:
    """``1:N`` with N rounded to three significant digits (a screen scale is approximate)."""
    n = max(1, round(denominator))
    if n >= 1000:
        digits = len(str(n)) - 3
        n = round(n, -digits)
    text = f"{n:,}"
    if Lang(lang) is Lang.MN:
        text = text.replace(",", "\u202f")
    return f"1:{text}"
