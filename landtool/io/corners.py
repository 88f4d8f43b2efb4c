"""MRPAM-style corner coordinate lists: numbered corners in degrees-minutes-seconds.

What the parser accepts, decided line by line (a pasted list may mix the forms):

* **Corner row**: starts with a digit (or contains ``°``) and has at least as many digits as
  letters. Point number (``1``, ``1.``, ``1)``), then two coordinates; rows without a number
  are numbered in order (noted).
* **Columns**: ``;``, tab or ``|`` separate columns, and then commas are decimal. Otherwise
  commas separate when the line has a dot decimal or a comma not between two digits; in
  ``1, 106,5, 48,2`` a comma followed by a space separates and a comma between digits is
  decimal; a line whose only commas sit between digits and which has spaces (``1 106,5 48,2``)
  is split on spaces. CSV quotes are honoured. Six plain numbers after the point are D M S
  twice, four are D M twice.
* **Values**: ``106°45'30.5"``, ``106° 45' 30.5"``, ``106 45 30.5``, ``106-45-30.5``,
  ``106:45:30.5``, ``106.758472``, ``106°45.508'``; primes, typographic quotes or ``''``;
  comma or dot decimals; an optional E/N. Longitudes must lie in 87-120, latitudes in 41-53.
* **Header**: a line naming longitude (Уртраг, Longitude, Lon, Long, Lng) and latitude
  (Өргөрөг, Latitude, Lat) fixes the column order until the next header. X/Y (or E/N)
  headers are ambiguous (X is the northing in Gauss-Krüger surveying), so the values decide.
  Without a header the order is point, longitude, latitude, except that a row whose first
  value is in 41.5-52.5 and second in 87-120 is read latitude first (noted).
* **Area**: a line with a number followed by ``га``/``ha`` (``Талбай: 45.23 га``) is the
  declared area of the open polygon; right after a blank line, of the polygon above if it has
  none; ``Талбай 2: 5 га`` also names a new polygon. A declared area differing from the
  geodesic area of the corners by more than 1 % (or more than the rounding of the declared
  figure, for a figure given to few decimals) is noted. Remarks (``#``, ``Тайлбар:``,
  ``Note:``), coordinate-system lines and ``град мин сек`` sub-headers are skipped.
* **Datum**: a coordinate-system line or a remark naming Pulkovo 1942 (``Пулково``,
  ``Pulkovo``, ``1942``, ``СК-42``) or WGS 84 is recorded (:attr:`CornerList.datums`). Loading
  honours it or refuses: WGS 84 is what a list is read as by default, but a list naming
  Pulkovo 1942 is refused unless the CRS is given (``--crs EPSG:4284``, or ``--crs EPSG:4326``
  if the corners are really WGS 84); see :func:`check_named_datum`. Other coordinate-system
  lines (``UTM``, ``МСК``) are noted and not used.
* **Polygons** end at a name line (any other text: ``Талбай 1``; ``Area: Khongor`` and
  ``Талбайн нэр: Хонгор`` give the text after the colon; of several, the last before the
  corners wins), a blank line, a header, the numbering restarting at the polygon's first
  number, or a closing row (one repeating the first corner). In a double-spaced paste (no two
  corner rows adjacent) blank lines are ignored.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.validation import explain_validity

from landtool.errors import (
    CoordinateListError,
    CRSError,
    EmptyLayerError,
    FieldMappingError,
    GeometryError,
)
from landtool.geodesy import area_ha

LON_RANGE = (87.0, 120.0)
LAT_RANGE = (41.0, 53.0)
_LAT_FIRST = (41.5, 52.5)
_CHARS = str.maketrans({"′": "'", "’": "'", "‘": "'", "´": "'", "″": '"', "”": '"', "“": '"',
                        "˝": '"', "º": "°", "˚": "°", "−": "-", "–": "-", "\u00a0": " ",
                        "\u202f": " ", "\u2009": " ", "\u200b": None, "\ufeff": None})
_MN = str.maketrans("θɵѳєøї", "өөөөөү")  # Ө typed as Θ/Ɵ/Ѳ; legacy cp1251 fonts put Ө at Є
_LEGACY = str.maketrans("ЄєЇї", "ӨөҮү")
_NUM_WORDS = {"№", "#", "no", "nr", "n", "num", "number", "point", "pt", "цэг", "д", "дд",
              "дугаар", "id", "пункт", "точка"}
_UNITS = {"град", "градус", "гр", "мин", "минут", "сек", "секунд", "deg", "degree", "degrees",
          "min", "minute", "minutes", "sec", "second", "seconds", "d", "m", "s"}
_REMARK = re.compile(r"#|тайлбар|анхаар|санамж|эх сурвалж|note\b|remark|comment|source\b", re.I)
_NAMED = re.compile(r"(талбайн нэр|нэр|name|area)\s*:", re.I)
_CRS_LINE = re.compile(r"wgs|pulkovo|пулково|солбицлын систем|datum|utm\b|мск|msk|\b1942\b|"
                       r"\b[сcs][кk][\s\-]?42\b", re.I)
_PULKOVO = re.compile(r"pulkovo|пулково|\b1942\b|\b[сcs][кk][\s\-]?42\b", re.I)
_WGS84 = re.compile(r"wgs[\s\-_]*84|world geodetic system", re.I)
#: the datum a list can name -> (its name, the CRS to give with --crs)
DATUMS = {"pulkovo": ("Pulkovo 1942", "EPSG:4284"), "wgs84": ("WGS 84", "EPSG:4326")}
_AREA = re.compile(r"(?P<label>.*?)[\s:=\-]*(?P<num>\d{1,3}(?:,\d{3})+\.\d+|\d{1,3}(?: \d{3})+"
                   r"(?:[.,]\d+)?|\d+(?:[.,]\d+)?)\s*(?:га|ha|гектар\w*|hectares?)"
                   r"(?![^\W\d_]).*", re.I)
_DMS_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|\s*[°'\"]|[\s:\-]+|.")
_MARKS, _JOINED, _INT = re.compile(r"[°'\"]"), re.compile(r"\d[:\-]\d"), re.compile(r"\d{1,5}[.)]?")
_DMS_HINT = "write it like 106°45'30.5\", 106 45 30.5 or 106.758472 (decimal degrees)"


@dataclass(frozen=True)
class Corner:
    """One numbered corner in decimal degrees, with its 1-based line in the source text."""

    number: int
    lon: float
    lat: float
    line: int


@dataclass(frozen=True)
class NamedDatum:
    """A line of a corner list naming the datum of its coordinates."""

    line: int
    text: str
    datum: str  # a key of DATUMS: "pulkovo" or "wgs84"

    @property
    def name(self) -> str:
        return DATUMS[self.datum][0]

    @property
    def crs(self) -> str:
        return DATUMS[self.datum][1]


def _named_datum(s: str) -> str | None:
    if _PULKOVO.search(s):
        return "pulkovo"
    if _WGS84.search(s):
        return "wgs84"
    return None


@dataclass(frozen=True)
class CornerPolygon:
    """One polygon of a corner list, with the area the list declares (if any)."""

    name: str
    corners: tuple[Corner, ...]
    declared_area_ha: float | None = None

    @property
    def polygon(self) -> shapely.Polygon:
        """The corners as a lon/lat polygon, closed, in the listed order."""
        return shapely.Polygon([(c.lon, c.lat) for c in self.corners])


def _norm(text: str) -> str:
    return text.translate(_CHARS).replace("''", '"').strip()


def parse_dms(text: str) -> float:
    """Read one coordinate value as decimal degrees.

    Parameters
    ----------
    text
        Degrees-minutes-seconds, degrees and decimal minutes, or decimal degrees, in any
        spelling listed in the module docstring.

    Returns
    -------
    float
        Decimal degrees (negative for a leading ``-`` or a ``W``/``S``).

    Raises
    ------
    CoordinateListError
        On a stray character, misplaced marks, minutes or seconds of 60 or more, or a
        fraction followed by more numbers.
    """
    m = re.fullmatch(r"([NSEW]?)\s*(.*?)\s*([NSEW]?)", _norm(str(text)), re.I | re.S)
    hemi, body = (m[1] + m[3]).upper(), m[2]
    sign = -1.0 if hemi in ("W", "S") else 1.0
    if body[:1] in ("+", "-"):
        sign, body = (-sign if body[0] == "-" else sign), body[1:].lstrip()

    def bad(why: str, hint: str = f"correct the value; {_DMS_HINT}") -> CoordinateListError:
        return CoordinateListError(f"{str(text).strip()!r} is not a coordinate: {why}",
                                   hint=hint)

    parts: list[tuple[float, str]] = []
    marks: list[str | None] = []
    prev = "sep"
    for tok in _DMS_TOKEN.findall(body):
        if tok[0].isdigit():
            parts.append((float(tok.replace(",", ".")), tok))
            marks.append(None)
            prev = "num"
        elif tok.strip() in ("°", "'", '"'):
            if prev != "num":
                raise bad(f"the mark {tok.strip()} does not follow a number")
            marks[-1], prev = tok.strip(), "mark"
        elif tok.strip(" \t:-"):
            raise bad(f"unexpected character {tok!r}")
        elif "-" in tok and (prev == "mark" or re.fullmatch(r"\s+-", tok)):
            # 106°-33'00" or 106 -33: a sign inside the value, not the dashes of 106-33-00
            raise bad(f"a minus sign after the {('degrees', 'minutes')[min(len(parts), 2) - 1]}"
                      "; minutes and seconds cannot be negative",
                      hint="remove the '-' (all of Mongolia is east and north, so no part of "
                      f"a coordinate is negative); {_DMS_HINT}")
        else:
            prev = "sep"
    if not parts:
        raise bad("it has no number")
    if len(parts) > 3 or prev == "sep" or len(hemi) > 1:
        raise bad("expected degrees, minutes and seconds (at most three numbers)")
    for i, mark in enumerate(marks):
        if mark is not None and mark != "°'\""[i]:
            raise bad(f"the mark {mark} is in the wrong place (degrees ° come first)")
    for i, (_, raw) in enumerate(parts[:-1]):
        if not raw.isdigit():
            raise bad(f"{('degrees', 'minutes')[i]} {raw} have a fraction but more follows")
    for i, (val, raw) in enumerate(parts[1:]):
        if val >= 60:
            raise bad(f"{('minutes', 'seconds')[i]} {raw} are 60 or more")
    return sign * sum(val / 60**i for i, (val, _) in enumerate(parts))


#: the axis each hemisphere letter belongs to
_AXIS = {"E": "longitude", "W": "longitude", "N": "latitude", "S": "latitude"}


def check_axis(text: str, axis: str) -> None:
    """Refuse a value read as ``axis`` ("longitude" or "latitude") whose hemisphere letter
    belongs to the other axis (a longitude marked N, a latitude marked E).

    Raises
    ------
    CoordinateListError
        The letter and the axis disagree.
    """
    m = re.fullmatch(r"([NSEW]?)\s*(.*?)\s*([NSEW]?)", _norm(str(text)), re.I | re.S)
    letter = (m[1] + m[3]).upper()
    if letter in _AXIS and _AXIS[letter] != axis:
        raise CoordinateListError(
            f"{str(text).strip()!r} is read as the {axis}, but it is marked {letter}, the "
            f"letter of a {_AXIS[letter]}",
            hint="longitudes are marked E and latitudes N: check whether the letters or the "
            "columns are swapped, and correct the list",
        )


def format_dms(value: float, *, decimals: int = 2) -> str:
    """Write decimal degrees as ``106°45'30.50"``; rounding carries (59.999" -> next minute).

    Parameters
    ----------
    value
        Decimal degrees.
    decimals
        Decimal places of the seconds (0 for whole seconds).

    Returns
    -------
    str
        Degrees with zero-padded minutes and seconds.
    """
    if not math.isfinite(value):
        raise ValueError(f"cannot write {value} as degrees-minutes-seconds")
    scale = 10**decimals
    total = round(abs(value) * 3600 * scale)
    deg, rest = divmod(total, 3600 * scale)
    minutes, sec = divmod(rest, 60 * scale)
    whole, frac = divmod(sec, scale)
    tail = f".{frac:0{decimals}d}" if decimals > 0 else ""
    return f"{'-' if value < 0 and total else ''}{deg}°{minutes:02d}'{whole:02d}{tail}\""


def _header(s: str) -> tuple[bool | None, bool] | None:
    """(longitude first, or None if the values must decide; has a number column) or None."""
    words = re.findall(r"№|#|[^\W\d_]+", s.lower().translate(_MN))
    tests = [(lambda w: w.startswith(("уртраг", "longitud", "долгот")) or w in ("lon", "long",
              "lng"), lambda w: w.startswith(("өргөрөг", "өргөрг", "latitud", "широт")) or
              w == "lat", True), (lambda w: w == "e", lambda w: w == "n", False),
             (lambda w: w in ("x", "х"), lambda w: w in ("y", "у"), False)]
    for is_lon, is_lat, decisive in tests:
        lon = next((i for i, w in enumerate(words) if is_lon(w)), None)
        lat = next((i for i, w in enumerate(words) if is_lat(w)), None)
        if lon is not None and lat is not None:
            first = min(lon, lat)
            return (lon < lat if decisive else None), any(w in _NUM_WORDS for w in words[:first])
    return None


def _classify(s: str) -> tuple[str, object]:
    letters, digits = sum(c.isalpha() for c in s), sum(c.isdigit() for c in s)
    words = re.findall(r"[^\W\d_]+", s.lower())
    if not letters and not digits:
        return "blank", None
    if (m := _AREA.fullmatch(s)) is not None:
        num = m["num"].replace(" ", "")
        num = num.replace(",", "") if "." in num else num.replace(",", ".")
        label = m["label"].strip(" :=-")
        decimals = len(num.partition(".")[2])
        return "area", (_clean_name(label) if re.search(r"\d", label) else None, float(num),
                        decimals)
    if _NAMED.match(s):
        return "name", _clean_name(s)
    if (head := _header(s)) is not None and digits <= letters:
        return "header", head
    if _REMARK.match(s) or (not digits and all(w in _UNITS for w in words)):
        return "skip", None
    if (re.match(r"[+\-]?\d", s) or "°" in s) and digits >= letters:
        return "coord", None
    return ("crs", s) if _CRS_LINE.search(s) else ("name", _clean_name(s))


def _clean_name(s: str) -> str | None:
    s = s.strip().rstrip(":").strip()
    if ":" in s:
        head, tail = s.split(":", 1)
        s = tail.strip() or head.strip()
    if len(s) > 1 and s[0] in "\"'«" and s[-1] in "\"'»":
        s = s[1:-1].strip()
    return s or None


def _split_fields(s: str) -> tuple[list[str], bool]:
    """The columns of a corner row, and whether each column is one whole value."""
    sep = next((c for c in ";\t|" if c in s), None)
    if sep is None and "," in s:
        loose = [m.end() for m in re.finditer(r",(?!\d)|(?<!\d),", s)]
        if re.search(r"\d\.\d", s) or len(loose) == s.count(",") or re.search(r',\s*"', s):
            sep = ","
        elif loose and all(s[i:i + 1].isspace() for i in loose):
            return [f.strip() for f in re.split(r",(?!\d)|(?<!\d),", s) if f.strip()], True
        elif loose or not re.search(r"\S\s+\S", s):
            sep = ","
    if sep is None:
        return s.split(), False
    quoted = re.search(rf'(?:^|{re.escape(sep)})\s*"', s)
    fields = next(csv.reader([s], delimiter=sep, skipinitialspace=True)) if quoted else s.split(sep)
    return [f.strip() for f in fields if f.strip()], True


def _group(tokens: list[str]) -> list[str] | None:
    """Join whitespace tokens into coordinate values (None if they cannot be split)."""
    if not any(_MARKS.search(t) or _JOINED.search(t) for t in tokens):
        n, half = len(tokens), len(tokens) // 2
        if n <= 2:
            return tokens
        halves = [tokens[:half], tokens[half:]]
        whole = n in (4, 6) and all(t.isdigit() for h in halves for t in h[:-1])
        return [" ".join(h) for h in halves] if whole else None
    values: list[str] = []
    level, open_ = 0, False
    for t in tokens:
        marks = _MARKS.findall(t)
        first = "°'\"".index(marks[0]) if marks else None
        if t.upper() in ("E", "N", "W", "S") and values:
            values[-1] += t
        elif open_ and not _JOINED.search(t) and (level < 2 if first is None else level < first):
            values[-1] += " " + t
            level = "°'\"".index(marks[-1]) if marks else level + 1
        else:
            values.append(t)
            open_ = bool(marks) and not _JOINED.search(t)
            level = "°'\"".index(marks[-1]) if marks else 0
        open_ = open_ and level < 2
    return values


def _row_values(s: str, has_number: bool | None) -> tuple[int | None, list[str] | None]:
    fields, whole = _split_fields(s)
    number, rest = None, fields
    if has_number is not False and fields and _INT.fullmatch(fields[0]):
        number, rest = int(fields[0].rstrip(".)")), fields[1:]
    if whole and len(rest) == 2:
        return number, rest
    values = _group([t for f in rest for t in f.split()])
    every = [t for f in fields for t in f.split()]
    if (values is None and number is not None and has_number is None and len(every) in (4, 6)
            and any(lo <= number <= hi for lo, hi in (LON_RANGE, LAT_RANGE))):
        return None, _group(every)  # "106 45 30.5 48 12 10.2": no point number after all
    return number, values


@dataclass
class _Block:
    name: str | None = None
    corners: list[Corner] = field(default_factory=list)
    area: float | None = None
    closed: bool = False
    swapped: list[int] = field(default_factory=list)
    auto: bool = False
    area_decimals: int = 0


class _Parser:
    def __init__(self, source: str | Path | None) -> None:
        self.source, self.done, self.notes = source, [], []
        self.datums: list[NamedDatum] = []
        self.cur, self.lon_first, self.has_number = _Block(), None, None

    def error(self, message: str, feature: str | None, hint: str) -> CoordinateListError:
        return CoordinateListError(message, path=self.source, feature=feature, hint=hint)

    def where(self, blk: _Block | None = None) -> str:
        blk = blk or self.cur
        return f"area '{blk.name}'" if blk.name else f"area {len(self.done) + 1}"

    def start(self, name: str | None = None) -> None:
        if self.cur.corners:
            self.finish()
        if name is not None:
            self.cur.name = name

    def area(self, name: str | None, ha: float, decimals: int, ln: int) -> None:
        if name is not None:
            self.start(name)
        blk = self.cur
        if not blk.corners and blk.name is None and self.done and \
                self.done[-1].declared_area_ha is None:  # corners, blank line, area
            last = self.done.pop()
            self.note_area(f"area '{last.name}'", last.polygon, ha, decimals)
            self.done.append(CornerPolygon(last.name, last.corners, ha))
        elif blk.area is not None:
            self.notes.append(f"line {ln}: a second area ({ha} ha) for {self.where()} ignored")
        else:
            blk.area, blk.area_decimals = ha, decimals

    def note_area(self, where: str, poly: shapely.Polygon, declared: float,
                  decimals: int) -> None:
        """Note a declared area more than 1 % (or its own rounding) off the corners' area."""
        computed = area_ha(poly)
        allowed = max(0.01 * declared, 0.5 * 10.0**-decimals)
        if abs(computed - declared) > allowed:
            self.notes.append(f"{where}: declared area {declared} ha, but the corners enclose "
                              f"{computed:.2f} ha (geodesic, WGS 84), "
                              f"{100 * (computed - declared) / declared:+.1f} %"
                              if declared else
                              f"{where}: declared area 0 ha, but the corners enclose "
                              f"{computed:.2f} ha (geodesic, WGS 84)")

    def datum_line(self, s: str, ln: int, kind: str) -> None:
        datum = _named_datum(s)
        if datum is not None:
            named = NamedDatum(ln, s, datum)
            self.datums.append(named)
            self.notes.append(f"line {ln} names the coordinate system {named.name} "
                              f"({named.crs}): {s!r}")
        elif kind == "crs":
            self.notes.append(f"line {ln} names a coordinate system ({s}); it is not read "
                              "from the list: give the CRS when loading it")

    def row(self, s: str, ln: int) -> None:
        number, values = _row_values(s, self.has_number)
        feat = f"{self.where()}, " + (f"point {number} (line {ln})" if number is not None
                                      else f"line {ln}")
        form = "point number, longitude, latitude"
        if values is None or len(values) > 2:
            raise self.error(f"cannot split {s!r} into a point number, a longitude and a "
                             "latitude", feat, f"give {form}; {_DMS_HINT}")
        if not values:
            raise self.error("this corner has no coordinates", feat, f"give each corner on "
                             f"one line as {form}; remove page numbers and stray lines")
        if len(values) == 1:
            try:  # a typo that glued two values together is the better message
                parse_dms(values[0])
            except CoordinateListError as exc:
                raise self.error(exc.message, feat, exc.hint) from None
            raise self.error(f"this corner has only one coordinate ({values[0]}); a corner "
                             "needs a longitude and a latitude", feat,
                             "add the missing value or join the row broken over two lines")
        try:
            a, b = (parse_dms(v) for v in values)
        except CoordinateListError as exc:
            raise self.error(exc.message, feat, exc.hint) from None
        blk = self.cur
        if self.lon_first is False:
            a, b = b, a
            values = values[::-1]
        elif self.lon_first is None and _LAT_FIRST[0] <= a <= _LAT_FIRST[1] and \
                LON_RANGE[0] <= b <= LON_RANGE[1]:
            a, b = b, a
            values = values[::-1]
            blk.swapped.append(ln)
        try:
            check_axis(values[0], "longitude")
            check_axis(values[1], "latitude")
        except CoordinateListError as exc:
            raise self.error(exc.message, feat, exc.hint) from None
        for what, val, (lo, hi), other in (("longitude", a, LON_RANGE, LAT_RANGE),
                                           ("latitude", b, LAT_RANGE, LON_RANGE)):
            if not lo <= val <= hi:
                raise self.error(f"{what} {val:.6f} is outside Mongolia ({lo:g}-{hi:g}°)", feat, (
                    "longitude and latitude look swapped: put Уртраг/Longitude first or add "
                    "a header row" if other[0] <= val <= other[1] else "check this value for a "
                    "typo (a missing or extra digit)") + "; if the columns are swapped, fix the "
                    "header (Уртраг = longitude, Өргөрөг = latitude) or the column order")
        if number is None:
            number, blk.auto = (blk.corners[-1].number + 1 if blk.corners else 1), True
        first = blk.corners[0] if blk.corners else None
        if first and len(blk.corners) >= 3 and not blk.closed and \
                abs(first.lon - a) < 1e-7 and abs(first.lat - b) < 1e-7:
            blk.closed = True  # the closing row repeats the first corner
            return
        if blk.closed or (first and number == first.number):
            self.finish()
            blk = self.cur
        for c in blk.corners:
            if c.number == number:
                raise self.error(f"point number {number} appears twice (lines {c.line} and "
                                 f"{ln})", feat, "renumber the corners or remove the duplicate")
        prev = blk.corners[-1].number if blk.corners else number - 1
        if number < prev:
            self.notes.append(f"{self.where()}: point {number} (line {ln}) comes after point "
                              f"{prev}; the corners are joined in the listed order")
        elif number > prev + 1:
            self.notes.append(f"{self.where()}: the numbering jumps from {prev} to {number} "
                              f"(line {ln}); is a corner missing?")
        blk.corners.append(Corner(number, a, b, ln))

    def finish(self) -> None:
        blk, self.cur = self.cur, _Block()
        where, cs = self.where(blk), blk.corners
        feat = f"{where} (lines {cs[0].line}-{cs[-1].line})"
        if len({(c.lon, c.lat) for c in cs}) < 3:
            raise self.error(f"{where} has fewer than 3 distinct corners; a polygon needs at "
                             "least 3", feat, "add the missing corners or check for a paste "
                             "that cut the list")
        poly = shapely.Polygon([(c.lon, c.lat) for c in cs])
        if poly.convex_hull.area < 1e-10:  # about 1 m²: on one line, up to rounding
            raise self.error(f"the corners of {where} lie on one line", feat,
                             "check the coordinates for a typo")
        if not poly.is_valid:
            raise self.error(
                f"the boundary of {where} crosses itself ({explain_validity(poly)}): the "
                "corners are in the wrong order", feat, "list the corners in order around "
                "the boundary, as on the map; landtool does not reorder them, as it cannot "
                "know the intended shape")
        if blk.swapped:
            self.notes.append(f"{where}: the first column holds latitudes (41.5-52.5) and the "
                              f"second longitudes (87-120), so they were swapped (lines "
                              f"{blk.swapped[0]}-{blk.swapped[-1]})")
        if blk.auto:
            self.notes.append(f"{where}: corners without numbers were numbered in listed order")
        if cs[0].number != 1:
            self.notes.append(f"{where} starts at point {cs[0].number}, not 1")
        if blk.area is not None:
            self.note_area(where, poly, blk.area, blk.area_decimals)
        self.done.append(CornerPolygon(blk.name or str(len(self.done) + 1), tuple(cs), blk.area))


