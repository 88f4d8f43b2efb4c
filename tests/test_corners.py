"""MRPAM corner lists: the parser, the DMS reader/writer and the writer round trip.

Every expected number is hand arithmetic written out in the test, never a call to the code under
test. One second of arc is 1/3600 degree, about 31 m of latitude.
"""

from __future__ import annotations

import math

import geopandas as gpd
import pyproj
import pytest
import shapely

from landtool.errors import CoordinateListError
from landtool.io.corners import (
    Corner,
    CornerPolygon,
    format_corner_list,
    format_dms,
    parse_corner_list,
    parse_dms,
    read_corner_list,
    write_corner_list,
)

# 106°45'30.5" = 106 + 45/60 + 30.5/3600 = 106 + 0.75 + 0.0084722… = 106.7584722…
LON = 106 + 45 / 60 + 30.5 / 3600
# 48°12'10.2" = 48 + 12/60 + 10.2/3600 = 48 + 0.2 + 0.0028333… = 48.2028333…
LAT = 48 + 12 / 60 + 10.2 / 3600
EPS = 1e-9
# the writer rounds seconds to 0.01": half of that is 0.005/3600 degrees (about 15 cm)
HALF_CENTISECOND = 0.005 / 3600 + 1e-12

# A 1' x 1' square whose first corner is (LON, LAT); corners listed clockwise from north-west.
SQUARE = """\
1  106°45'30.5"  48°12'10.2"
2  106°46'30.5"  48°12'10.2"
3  106°46'30.5"  48°11'10.2"
4  106°45'30.5"  48°11'10.2"
"""
# 106°46'30.5" = LON + 1/60; 48°11'10.2" = LAT - 1/60
SQUARE_XY = [(LON, LAT), (LON + 1 / 60, LAT), (LON + 1 / 60, LAT - 1 / 60), (LON, LAT - 1 / 60)]


def coords(poly: CornerPolygon) -> list[tuple[float, float]]:
    return [(c.lon, c.lat) for c in poly.corners]


def assert_coords(poly: CornerPolygon, expected, tol: float = EPS) -> None:
    got = coords(poly)
    assert len(got) == len(expected)
    for (x, y), (ex, ey) in zip(got, expected, strict=True):
        assert x == pytest.approx(ex, abs=tol)
        assert y == pytest.approx(ey, abs=tol)


# --------------------------------------------------------------------------- parse_dms


@pytest.mark.parametrize("text", [
    "106°45'30.5\"",
    "106° 45' 30.5\"",
    "106 45 30.5",
    "106-45-30.5",
    "106:45:30.5",
    "106°45′30.5″",        # primes
    "106°45’30.5”",        # typographic right quotes
    "106°45‘30.5“",        # typographic left quotes
    "106°45'30.5''",       # two apostrophes for seconds
    "106°45'30,5\"",       # comma decimal
    "106 45 30,5",
    "106º45'30.5\"",       # masculine ordinal instead of the degree sign
    "106°45'30.5\"E",
    "  106°45'30.5\"  ",
])
def test_parse_dms_spellings(text):
    assert parse_dms(text) == pytest.approx(LON, abs=EPS)


@pytest.mark.parametrize(("text", "expected"), [
    ("106.758472", 106.758472),
    ("106,758472", 106.758472),
    ("48.2028", 48.2028),
    ("106°", 106.0),
    # 106°45.508' = 106 + 45.508/60 = 106 + 0.7584666… = 106.7584666…
    ("106°45.508'", 106 + 45.508 / 60),
    ("106 45,508", 106 + 45.508 / 60),
    # 48°12' = 48.2
    ("48°12'", 48.2),
])
def test_parse_dms_decimal_forms(text, expected):
    assert parse_dms(text) == pytest.approx(expected, abs=EPS)


@pytest.mark.parametrize(("text", "why"), [
    ("106°4x'30\"", "unexpected character 'x'"),
    ("106°60'30\"", "minutes 60"),
    ("106°45'60\"", "seconds 60"),
    ("106°45'75.5\"", "seconds 75.5"),
    ("45'30\"", "wrong place"),
    ("106.5°30'", "fraction"),
    ("", "no number"),
    ("°", "does not follow a number"),
    ("106°45'30\"12", "at most three"),
    ("106--", "at most three"),
])
def test_parse_dms_rejects(text, why):
    with pytest.raises(CoordinateListError) as info:
        parse_dms(text)
    assert why in str(info.value)
    assert info.value.hint


# --------------------------------------------------------------------------- format_dms


@pytest.mark.parametrize(("value", "decimals", "expected"), [
    # 0.758472° x 60 = 45.50832'; 0.50832' x 60 = 30.4992" -> 30.50"
    (106.758472, 2, "106°45'30.50\""),
    # 45'59.999" rounds to 46'00.00": the seconds carry into the minutes
    (106 + 45 / 60 + 59.999 / 3600, 2, "106°46'00.00\""),
    # 59'59.9999" carries twice: into the minutes and into the degrees
    (106 + 59 / 60 + 59.9999 / 3600, 2, "107°00'00.00\""),
    # whole seconds: 12'59.6" -> 13'00"
    (48 + 12 / 60 + 59.6 / 3600, 0, "48°13'00\""),
    # zero padding: 5' 3.25"
    (106 + 5 / 60 + 3.25 / 3600, 2, "106°05'03.25\""),
    (48 + 12 / 60 + 10.2 / 3600, 1, "48°12'10.2\""),
    (87.8, 2, "87°48'00.00\""),            # 0.8° = 48'
    (119.8, 3, "119°48'00.000\""),
])
def test_format_dms(value, decimals, expected):
    assert format_dms(value, decimals=decimals) == expected


