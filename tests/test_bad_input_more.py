"""More bad input files: a shapefile missing a part or with a wrong .cpg, broken GeoJSON
geometries, duplicate request ids, corner lists with signs or hemisphere letters out of place,
files that ask for the network, and user text that looks like a spreadsheet formula. Each is
refused (or read) with one message naming the file, the feature or line, and what to do; the
CLI exits 2 without a traceback and the user's data is unchanged."""

from __future__ import annotations

import zipfile

import pyogrio
import pytest
from test_bad_input import assert_clean_failure, invoke, requests_gdf

from landtool.errors import LayerLoadError
from landtool.io.load import load_layer

# -- shapefiles: a missing part, a .cpg that lies ----------------------------------------------


def _shapefile(tmp_path, name="req", **kwargs):
    gdf = requests_gdf()
    gdf["applicant"] = ["Алтан Шороо"]
    pyogrio.write_dataframe(gdf, tmp_path / f"{name}.shp", **kwargs)
    return tmp_path / f"{name}.shp"


@pytest.mark.parametrize("missing", ["shx", "dbf"])
def test_zipped_shapefile_missing_a_part(tmp_path, missing):
    _shapefile(tmp_path)
    path = tmp_path / "req.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for ext in {"shp", "shx", "dbf", "prj"} - {missing}:
            zf.write(tmp_path / f"req.{ext}", f"layer/req.{ext}")
    before = path.read_bytes()
    with pytest.raises(LayerLoadError, match=rf"\.{missing} file .* no req\.{missing} in the zip"):
        load_layer(path, "requests")
    result = invoke("area", path, "--kind", "requests")
    assert_clean_failure(result, path)
    assert f"req.{missing}" in result.output and "internal error" not in result.output
    assert path.read_bytes() == before


@pytest.mark.parametrize("missing", ["shx", "dbf"])
def test_shapefile_missing_a_part(tmp_path, missing):
    path = _shapefile(tmp_path)
    (tmp_path / f"req.{missing}").unlink()
    files = sorted(p.name for p in tmp_path.iterdir())
    result = invoke("area", path, "--kind", "requests")
    assert_clean_failure(result, path)
    assert f"no req.{missing} beside it" in result.output
    assert "required field" not in result.output  # not mistaken for a missing field
    assert sorted(p.name for p in tmp_path.iterdir()) == files  # no .shx restored by GDAL


def test_shapefile_in_windows_1251_with_a_cpg_saying_utf8(tmp_path):
    path = _shapefile(tmp_path, encoding="cp1251")
    (tmp_path / "req.cpg").write_text("UTF-8")
    assert (tmp_path / "req.dbf").read_bytes().find("Алтан".encode("cp1251")) > 0
    layer = load_layer(path, "requests")
    assert list(layer.gdf["applicant"]) == ["Алтан Шороо"]
    notes = [p.message for p in layer.problems if p.what == "note"]
    assert len(notes) == 1 and "Windows-1251" in notes[0] and ".cpg" in notes[0]
    result = invoke("area", path, "--kind", "requests")
    assert result.exit_code == 0 and "[note]" in result.output, result.output


def test_shapefile_neither_utf8_nor_windows_1251(tmp_path):
    path = _shapefile(tmp_path, encoding="cp1251")
    (tmp_path / "req.cpg").write_text("UTF-8")
    dbf = tmp_path / "req.dbf"
    # 0x98 is the one byte Windows-1251 leaves undefined (and is not UTF-8 on its own)
    dbf.write_bytes(dbf.read_bytes().replace("Алтан".encode("cp1251"), b"\x98\x98\x98\x98\x98"))
    result = invoke("area", path, "--kind", "requests")
    assert_clean_failure(result, path)
    assert ".cpg" in result.output