@dataclass(frozen=True)
class CornerList:
    """A parsed corner list: its polygons, the notes on it and the datums it names."""

    polygons: list[CornerPolygon]
    notes: list[str]
    datums: list[NamedDatum]


def parse_corner_list(text: str, *, source: str | Path | None = None
                      ) -> tuple[list[CornerPolygon], list[str]]:
    """Parse an MRPAM corner list (the accepted syntax is in the module docstring).

    Parameters
    ----------
    text
        The pasted or read text.
    source
        The file it came from, named in errors.

    Returns
    -------
    tuple of (list of CornerPolygon, list of str)
        The polygons in order, and notes on what was assumed or looks odd.

    Raises
    ------
    CoordinateListError
        Naming the polygon, point and line, with a hint, for any text that cannot be read.
    """
    parsed = parse_corner_text(text, source=source)
    return parsed.polygons, parsed.notes


def parse_corner_text(text: str, *, source: str | Path | None = None) -> CornerList:
    """As :func:`parse_corner_list`, also returning the datums the list names."""
    lines = [_norm(line) for line in re.split(r"\r\n|\r|\n", text)]
    kinds = [_classify(s) for s in lines]
    rows = [i for i, (k, _) in enumerate(kinds) if k == "coord"]
    if not rows:
        raise CoordinateListError("the list is empty" if not any(lines) else "no corner "
                                  "coordinates found", path=source, hint="give one corner per "
                                  "line: point number, longitude (Уртраг), latitude (Өргөрөг)")
    spaced = len(rows) >= 3 and all(b - a > 1 for a, b in zip(rows, rows[1:], strict=False))
    p = _Parser(source)
    if spaced:
        p.notes.append("no two corner rows are adjacent: blank lines do not separate polygons")
    for ln, (s, (kind, data)) in enumerate(zip(lines, kinds, strict=True), 1):
        if kind == "blank" and not spaced:
            p.start()
        elif kind == "header":
            p.start()
            p.lon_first, p.has_number = data
            if p.lon_first is None:
                p.notes.append(f"line {ln}: X/Y (or E/N) headers are ambiguous; longitude and "
                               "latitude were told apart by their values")
        elif kind == "area":
            p.area(*data, ln)
        elif kind == "name":
            p.start(data)
        elif kind in ("crs", "skip"):
            p.datum_line(s, ln, kind)
        elif kind == "coord":
            p.row(s, ln)
    if p.cur.corners:
        p.finish()
    return CornerList(p.done, p.notes, p.datums)