def test_format_dms_rejects_nan():
    with pytest.raises(ValueError):
        format_dms(math.nan)


# --------------------------------------------------------------------------- one polygon


def test_square_with_numbers_and_lines():
    polygons, notes = parse_corner_list(SQUARE)
    assert notes == []
    (poly,) = polygons
    assert poly.name == "1"
    assert poly.declared_area_ha is None
    assert [c.number for c in poly.corners] == [1, 2, 3, 4]
    assert [c.line for c in poly.corners] == [1, 2, 3, 4]
    assert poly.corners[0] == Corner(1, poly.corners[0].lon, poly.corners[0].lat, 1)
    assert_coords(poly, SQUARE_XY)
    ring = poly.polygon
    assert isinstance(ring, shapely.Polygon)
    assert list(ring.exterior.coords)[0] == list(ring.exterior.coords)[-1]
    assert len(ring.exterior.coords) == 5


ROW_SPELLINGS = [
    ("106°45'30.5\"", "48°12'10.2\""),
    ("106° 45' 30.5\"", "48° 12' 10.2\""),
    ("106 45 30.5", "48 12 10.2"),
    ("106-45-30.5", "48-12-10.2"),
    ("106:45:30.5", "48:12:10.2"),
    ("106°45′30.5″", "48°12′10.2″"),
    ("106°45’30.5”", "48°12’10.2”"),
    ("106°45'30.5''", "48°12'10.2''"),
    ("106°45'30,5\"", "48°12'10,2\""),
    ("106° 45 30.5", "48° 12 10.2"),
    ("106°45'30.5\" E", "48°12'10.2\" N"),
]


@pytest.mark.parametrize("sep", ["  ", "\t", "; ", ";"])
@pytest.mark.parametrize(("lon", "lat"), ROW_SPELLINGS)
def test_row_spellings(lon, lat, sep):
    # the other three corners in a plain spelling: 1' east, 1' south
    text = (f"1{sep}{lon}{sep}{lat}\n"
            "2  106°46'30.5\"  48°12'10.2\"\n"
            "3  106°46'30.5\"  48°11'10.2\"\n"
            "4  106°45'30.5\"  48°11'10.2\"\n")
    (poly,), _ = parse_corner_list(text)
    assert_coords(poly, SQUARE_XY)


@pytest.mark.parametrize("text", [
    # decimal degrees: 106.758472 and 48.202833 (6 decimals) within 1e-6 of LON and LAT
    "1 106.758472 48.202833\n2 106.775139 48.202833\n3 106.775139 48.186167\n"
    "4 106.758472 48.186167\n",
    "1,106.758472,48.202833\n2,106.775139,48.202833\n3,106.775139,48.186167\n"
    "4,106.758472,48.186167\n",
    # comma decimals with spaces, with semicolons, with tabs, and comma+space separators
    "1 106,758472 48,202833\n2 106,775139 48,202833\n3 106,775139 48,186167\n"
    "4 106,758472 48,186167\n",
    "1;106,758472;48,202833\n2;106,775139;48,202833\n3;106,775139;48,186167\n"
    "4;106,758472;48,186167\n",
    "1\t106,758472\t48,202833\n2\t106,775139\t48,202833\n3\t106,775139\t48,186167\n"
    "4\t106,758472\t48,186167\n",
    "1, 106,758472, 48,202833\n2, 106,775139, 48,202833\n3, 106,775139, 48,186167\n"
    "4, 106,758472, 48,186167\n",
    # degrees and decimal minutes: 45.5083' = 45'30.5", 46.5083' = 46'30.5", 12.17' = 12'10.2"
    "1 106°45.50833' 48°12.17'\n2 106°46.50833' 48°12.17'\n3 106°46.50833' 48°11.17'\n"
    "4 106°45.50833' 48°11.17'\n",
    # Excel paste: degrees, minutes and seconds in their own tab-separated columns
    "1\t106\t45\t30.5\t48\t12\t10.2\n2\t106\t46\t30.5\t48\t12\t10.2\n"
    "3\t106\t46\t30.5\t48\t11\t10.2\n4\t106\t45\t30.5\t48\t11\t10.2\n",
    # numbered with a dot or a parenthesis, CSV with quoted comma decimals
    "1. 106.758472 48.202833\n2. 106.775139 48.202833\n3) 106.775139 48.186167\n"
    "4) 106.758472 48.186167\n",
    '1,"106,758472","48,202833"\n2,"106,775139","48,202833"\n3,"106,775139","48,186167"\n'
    '4,"106,758472","48,186167"\n',
])
def test_number_forms_and_separators(text):
    (poly,), _ = parse_corner_list(text)
    assert [c.number for c in poly.corners] == [1, 2, 3, 4]
    assert_coords(poly, SQUARE_XY, tol=1e-6)


def test_unnumbered_rows_are_numbered_with_a_note():
    text = "106.758472 48.202833\n106.775139 48.202833\n106.775139 48.186167\n"
    (poly,), notes = parse_corner_list(text)
    assert [c.number for c in poly.corners] == [1, 2, 3]
    assert any("without numbers" in n for n in notes)


def test_unnumbered_space_separated_dms():
    # six plain numbers with no point number: 106 45 30.5 | 48 12 10.2
    text = "106 45 30.5 48 12 10.2\n106 46 30.5 48 12 10.2\n106 46 30.5 48 11 10.2\n"
    (poly,), _ = parse_corner_list(text)
    assert_coords(poly, SQUARE_XY[:3])


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize("header", [
    "№  Уртраг  Өргөрөг",
    "Цэг\tУртраг\tӨргөрөг",
    "No  Longitude  Latitude",
    "Point  Lon  Lat",
    "№  Уртраг (E)  Өргөрөг (N)",
    "Д/д  Уртраг  Θргθрθг",  # Ө typed as the Greek theta
])
def test_header_lon_first(header):
    (poly,), notes = parse_corner_list(header + "\n" + SQUARE)
    assert_coords(poly, SQUARE_XY)
    assert [c.line for c in poly.corners] == [2, 3, 4, 5]
    assert notes == []


