"""``landtool export package | map``: the package folder and its zip, the GIS files read back,
batch mode going on past a failing request, bad input refused with exit code 2 and nothing
written, and the map command in each format."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner
from pypdf import PdfReader

from landtool.cli import main
from landtool.export import report
from landtool.export.data import gather
from landtool.export.package import request_ids
from landtool.workspace import Workspace

#: Coordinates read back from the GeoPackage (binary doubles) must be identical; from KML
#: (decimal text) within 1e-9 degrees, about 0.1 mm on the ground.
GPKG_TOLERANCE = 0.0
KML_TOLERANCE = 1e-9
FILES = {"report.pdf", "map.png", "map.html", "request.gpkg", "request.kml", "corners.csv",
         "corners.txt", "check.json", "witness.json", "costs.xlsx"}


pytestmark = pytest.mark.usefixtures("own_home")  # the CLI writes under ~


def invoke(*args):
    return CliRunner().invoke(main, ["export", *[str(a) for a in args]])


def dms(value: float) -> str:
    hundredths = round(abs(value) * 360_000)
    deg, rest = divmod(hundredths, 360_000)
    minutes, sec = divmod(rest, 6_000)
    return f"{deg}°{minutes:02d}'{sec // 100:02d}.{sec % 100:02d}\""


def as_multi(geom):
    return geom if isinstance(geom, shapely.MultiPolygon) else shapely.MultiPolygon([geom])


def listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


@pytest.fixture(scope="module")
def batch(sample_ws, tmp_path_factory):
    """Two packages (Mongolian) in one batch, with an unknown request among them."""
    out = tmp_path_factory.mktemp("batch") / "packages"
    result = CliRunner().invoke(main, [
        "export", "package", "--workspace", str(sample_ws), "--request", "REQ-2026-005",
        "--request", "REQ-NOPE", "--request", "REQ-2026-013", "--out", str(out)])
    return out, result


def test_batch_goes_on_past_a_failing_request(batch):
    out, result = batch
    assert result.exit_code == 2, result.output
    assert "REQ-NOPE: error: " in result.output and "no request 'REQ-NOPE'" in result.output
    assert "1 of 3 package(s) failed" in result.output
    assert listing(out) == {"REQ-2026-005", "REQ-2026-005.zip", "REQ-2026-013",
                            "REQ-2026-013.zip"}


@pytest.mark.parametrize("rid", ["REQ-2026-005", "REQ-2026-013"])
def test_package_files_and_zip(batch, rid):
    out, _ = batch
    folder = out / rid
    assert listing(folder) == FILES
    with zipfile.ZipFile(out / f"{rid}.zip") as zf:
        names = zf.namelist()
        assert sorted(names) == sorted(f"{rid}/{f}" for f in FILES)
        for name in names:  # the same files, byte for byte
            assert zf.read(name) == (folder / name.split("/", 1)[1]).read_bytes()


@pytest.mark.parametrize("rid", ["REQ-2026-005", "REQ-2026-013"])
def test_gpkg_and_kml_round_trip(sample_ws, batch, rid):
    out, _ = batch
    data = gather(Workspace(sample_ws), rid)
    expected = {"request": as_multi(data.geometry), "eligible_part": as_multi(data.eligible_part)}
    for name, tolerance in (("request.gpkg", GPKG_TOLERANCE), ("request.kml", KML_TOLERANCE)):
        gdf = gpd.read_file(out / rid / name)
        assert gdf.crs.to_epsg() == 4326
        got = dict(zip(gdf["part"], gdf.geometry, strict=True))
        assert got.keys() == expected.keys(), name
        for part, geom in expected.items():
            assert shapely.equals_exact(as_multi(got[part]), geom, tolerance=tolerance), \
                f"{name} {part}"


def test_corners_csv_and_check_json(sample_ws, batch):
    out, _ = batch
    data = gather(Workspace(sample_ws), "REQ-2026-005")
    with open(out / "REQ-2026-005" / "corners.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    for polygon, geom in (("request", data.geometry), ("eligible_part", data.eligible_part)):
        mine = [r for r in rows if r["polygon"] == polygon]
        coords = [xy for p in getattr(geom, "geoms", [geom]) for xy in p.exterior.coords[:-1]]
        assert [int(r["no"]) for r in mine] == list(range(1, len(coords) + 1))
        for r, (lon, lat) in zip(mine, coords, strict=True):
            assert (r["longitude_dms"], r["latitude_dms"]) == (dms(lon), dms(lat))
            assert float(r["longitude"]) == pytest.approx(lon, abs=1e-9)
            assert float(r["latitude"]) == pytest.approx(lat, abs=1e-9)
    saved = json.loads((out / "REQ-2026-005" / "check.json").read_text(encoding="utf-8"))
    # the check kept in the workspace, read straight from its table (not through the exports)
    import sqlite3

    with sqlite3.connect(sample_ws) as con:
        stored = con.execute("SELECT report_json FROM landtool_checks WHERE request_id = ?",
                             ("REQ-2026-005",)).fetchone()[0]
    assert saved["request"] == json.loads(stored)["request"]
    assert saved["ruleset"]["id"] == "mn-asm-2022"
    conflicts = [c["feature_id"] for r in saved["request"]["results"] for c in r["conflicts"]]
    assert conflicts == ["MV-00005082"]


def test_every_package_carries_the_witness_of_its_moment(sample_ws, batch):
    """witness.json holds the log's length and last hash read straight from the log table
    (not through landtool), it is named on the report's cover, and `register verify
    --witness` accepts it."""
    out, _ = batch
    doc = json.loads((out / "REQ-2026-005" / "witness.json").read_text(encoding="utf-8"))
    with sqlite3.connect(sample_ws) as con:
        count, last = con.execute("SELECT count(*), (SELECT hash FROM landtool_log ORDER BY "
                                  "seq DESC LIMIT 1) FROM landtool_log").fetchone()
    assert doc["kind"] == "landtool-witness"
    assert (doc["log_length"], doc["last_hash"]) == (count, last)
    assert count >= 15  # the sample's 15 registrations at least
    cover = PdfReader(out / "REQ-2026-005" / "report.pdf").pages[0].extract_text()
    assert last[:12] in cover.replace("\n", "")
    result = CliRunner().invoke(main, ["register", "verify", str(sample_ws), "--witness",
                                       str(out / "REQ-2026-005" / "witness.json")])
    assert result.exit_code == 0, result.output
    assert "agrees with the log" in result.output


def test_cost_spreadsheet_and_report(sample_ws, batch):
    from decimal import ROUND_HALF_UP, Decimal

    from openpyxl import load_workbook

    out, _ = batch
    sheet = load_workbook(out / "REQ-2026-013" / "costs.xlsx")["lines"]
    header = [c.value for c in sheet[1]]
    col = {name: header.index(name) for name in ("kind", "quantity", "rate", "cost")}
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    direct = [r for r in rows if r[col["kind"]] == "direct"]
    assert direct
    for r in direct:  # each line: quantity x rate, rounded half up to a whole tugrik
        expected = (Decimal(str(r[col["quantity"]])) * Decimal(str(r[col["rate"]]))).quantize(
            Decimal(1), rounding=ROUND_HALF_UP)
        assert r[col["cost"]] == int(expected)
    indirect = sum(r[col["cost"]] for r in rows if r[col["kind"]] == "indirect")
    total = next(r[col["cost"]] for r in rows if r[col["kind"]] == "total")
    assert total == sum(r[col["cost"]] for r in direct) + indirect
    text = " ".join(p.extract_text() for p in PdfReader(out / "REQ-2026-013" / "report.pdf")
                    .pages)
    assert "REQ-2026-013" in text and report.TEXT["mn"]["s_costs"] in text


def test_single_package_in_english_replaces_with_force(sample_ws, tmp_path):
    out = tmp_path / "pkg"
    out.mkdir()
    (out / "old.txt").write_text("an earlier package")
    refused = invoke("package", "--workspace", sample_ws, "--request", "REQ-2026-005",
                     "--out", out, "--lang", "en")
    assert refused.exit_code == 2 and "already exists" in refused.output
    assert "--force" in refused.output
    assert listing(out) == {"old.txt"} and not (tmp_path / "pkg.zip").exists()
    result = invoke("package", "--workspace", sample_ws, "--request", "REQ-2026-005",
                    "--out", out, "--lang", "en", "--force")
    assert result.exit_code == 0, result.output
    assert listing(out) == FILES
    assert zipfile.ZipFile(tmp_path / "pkg.zip").namelist()
    assert leftovers(tmp_path) == []
    text = " ".join(p.extract_text() for p in PdfReader(out / "report.pdf").pages)
    assert report.TEXT["en"]["s_check"] in text and "MV-00005082" in text
    assert "Longitude" in text and report.TEXT["mn"]["s_check"] not in text


# -- bad input: exit 2, one clear message, nothing written ------------------------------------

def test_unknown_request(sample_ws, tmp_path):
    result = invoke("package", "--workspace", sample_ws, "--request", "REQ-1999-999",
                    "--out", tmp_path / "pkg")
    assert result.exit_code == 2
    assert "no request 'REQ-1999-999'" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "pkg").exists() and not (tmp_path / "pkg.zip").exists()


def test_request_without_a_check(sample_ws, tmp_path):
    copy = tmp_path / "ws.gpkg"
    shutil.copy(sample_ws, copy)
    with sqlite3.connect(copy) as con:
        con.execute("DELETE FROM landtool_checks WHERE request_id = 'REQ-2026-001'")
    result = invoke("package", "--workspace", copy, "--request", "REQ-2026-001",
                    "--out", tmp_path / "pkg")
    assert result.exit_code == 2
    assert "no check result" in result.output and "landtool check" in result.output
    assert not (tmp_path / "pkg").exists() and not (tmp_path / "pkg.zip").exists()


def test_missing_font(sample_ws, tmp_path, monkeypatch):
    monkeypatch.setattr(report, "FONT_DIR", tmp_path / "no-fonts")
    result = invoke("package", "--workspace", sample_ws, "--request", "REQ-2026-005",
                    "--out", tmp_path / "out" / "pkg")
    assert result.exit_code == 2
    assert "font" in result.output and "DejaVuSans.ttf" in result.output
    assert not (tmp_path / "out").exists()
    batch = invoke("package", "--workspace", sample_ws, "--all", "--out", tmp_path / "many")
    assert batch.exit_code == 2 and "font" in batch.output
    assert not (tmp_path / "many").exists()


def test_existing_zip_is_refused(sample_ws, tmp_path):
    (tmp_path / "pkg.zip").write_bytes(b"an earlier zip")
    result = invoke("package", "--workspace", sample_ws, "--request", "REQ-2026-005",
                    "--out", tmp_path / "pkg")
    assert result.exit_code == 2 and "already exists" in result.output
    assert (tmp_path / "pkg.zip").read_bytes() == b"an earlier zip"
    assert not (tmp_path / "pkg").exists()


def test_failure_half_way_leaves_nothing(sample_ws, tmp_path, fail_writes):
    fail_writes()  # every GIS writer writes a part, then fails as a full disk would
    result = invoke("package", "--workspace", sample_ws, "--request", "REQ-2026-005",
                    "--out", tmp_path / "pkg")
    assert result.exit_code == 2, result.output
    assert "cannot write" in result.output and str(tmp_path / "pkg") in result.output
    assert ".pkg-" not in result.output  # the message names the package, not a temporary folder
    assert not (tmp_path / "pkg").exists() and not (tmp_path / "pkg.zip").exists()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("args, message", [
    ((), "--request ID"),
    (("--all", "--request", "REQ-2026-005"), "not both"),
])
def test_request_options(sample_ws, tmp_path, args, message):
    result = invoke("package", "--workspace", sample_ws, *args, "--out", tmp_path / "p")
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "p").exists()


def test_all_lists_every_request_in_queue_order(sample_ws):
    assert request_ids(Workspace(sample_ws)) == [f"REQ-2026-{i:03d}" for i in range(1, 16)]


# -- maps ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["png", "pdf", "html"])
def test_map_of_a_request(sample_ws, tmp_path, fmt):
    out = tmp_path / f"map.{fmt}"
    result = invoke("map", "--workspace", sample_ws, "--request", "REQ-2026-005",
                    "--paper", "a4", "--out", out)
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    if fmt == "png":
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
    elif fmt == "pdf":
        page = PdfReader(out).pages[0]
        assert sorted([float(page.mediabox.width), float(page.mediabox.height)]) == \
            pytest.approx([595.3, 841.9], abs=1.5)
    else:
        text = data.decode("utf-8")
        assert "<html" in text.lower() and "REQ-2026-005" in text
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("fmt", ["pdf", "html"])
def test_map_of_the_workspace(sample_ws, tmp_path, fmt):
    out = tmp_path / "overview"
    result = invoke("map", "--workspace", sample_ws, "--format", fmt, "--paper", "a3",
                    "--lang", "en", "--out", out)
    assert result.exit_code == 0, result.output
    written = tmp_path / f"overview.{fmt}"
    assert written.exists()
    if fmt == "pdf":
        page = PdfReader(written).pages[0]
        assert sorted([float(page.mediabox.width), float(page.mediabox.height)]) == \
            pytest.approx([841.9, 1190.6], abs=1.5)
    else:
        assert "REQ-2026-013" in written.read_text(encoding="utf-8")


@pytest.mark.parametrize("args, message", [
    (("--format", "pdf", "--out", "map.png"), "ends in .png"),
    (("--out", "map.svg"), "unknown map format"),
    (("--request", "REQ-1999-999", "--out", "map.png"), "no request 'REQ-1999-999'"),
])
def test_map_bad_input(sample_ws, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = invoke("map", "--workspace", sample_ws, *args)
    assert result.exit_code == 2 and message in result.output
    assert leftovers(tmp_path) == [] and not list(tmp_path.glob("map.*"))


def test_map_exists(sample_ws, tmp_path):
    out = tmp_path / "map.html"
    out.write_text("old")
    result = invoke("map", "--workspace", sample_ws, "--out", out)
    assert result.exit_code == 2 and "already exists" in result.output
    assert out.read_text() == "old"


def test_a_request_changed_after_its_check_is_refused(sample_ws, tmp_path):
    import shutil

    import shapely

    from landtool.errors import CheckError
    from landtool.export.data import gather
    from landtool.workspace import Workspace

    path = tmp_path / "ws.gpkg"
    shutil.copyfile(sample_ws, path)
    ws = Workspace(path)
    reqs = ws.read("requests")
    idx = reqs.index[reqs["request_id"] == "REQ-2026-005"][0]
    reqs.loc[idx, "geometry"] = shapely.MultiPolygon([shapely.box(106.55, 48.64, 106.56, 48.65)])
    ws.update("requests", reqs, note="redrawn after the check")
    with pytest.raises(CheckError, match="changed after its saved check"):
        gather(ws, "REQ-2026-005")