def check_named_datum(datums: Iterable[NamedDatum], crs: str | None, *,
                      path: str | Path | None = None) -> list[str]:
    """Honour or refuse the datum a corner list names, given the ``--crs`` (None if none).

    A list is read as WGS 84 by default, so a list naming WGS 84 needs nothing. A list
    naming Pulkovo 1942 without ``--crs`` is refused: reading it as WGS 84 would leave out
    the datum shift (60-80 m across Mongolia). With ``--crs`` the user's CRS is used; a note
    says so when the list names another datum.

    Returns
    -------
    list of str
        Notes for the load report.

    Raises
    ------
    CRSError
        When the list names Pulkovo 1942 and no CRS was given.
    """
    datums = list(datums)
    pulkovo = [d for d in datums if d.datum == "pulkovo"]
    if crs is None:
        if pulkovo:
            d = pulkovo[0]
            raise CRSError(
                f"line {d.line} names Pulkovo 1942 ({d.text!r}), but no CRS was given; "
                "landtool does not read a list as Pulkovo 1942 on its own",
                path=path,
                hint="pass --crs EPSG:4284 to read the corners as Pulkovo 1942 (they are then "
                "shifted to WGS 84), or --crs EPSG:4326 if they are really WGS 84",
            )
        return []
    from landtool.crs import parse_crs

    given = parse_crs(crs)
    return [f"line {d.line} names {d.name}, but the CRS given is {crs}: the corners are read "
            f"in {crs}" for d in datums
            if not given.equals(parse_crs(d.crs), ignore_axis_order=True)]