LAT_FIRST_ROWS = """\
1  48°12'10.2"  106°45'30.5"
2  48°12'10.2"  106°46'30.5"
3  48°11'10.2"  106°46'30.5"
4  48°11'10.2"  106°45'30.5"
"""


@pytest.mark.parametrize("header", [
    "№  Өргөрөг  Уртраг",
    "No  Latitude  Longitude",
    "Point\tLat\tLon",
    "Цэг;Өргөрөг;Уртраг",
])
def test_header_lat_first(header):
    (poly,), notes = parse_corner_list(header + "\n" + LAT_FIRST_ROWS)
    assert_coords(poly, SQUARE_XY)
    assert not any("swapped" in n for n in notes)  # the header said so: nothing guessed


def test_csv_with_header():
    text = ("No,Longitude,Latitude\n1,106.758472,48.202833\n2,106.775139,48.202833\n"
            "3,106.775139,48.186167\n")
    (poly,), _ = parse_corner_list(text)
    assert_coords(poly, SQUARE_XY[:3], tol=1e-6)


def test_header_without_number_column():
    text = "Longitude;Latitude\n106;48\n107;48\n107;49\n"
    (poly,), notes = parse_corner_list(text)
    assert coords(poly) == [(106, 48), (107, 48), (107, 49)]
    assert any("without numbers" in n for n in notes)


def test_no_header_latitude_first_is_swapped_with_a_note():
    (poly,), notes = parse_corner_list(LAT_FIRST_ROWS)
    assert_coords(poly, SQUARE_XY)
    assert any("swapped" in n and "lines 1-4" in n for n in notes)


def test_xy_header_is_decided_by_values():
    (poly,), notes = parse_corner_list("№  X  Y\n" + LAT_FIRST_ROWS)
    assert_coords(poly, SQUARE_XY)
    assert any("X/Y" in n for n in notes)


def test_header_contradicted_by_values_fails_with_swap_hint():
    with pytest.raises(CoordinateListError) as info:
        parse_corner_list("№  Уртраг  Өргөрөг\n" + LAT_FIRST_ROWS)
    assert "swap" in info.value.hint
    assert "point 1 (line 2)" in str(info.value)


def test_dms_sub_header_is_skipped():
    text = "№\tУртраг\t\t\tӨргөрөг\n\tград\tмин\tсек\tград\tмин\tсек\n" + (
        "1\t106\t45\t30.5\t48\t12\t10.2\n2\t106\t46\t30.5\t48\t12\t10.2\n"
        "3\t106\t46\t30.5\t48\t11\t10.2\n")
    (poly,), _ = parse_corner_list(text)
    assert poly.name == "1"
    assert_coords(poly, SQUARE_XY[:3])


# --------------------------------------------------------------------------- several polygons

# A second square 1' x 1' at 107°E 47°N.
SECOND = """\
1  107°00'00"  47°01'00"
2  107°01'00"  47°01'00"
3  107°01'00"  47°00'00"
4  107°00'00"  47°00'00"
"""
# 47°01' = 47 + 1/60
SECOND_XY = [(107, 47 + 1 / 60), (107 + 1 / 60, 47 + 1 / 60), (107 + 1 / 60, 47), (107, 47)]


@pytest.mark.parametrize(("text", "names"), [
    ("Талбай 1\n" + SQUARE + "Талбай 2\n" + SECOND, ["Талбай 1", "Талбай 2"]),
    ("«Khongor»\n" + SQUARE.replace("\n", "\r\n") + "Area: Bayan\n" + SECOND,
     ["Khongor", "Bayan"]),
    ("Area: Khongor\n" + SQUARE + "Area: Bayan\n" + SECOND, ["Khongor", "Bayan"]),
    ("Талбайн нэр: Хонгор\n" + SQUARE + "\nТалбайн нэр: Баян\n" + SECOND, ["Хонгор", "Баян"]),
    (SQUARE + "\n" + SECOND, ["1", "2"]),                 # a blank line
    (SQUARE + SECOND, ["1", "2"]),                        # numbering restarts at 1
    (SQUARE + "\n\n\n" + SECOND + "\n\n", ["1", "2"]),
    ("Хонгор сумын нутаг\nТалбай «Хонгор»\n№ Уртраг Өргөрөг\n" + SQUARE + "\n" + SECOND,
     ["Талбай «Хонгор»", "2"]),                           # the name nearest the table wins
])
def test_several_polygons(text, names):
    polygons, _ = parse_corner_list(text)
    assert [p.name for p in polygons] == names
    assert_coords(polygons[0], SQUARE_XY)
    assert_coords(polygons[1], SECOND_XY)


def test_closing_point_repeating_the_first_is_dropped():
    text = SQUARE + "5  106°45'30.5\"  48°12'10.2\"\n" + SECOND + "1  107°00'00\"  47°01'00\"\n"
    polygons, notes = parse_corner_list(text)
    assert [len(p.corners) for p in polygons] == [4, 4]
    assert notes == []


def test_numbering_continued_after_a_closing_point_starts_a_new_polygon():
    text = SQUARE + "5  106°45'30.5\"  48°12'10.2\"\n" + (
        "6  107°00'00\"  47°01'00\"\n7  107°01'00\"  47°01'00\"\n8  107°01'00\"  47°00'00\"\n")
    polygons, notes = parse_corner_list(text)
    assert [[c.number for c in p.corners] for p in polygons] == [[1, 2, 3, 4], [6, 7, 8]]
    assert any("starts at point 6" in n for n in notes)


@pytest.mark.parametrize(("area_line", "expected"), [
    ("Талбай: 45.23 га", 45.23),
    ("Area: 45.23 ha", 45.23),
    ("Талбайн хэмжээ: 45,23 га", 45.23),
    ("45.23 ha", 45.23),
    ("Талбай: 1 234,5 га", 1234.5),
    ("Area: 1,234.5 hectares", 1234.5),
])
def test_declared_area_after_the_corners(area_line, expected):
    text = "Талбай 1\n" + SQUARE + area_line + "\n\nТалбай 2\n" + SECOND
    polygons, _ = parse_corner_list(text)
    assert polygons[0].declared_area_ha == pytest.approx(expected)
    assert polygons[1].declared_area_ha is None


def test_declared_area_before_the_corners_and_after_a_blank_line():
    text = ("Талбай: 1.5 га\n" + SQUARE + "\n" + SECOND + "\nТалбай: 2.5 га\n")
    polygons, _ = parse_corner_list(text)
    assert [p.declared_area_ha for p in polygons] == [1.5, 2.5]


def test_name_and_area_on_one_line():
    polygons, _ = parse_corner_list("Талбай 7: 3.5 га\n" + SQUARE)
    assert (polygons[0].name, polygons[0].declared_area_ha) == ("Талбай 7", 3.5)


def test_declared_area_that_disagrees_is_noted():
    # the 1' x 1' square at 48°N: about 1852 m x 1241 m ~ 230 ha, far from 45.23 ha
    polygons, notes = parse_corner_list(SQUARE + "Талбай: 45.23 га\n")
    assert polygons[0].declared_area_ha == 45.23
    assert any("45.23" in n and "enclose" in n for n in notes)


def test_remarks_are_skipped():
    text = "Тайлбар: WGS-84\n" + SQUARE[:-1] + "\n# 5 106 45 30 48 12 10\nNote: holes 2\n"
    (poly,), _ = parse_corner_list(text)
    assert len(poly.corners) == 4


def test_double_spaced_paste_keeps_one_polygon():
    text = "\n\n".join(SQUARE.splitlines()) + "\n"
    (poly,), notes = parse_corner_list(text)
    assert_coords(poly, SQUARE_XY)
    assert [c.line for c in poly.corners] == [1, 3, 5, 7]
    assert any("adjacent" in n for n in notes)


def test_out_of_order_and_gaps_are_notes_not_errors():
    text = SQUARE.replace("2  106°46", "9  106°46")
    (poly,), notes = parse_corner_list(text)
    assert [c.number for c in poly.corners] == [1, 9, 3, 4]
    assert any("jumps from 1 to 9" in n for n in notes)
    assert any("point 3 (line 3) comes after point 9" in n for n in notes)


def test_windows_line_endings_and_bom():
    (poly,), _ = parse_corner_list("\ufeff" + SQUARE.replace("\n", "\r\n"))
    assert_coords(poly, SQUARE_XY)


# --------------------------------------------------------------------------- bad input

NAMED = "Талбайн нэр: Хонгор\n№  Уртраг  Өргөрөг\n"  # the corners start on line 3


def _bad(rows: str) -> str:
    return NAMED + rows


@pytest.mark.parametrize(("text", "where", "what"), [
    (_bad(SQUARE.replace("106°46'30.5\"  48°11", "106°4x'30.5\"  48°11")),
     "area 'Хонгор', point 3 (line 5)", "unexpected character 'x'"),
    (_bad(SQUARE.replace("106°46'30.5\"  48°11", "106°61'30.5\"  48°11")),
     "area 'Хонгор', point 3 (line 5)", "minutes 61"),
    (_bad(SQUARE.replace("48°11'10.2\"", "48°11'60\"", 1)),
     "area 'Хонгор', point 3 (line 5)", "seconds 60"),
    (_bad(SQUARE.replace("2  106°46'30.5\"  48°12'10.2\"", "2  106°46'30.5\"")),
     "area 'Хонгор', point 2 (line 4)", "only one coordinate"),
    (_bad(SQUARE.replace("4  ", "2  ")),
     "area 'Хонгор', point 2 (line 6)", "appears twice (lines 4 and 6)"),
    (_bad(SQUARE.replace("106°46'30.5\"  48°11", "16°46'30.5\"  48°11")),
     "area 'Хонгор', point 3 (line 5)", "longitude 16.775139 is outside Mongolia"),
    (_bad(SQUARE.replace("48°11'10.2\"", "4°11'10.2\"", 1)),
     "area 'Хонгор', point 3 (line 5)", "latitude 4.186167 is outside Mongolia"),
    (_bad("1  106°45'30.5\"  48°12'10.2\"\n2  106°46'30.5\"  48°12'10.2\"\n"),
     "area 'Хонгор' (lines 3-4)", "fewer than 3 distinct corners"),
    (_bad(SQUARE.replace("4  106°45'30.5\"  48°11'10.2\"", "4  106°46'30.5\"  48°12'10.2\"")),
     "area 'Хонгор'", "wrong order"),  # 4 repeats 2: the ring doubles back on itself
    (_bad("1 106.1 48.1\n2 106.2 48.2\n3 106.3 48.3\n"), "area 'Хонгор'", "lie on one line"),
    (_bad("1 106 48\n2 106 48\n3 106 48\n4 107 49\n"), "area 'Хонгор'", "fewer than 3"),
    (_bad("1  106.5 48.2 1250 3\n"), "area 'Хонгор', point 1 (line 3)", "cannot split"),
    (_bad("5\n"), "area 'Хонгор', point 5 (line 3)", "no coordinates"),
    (_bad("1 106°4x 48°12'\n"), "area 'Хонгор', point 1 (line 3)", "unexpected character 'x'"),
    (SQUARE + "\n1 106 48\n2 107 48\n", "area 2 (lines 6-7)", "fewer than 3"),
])
def test_bad_input_names_polygon_and_point(text, where, what):
    with pytest.raises(CoordinateListError) as info:
        parse_corner_list(text)
    err = info.value
    assert where in str(err)
    assert what in str(err)
    assert err.hint
    assert err.path is None