def decode_text(data: bytes, path: Path) -> tuple[str, list[str]]:
    """Text from a file's bytes: UTF-16 (with or without BOM), UTF-8, or legacy Windows-1251;
    returns the text and a note when the legacy fallback was used."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16"), []
        if b"\x00" in data[:400]:  # UTF-16 without a BOM: ASCII has its zero byte second in LE
            odd = data[1:400:2].count(0) >= data[0:400:2].count(0)
            return data.decode("utf-16-le" if odd else "utf-16-be"), []
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        raise CoordinateListError("the text is in an encoding landtool cannot read", path=path,
                                  hint="save the list as UTF-8 text") from None
    return text.translate(_LEGACY), ["read as Windows-1251 (Є/Ї of legacy Mongolian fonts as Ө/Ү)"]


def read_corner_list(path: str | Path, *, crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    """Read a corner list file (UTF-8, UTF-16 or Windows-1251) as polygons.

    The one reader of corner lists: ``.txt`` lists and CSV files with point numbers both come
    here (through :func:`landtool.io.formats.read_raw`).

    Parameters
    ----------
    path
        The text or CSV file.
    crs
        The datum of the list (e.g. ``EPSG:4284`` for Pulkovo 1942): set, not reprojected.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``name``, ``declared_area_ha`` (NaN if none), ``n_corners``, ``geometry``;
        the notes on the text and the parser's notes in ``gdf.attrs["notes"]``, the datums
        the list names (:class:`NamedDatum`) in ``gdf.attrs["datums"]``.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CoordinateListError(f"cannot read the file ({exc.strerror})", path=path,
                                  hint="check the file name and that it is readable") from None
    text, notes = decode_text(data, path)
    parsed = parse_corner_text(text, source=path)
    polygons = parsed.polygons
    area = [math.nan if p.declared_area_ha is None else p.declared_area_ha for p in polygons]
    gdf = gpd.GeoDataFrame({"name": [p.name for p in polygons], "declared_area_ha": area,
                            "n_corners": [len(p.corners) for p in polygons]},
                           geometry=[p.polygon for p in polygons], crs=crs)
    gdf.attrs["notes"] = notes + parsed.notes
    gdf.attrs["datums"] = list(parsed.datums)
    return gdf