def test_self_intersecting_ring_is_not_repaired():
    # north-west, south-east, north-east, south-west: the boundary is a bow tie
    text = NAMED + ("1  106°45'30.5\"  48°12'10.2\"\n"
                    "2  106°46'30.5\"  48°11'10.2\"\n"
                    "3  106°46'30.5\"  48°12'10.2\"\n"
                    "4  106°45'30.5\"  48°11'10.2\"\n")
    with pytest.raises(CoordinateListError) as info:
        parse_corner_list(text)
    assert "area 'Хонгор'" in str(info.value)
    assert "wrong order" in str(info.value)
    assert "order" in info.value.hint


@pytest.mark.parametrize(("row", "word"), [
    ("1  48°12'10.2\"  106°45'30.5\"", "swapped"),   # a header says longitude first
    ("1  116°45'30.5\"  148°12'10.2\"", "typo"),
])
def test_out_of_range_hint_mentions_swap_or_typo(row, word):
    with pytest.raises(CoordinateListError) as info:
        parse_corner_list(NAMED + row + "\n")
    assert word in info.value.hint
    assert "swapped" in info.value.hint  # the typo hint also says to check the column order


def test_no_header_ambiguous_swap_is_not_guessed():
    # 48.5 (a latitude) then 48.6 (not a longitude): no swap, the longitude is out of range
    with pytest.raises(CoordinateListError) as info:
        parse_corner_list("1 48.5 48.6\n2 48.5 48.7\n3 48.6 48.7\n")
    assert "longitude 48.500000" in str(info.value)


@pytest.mark.parametrize("text", ["", "   \n\n", "\ufeff"])
def test_empty_text(text):
    with pytest.raises(CoordinateListError, match="empty"):
        parse_corner_list(text, source="list.txt")


def test_text_without_coordinates():
    with pytest.raises(CoordinateListError, match="no corner coordinates") as info:
        parse_corner_list("Талбайн нэр: Хонгор\n№ Уртраг Өргөрөг\n", source="a.txt")
    assert str(info.value.path) == "a.txt"


@pytest.mark.parametrize("garbage", [
    "1 \x00\x01 ☃ 48", "1 106°45'30\"\"\" 48", "1 1e5 48", "1 106 45 30 48 12",
    "1 106°°45 48°12", "1 nan inf", "1 -106.5 48.2", "1 106.5.5 48.2", "1 ,,, ;;;",
])
def test_garbage_never_raises_a_bare_exception(garbage):
    with pytest.raises(CoordinateListError):
        parse_corner_list(garbage + "\n2 106.6 48.2\n3 106.6 48.3\n")


# --------------------------------------------------------------------------- files


def test_read_corner_list(tmp_path):
    path = tmp_path / "list.txt"
    path.write_text("Талбайн нэр: Хонгор\n№ Уртраг Өргөрөг\n" + SQUARE + "Талбай: 229.6 га\n"
                    "\n" + SECOND, encoding="utf-8")
    gdf = read_corner_list(path)
    assert list(gdf.columns) == ["name", "declared_area_ha", "n_corners", "geometry"]
    assert list(gdf["name"]) == ["Хонгор", "2"]
    assert gdf["declared_area_ha"].iloc[0] == 229.6
    assert math.isnan(gdf["declared_area_ha"].iloc[1])
    assert list(gdf["n_corners"]) == [4, 4]
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.iloc[0].exterior.coords[0] == pytest.approx((LON, LAT), abs=EPS)
    assert gdf.attrs["notes"] == []


def test_read_corner_list_sets_but_does_not_reproject_crs(tmp_path):
    path = tmp_path / "pulkovo.txt"
    path.write_text(SQUARE, encoding="utf-8")
    gdf = read_corner_list(path, crs="EPSG:4284")
    assert gdf.crs.to_epsg() == 4284
    assert gdf.geometry.iloc[0].exterior.coords[0] == pytest.approx((LON, LAT), abs=EPS)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_read_encodings(tmp_path, encoding):
    path = tmp_path / "list.txt"
    path.write_bytes(("Талбайн нэр: Өлзийт\n№\tУртраг\tӨргөрөг\n" + SQUARE).encode(encoding))
    gdf = read_corner_list(path)
    assert list(gdf["name"]) == ["Өлзийт"]
    assert gdf.geometry.iloc[0].exterior.coords[0] == pytest.approx((LON, LAT), abs=EPS)


def test_read_cp1251_with_legacy_mongolian_letters(tmp_path):
    # cp1251 has no Ө or Ү: legacy Mongolian fonts show them in the places of Є and Ї
    text = "Талбайн нэр: Хонгор\r\n№;Єргєрєг;Уртраг\r\n" + LAT_FIRST_ROWS.replace("\n", "\r\n")
    path = tmp_path / "list.txt"
    path.write_bytes(text.replace("  ", ";").encode("cp1251"))
    gdf = read_corner_list(path)
    assert list(gdf["name"]) == ["Хонгор"]
    assert gdf.geometry.iloc[0].exterior.coords[0] == pytest.approx((LON, LAT), abs=EPS)
    assert any("1251" in n for n in gdf.attrs["notes"])


def test_read_cp1251_name_with_legacy_letter(tmp_path):
    path = tmp_path / "list.txt"
    path.write_bytes(("Талбайн нэр: Єлзийт\n" + SQUARE).encode("cp1251"))
    assert list(read_corner_list(path)["name"]) == ["Өлзийт"]


@pytest.mark.parametrize(("content", "what"), [
    (b"", "empty"),
    (b"\xef\xbb\xbf", "empty"),
    ("Талбайн нэр: Хонгор\n1  106°45'30.5\"\n".encode(), "only one coordinate"),
    (("Талбайн нэр: Хонгор\n" + SQUARE.replace("30.5\"  48°11", "3O.5\"  48°11")).encode(),
     "unexpected character"),
])
def test_file_errors_name_the_file(tmp_path, content, what):
    path = tmp_path / "bad list.txt"
    path.write_bytes(content)
    with pytest.raises(CoordinateListError) as info:
        read_corner_list(path)
    assert info.value.path == path
    assert str(path) in str(info.value)
    assert what in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(CoordinateListError) as info:
        read_corner_list(tmp_path / "nope.txt")
    assert info.value.path == tmp_path / "nope.txt"


def test_undecodable_file(tmp_path):
    path = tmp_path / "list.txt"
    path.write_bytes(b"1 106.5 48.2\n\x98\x98\n")  # 0x98 is unassigned in cp1251, bad UTF-8
    with pytest.raises(CoordinateListError, match="encoding"):
        read_corner_list(path)


# --------------------------------------------------------------------------- writer

GEOD = pyproj.Geod(ellps="WGS84")

FAR_WEST = shapely.Polygon([(87.8, 48.9), (87.85, 48.9), (87.85, 48.86), (87.8, 48.86)])
FAR_EAST = shapely.Polygon([(119.8, 47.3), (119.83, 47.31), (119.82, 47.28)])
IRREGULAR = shapely.Polygon([(106.7584722, 48.2028333), (106.7751391, 48.2011), (106.78, 48.19),
                             (106.7612345, 48.1801234), (106.75, 48.195)])


def _expected_ha(poly: shapely.Polygon) -> float:
    area, _ = GEOD.polygon_area_perimeter(*poly.exterior.xy)
    return abs(area) / 10_000


@pytest.mark.parametrize("lang", ["mn", "en"])
def test_round_trip(lang):
    items = [("Баруун", FAR_WEST), ("Зүүн", FAR_EAST), ("Хонгор", IRREGULAR)]
    text = format_corner_list(items, lang=lang)
    polygons, notes = parse_corner_list(text)
    assert notes == []
    assert [p.name for p in polygons] == ["Баруун", "Зүүн", "Хонгор"]
    for parsed, (_, original) in zip(polygons, items, strict=True):
        assert_coords(parsed, list(original.exterior.coords)[:-1], tol=HALF_CENTISECOND)
        assert [c.number for c in parsed.corners] == list(range(1, len(parsed.corners) + 1))
        assert parsed.declared_area_ha == pytest.approx(_expected_ha(original), abs=0.005)


def test_format_layout_mn():
    text = format_corner_list([("Хонгор", shapely.Polygon(SQUARE_XY))])
    lines = text.splitlines()
    assert lines[0] == "Талбайн нэр: Хонгор"
    assert lines[1].split() == ["№", "Уртраг", "Өргөрөг"]
    assert lines[2].split() == ["1", "106°45'30.50\"", "48°12'10.20\""]
    assert len(lines) == 7  # name, header, 4 corners (no closing repeat), area
    ha = _expected_ha(shapely.Polygon(SQUARE_XY))
    assert lines[6] == f"Талбай: {ha:.2f} га (WGS 84 эллипсоид дээрх геодезийн талбай)"
    # 1' of latitude ~ 1853 m, 1' of longitude at 48.2°N ~ 1853 x cos(48.2°) ~ 1236 m: ~229 ha
    assert 220 < ha < 240


def test_format_layout_en_and_decimals():
    text = format_corner_list([(None, shapely.Polygon(SQUARE_XY))], lang="en", decimals=1)
    lines = text.splitlines()
    assert lines[0] == "Area: 1"
    assert lines[1].split() == ["No", "Longitude", "Latitude"]
    assert lines[2].split() == ["1", "106°45'30.5\"", "48°12'10.2\""]
    assert lines[6].startswith("Area: ") and lines[6].endswith(
        " ha (geodesic on the WGS 84 ellipsoid)")


def test_multipolygon_parts_and_holes():
    shell = [(106.0, 48.0), (106.1, 48.0), (106.1, 48.1), (106.0, 48.1)]
    hole = [(106.02, 48.02), (106.04, 48.02), (106.04, 48.04), (106.02, 48.04)]
    with_hole = shapely.Polygon(shell, [hole])
    multi = shapely.MultiPolygon([with_hole, FAR_EAST])
    text = format_corner_list([("Олон", multi)], lang="en")
    assert "Area: Олон (part 1)" in text and "Area: Олон (part 2)" in text
    assert "1 hole(s)" in text
    # the area without the hole: the exterior's area minus the hole's, each taken on its own
    # ring with abs() (so the rings' orientation cannot matter): about 8289.7 - 331.7 ha
    ring_ha = [abs(GEOD.geometry_area_perimeter(shapely.Polygon(r))[0]) / 10_000
               for r in (shell, hole)]
    net = ring_ha[0] - ring_ha[1]
    assert 7955 < net < 7960
    assert f"area without the holes: {net:.2f} ha" in text
    polygons, _ = parse_corner_list(text)
    assert [p.name for p in polygons] == ["Олон (part 1)", "Олон (part 2)"]
    assert_coords(polygons[0], shell, tol=HALF_CENTISECOND)
    assert polygons[0].declared_area_ha == pytest.approx(
        _expected_ha(shapely.Polygon(shell)), abs=0.005)
    mn = format_corner_list([("Олон", multi)])
    assert "1 нүхтэй" in mn and "хэсэг 2" in mn
    assert len(parse_corner_list(mn)[0]) == 2