_TEXT = {
    "mn": ("Талбайн нэр", "№\tУртраг\tӨргөрөг", "хэсэг",
           "Талбай: {:.2f} га (WGS 84 эллипсоид дээрх геодезийн талбай)",
           "Тайлбар: энэ талбай {} нүхтэй; цэгийн жагсаалт нүхийг илэрхийлж чадахгүй тул зөвхөн "
           "гадна хилийг бичив (нүхийг хассан талбай {:.2f} га)."),
    "en": ("Area", "No\tLongitude\tLatitude", "part",
           "Area: {:.2f} ha (geodesic on the WGS 84 ellipsoid)",
           "Note: this polygon has {} hole(s) that a corner list cannot express; only the outer "
           "boundary is listed (area without the holes: {:.2f} ha)."),
}


def format_corner_list(geoms_with_names: Iterable[tuple[object, shapely.Geometry]], *,
                       lang: str = "mn", decimals: int = 2) -> str:
    """Write polygons as MRPAM corner lists, one block per polygon part.

    Parameters
    ----------
    geoms_with_names
        ``(name, Polygon or MultiPolygon)`` pairs in lon/lat degrees.
    lang
        ``"mn"`` or ``"en"`` labels.
    decimals
        Decimal places of the seconds.

    Returns
    -------
    str
        Per part: a name line, a tab-separated column header, the numbered corners without the
        closing repeat, the geodesic area on the WGS 84 ellipsoid, and a note on any holes.
    """
    if lang not in _TEXT:
        raise ValueError(f"lang must be one of {sorted(_TEXT)}, not {lang!r}")
    label, head, part, area_line, hole_line = _TEXT[lang]
    blocks = []
    for i, (name, geom) in enumerate(geoms_with_names, 1):
        title = str(i) if name is None or name is pd.NA or name != name else \
            " ".join(str(name).split()) or str(i)
        if not isinstance(geom, shapely.Polygon | shapely.MultiPolygon) or geom.is_empty:
            raise GeometryError(f"a corner list needs a polygon, not {geom!r:.40}",
                                feature=title, hint="write only polygon layers as corner lists")
        parts = list(getattr(geom, "geoms", [geom]))
        for k, poly in enumerate(parts, 1):
            lines = [f"{label}: {title}" + (f" ({part} {k})" if len(parts) > 1 else ""), head]
            lines += [f"{j}\t{format_dms(x, decimals=decimals)}\t{format_dms(y, decimals=decimals)}"
                      for j, (x, y, *_) in enumerate(poly.exterior.coords[:-1], 1)]
            lines.append(area_line.format(area_ha(shapely.Polygon(poly.exterior))))
            if poly.interiors:  # area_ha subtracts the holes whatever their orientation
                lines.append(hole_line.format(len(poly.interiors), area_ha(poly)))
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def write_corner_list(gdf: gpd.GeoDataFrame, path: str | Path, *, name_field: str | None = None,
                      lang: str = "mn", decimals: int = 2) -> None:
    """Write every polygon of ``gdf`` as an MRPAM corner list in UTF-8 text.

    Parameters
    ----------
    gdf
        Polygons in any CRS (reprojected to EPSG:4326 first).
    path
        The text file to write.
    name_field
        The column naming each polygon; by default ``name`` if present, else 1, 2, ...
    lang, decimals
        As for :func:`format_corner_list`.
    """
    if gdf.crs is None:
        raise CRSError("the layer has no coordinate reference system", path=path,
                       hint="set the CRS of the layer before writing corner lists")
    if len(gdf) == 0:
        raise EmptyLayerError("the layer has no polygons to write", path=path)
    if name_field is not None and name_field not in gdf.columns:
        raise FieldMappingError(f"the layer has no field {name_field!r}", path=path,
                                hint="name one of: " + ", ".join(map(str, gdf.columns)))
    gdf = gdf if gdf.crs.to_epsg() == 4326 else gdf.to_crs(4326)
    column = name_field or ("name" if "name" in gdf.columns else None)
    names = list(gdf[column]) if column else [None] * len(gdf)
    try:
        text = format_corner_list(zip(names, gdf.geometry, strict=True), lang=lang,
                                  decimals=decimals)
    except GeometryError as exc:
        raise GeometryError(exc.message, path=path, feature=exc.feature, hint=exc.hint) from None
    from landtool.io.formats import atomic_path

    with atomic_path(path) as tmp:  # the folder is made; the file appears whole or not at all
        tmp.write_text(text, encoding="utf-8")