@pytest.mark.parametrize("geom", [shapely.Point(106, 48), shapely.Polygon(), None])
def test_format_rejects_non_polygons(geom):
    from landtool.errors import GeometryError

    with pytest.raises(GeometryError):
        format_corner_list([("x", geom)])


def test_write_corner_list_reprojects_and_round_trips(tmp_path):
    gdf = gpd.GeoDataFrame({"request_id": ["REQ-1", "REQ-2"]},
                           geometry=[FAR_WEST, IRREGULAR], crs="EPSG:4326").to_crs(32648)
    path = tmp_path / "out.txt"
    write_corner_list(gdf, path, name_field="request_id")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("Талбайн нэр: REQ-1\n")
    back = read_corner_list(path)
    assert list(back["name"]) == ["REQ-1", "REQ-2"]
    for got, original in zip(back.geometry, [FAR_WEST, IRREGULAR], strict=True):
        for (x, y), (ex, ey) in zip(got.exterior.coords, original.exterior.coords, strict=True):
            # UTM and back loses nothing near 1e-9 degrees; the writer rounds to 0.01"
            assert x == pytest.approx(ex, abs=HALF_CENTISECOND + 1e-9)
            assert y == pytest.approx(ey, abs=HALF_CENTISECOND + 1e-9)


def test_write_corner_list_names(tmp_path):
    gdf = gpd.GeoDataFrame({"name": ["A", None]}, geometry=[FAR_WEST, FAR_EAST], crs=4326)
    path = tmp_path / "named.txt"
    write_corner_list(gdf, path, lang="en", decimals=3)
    assert list(read_corner_list(path)["name"]) == ["A", "2"]
    assert "87°48'00.000\"" in path.read_text(encoding="utf-8")
    plain = gpd.GeoDataFrame(geometry=[FAR_WEST], crs=4326)
    write_corner_list(plain, path)
    assert list(read_corner_list(path)["name"]) == ["1"]


def test_write_corner_list_errors(tmp_path):
    from landtool.errors import CRSError, FieldMappingError

    with pytest.raises(CRSError):
        write_corner_list(gpd.GeoDataFrame(geometry=[FAR_WEST]), tmp_path / "a.txt")
    with pytest.raises(FieldMappingError):
        write_corner_list(gpd.GeoDataFrame(geometry=[FAR_WEST], crs=4326), tmp_path / "a.txt",
                          name_field="nope")


@pytest.mark.parametrize("name", ["X Y", "Lon Lat", "Уртраг Өргөрөг", "Тайлбар", "WGS 84", "# 1",
                                  "град мин сек", "1-р талбай", "Хонгор: баруун"])
@pytest.mark.parametrize("lang", ["mn", "en"])
def test_names_that_look_like_other_lines_round_trip(name, lang):
    text = format_corner_list([(name, FAR_EAST)], lang=lang)
    (poly,), notes = parse_corner_list(text)
    assert poly.name == name
    assert notes == []


def test_coordinate_system_line_is_noted_not_used():
    polygons, notes = parse_corner_list("Талбайн нэр: Хонгор\nСолбицлын систем: WGS 84\n" + SQUARE)
    assert polygons[0].name == "Хонгор"
    assert any("line 2" in n and "coordinate system" in n for n in notes)


def test_e_n_header_is_decided_by_values():
    (poly,), notes = parse_corner_list("№  N  E\n" + LAT_FIRST_ROWS)
    assert_coords(poly, SQUARE_XY)
    assert any("ambiguous" in n for n in notes)


def test_random_text_raises_only_coordinate_list_error():
    import random

    rng = random.Random(20240501)
    pieces = [SQUARE, SECOND, LAT_FIRST_ROWS, "Талбай: 45 га\n", "№ Уртраг Өргөрөг\n", "\n",
              "No;Latitude;Longitude\n", "1, 106,5, 48,2\n", "X Y\n",
              "5\t106\t44\t30\t48\t11\t10\n"]
    noise = "0123456789 \t\n,;.:-°'\"″’«»|#xЄ№NE+"
    accepted = 0
    for _ in range(1500):
        chars = list("".join(rng.choice(pieces) for _ in range(rng.randint(1, 5))))
        for _ in range(rng.randint(0, 4)):
            chars[rng.randrange(len(chars))] = rng.choice(noise)
        try:
            polygons, _ = parse_corner_list("".join(chars))
        except CoordinateListError:
            continue
        accepted += 1
        back, _ = parse_corner_list(format_corner_list((p.name, p.polygon) for p in polygons))
        assert [len(p.corners) for p in back] == [len(p.corners) for p in polygons]
    assert accepted > 50  # the fuzzing also exercises lists that parse


# --------------------------------------------------------------------------- notes and datums

def _cli(*args):
    from click.testing import CliRunner

    from landtool.cli import main

    return CliRunner().invoke(main, [str(a) for a in args])


def _square_ha() -> float:
    """The geodesic area of SQUARE, from pyproj's Geod directly: about 1852 m x 1241 m."""
    lons, lats = zip(*SQUARE_XY, strict=True)
    return abs(GEOD.polygon_area_perimeter(lons, lats)[0]) / 10_000


def test_declared_area_more_than_1_percent_off_reaches_every_output(tmp_path):
    from landtool.io.load import load_layer

    computed = _square_ha()
    assert 225 < computed < 235
    declared = round(computed * 1.05, 2)  # 5 % more than the corners enclose
    path = tmp_path / "list.txt"
    path.write_text(f"Талбайн нэр: Хонгор\n{SQUARE}Талбай: {declared} га\n", encoding="utf-8")
    note = f"declared area {declared} ha, but the corners enclose {computed:.2f} ha"
    layer = load_layer(path, "protected_areas")
    assert [(p.feature, p.what) for p in layer.problems if note in p.message] == [(None, "note")]
    for args in (["corners", "read", path],
                 ["area", path, "--kind", "protected_areas"],
                 ["workspace", "add", tmp_path / "ws.gpkg", path, "--kind", "protected_areas"]):
        if args[0] == "workspace":
            assert _cli("workspace", "init", tmp_path / "ws.gpkg").exit_code == 0
        result = _cli(*args)
        assert result.exit_code == 0, result.output
        assert "[note]" in result.output and note in result.output, args


@pytest.mark.parametrize("factor, noted", [(1.005, False), (0.995, False), (1.015, True),
                                           (0.985, True)])
def test_declared_area_note_threshold_is_1_percent(factor, noted):
    declared = round(_square_ha() * factor, 2)
    _, notes = parse_corner_list(SQUARE + f"Талбай: {declared} га\n")
    assert any("declared area" in n for n in notes) is noted


def test_declared_area_after_a_blank_line_is_checked_too():
    declared = round(_square_ha() * 1.1, 2)
    polygons, notes = parse_corner_list(SQUARE + f"\nТалбай: {declared} га\n")
    assert polygons[0].declared_area_ha == declared
    assert any(f"declared area {declared} ha" in n for n in notes)


def test_csv_corner_list_notes_reach_the_load_report(tmp_path):
    # A CSV with point numbers is a corner list: read by the same reader as a .txt list, so
    # its notes (here: Windows-1251 text and a gap in the numbering) are not lost.
    from landtool.io.load import load_layer

    path = tmp_path / "corners.csv"
    rows = ["№;lon;lat", "1;106.60;48.80", "2;106.61;48.80", "5;106.61;48.81", "6;106.60;48.81"]
    path.write_bytes("\n".join(rows).encode("cp1251"))  # № is byte 0xB9 in Windows-1251
    layer = load_layer(path, "protected_areas", require_fields=False)
    notes = [p.message for p in layer.problems if p.what == "note"]
    assert any("1251" in n for n in notes)
    assert any("jumps from 2 to 5" in n for n in notes)


@pytest.mark.parametrize("line", ["Солбицлын систем: Пулково 1942", "Coordinate system: Pulkovo",
                                  "Тайлбар: СК-42 системээр", "Datum: 1942"])
def test_a_list_naming_pulkovo_needs_the_crs(tmp_path, line):
    from landtool.errors import CRSError
    from landtool.io.load import load_layer

    path = tmp_path / "pulkovo.txt"
    path.write_text(f"{line}\n{SQUARE}", encoding="utf-8")
    with pytest.raises(CRSError, match="line 1 names Pulkovo 1942") as err:
        load_layer(path, "protected_areas", require_fields=False)
    assert "--crs EPSG:4284" in err.value.hint and "--crs EPSG:4326" in err.value.hint
    for args in (["corners", "read", path], ["area", path, "--kind", "forest"]):
        result = _cli(*args)
        assert result.exit_code == 2 and "--crs EPSG:4284" in result.output, result.output
        assert "Traceback" not in result.output
    # honoured when given: the corners are shifted from Pulkovo 1942 to WGS 84
    layer = load_layer(path, "forest", crs="EPSG:4284")
    assert "Pulkovo 1942 to WGS 84" in layer.reprojection.operation
    x0, y0 = layer.gdf.geometry.iloc[0].geoms[0].exterior.coords[0]
    shift_m = GEOD.inv(LON, LAT, x0, y0)[2]
    assert 30 < shift_m < 150  # the datum shift in Mongolia is tens of metres
    result = _cli("corners", "read", path, "--crs", "EPSG:4284")
    assert result.exit_code == 0 and "Pulkovo 1942 to WGS 84" in result.output, result.output


def test_a_list_naming_wgs84_is_read_as_wgs84(tmp_path):
    from landtool.io.load import load_layer

    path = tmp_path / "wgs.txt"
    path.write_text(f"Солбицлын систем: WGS 84\n{SQUARE}", encoding="utf-8")
    layer = load_layer(path, "forest")
    assert layer.reprojection.operation is None and layer.gdf.crs.to_epsg() == 4326
    assert layer.gdf.geometry.iloc[0].geoms[0].exterior.coords[0] == pytest.approx((LON, LAT))
    # given another CRS, the user's wins, and the report says the list names another
    layer = load_layer(path, "forest", crs="EPSG:4284")
    assert any("names WGS 84, but the CRS given is EPSG:4284" in p.message
               for p in layer.problems)


def test_a_year_in_a_name_is_not_a_datum():
    polygons, notes = parse_corner_list("Талбайн нэр: Уурхай 1942\n" + SQUARE)
    assert polygons[0].name == "Уурхай 1942" and notes == []


def test_corner_list_output_into_a_new_folder(tmp_path):
    from landtool.io.formats import write_vector

    gdf = gpd.GeoDataFrame({"name": ["A"]}, geometry=[FAR_WEST], crs=4326)
    for path in (tmp_path / "new" / "deeper" / "a.txt", tmp_path / "other" / "b.txt"):
        (write_corner_list if path.name == "a.txt" else write_vector)(gdf, path)
        assert list(read_corner_list(path)["name"]) == ["A"]
        assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temporary
