"""Field mapping (automatic by alias, --map, a --mapping TOML file) and value typing."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

from landtool.cli import main
from landtool.errors import CatalogError, FieldMappingError
from landtool.io.formats import write_vector
from landtool.io.load import load_layer

SQUARES = [shapely.box(106.20, 48.20, 106.21, 48.21), shapely.box(106.30, 48.30, 106.31, 48.31)]


def write(tmp_path, columns: dict, name="licences.geojson", geoms=SQUARES):
    path = tmp_path / name
    gdf = gpd.GeoDataFrame(columns, geometry=list(geoms)[: len(next(iter(columns.values())))],
                           crs="EPSG:4326")
    if path.suffix == ".geojson":
        gdf.to_file(path)
    else:
        pyogrio.write_dataframe(gdf, path)
    return path


def eiti_like(tmp_path, **extra):
    """Field names as the EITI cadastre export spells them."""
    cols = {"LICENSE_NUMBER": ["XV-000123", "MV-004567"], "type": ["exploration", "mining"],
            "GIVEN_DATE": ["2019-05-06", "2020/01/02"], "company_name": ["A LLC", "B ХХК"]}
    cols.update(extra)
    return write(tmp_path, cols)


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# -- automatic matching ----------------------------------------------------------------------

def test_automatic_by_alias(tmp_path):
    layer = load_layer(eiti_like(tmp_path), "licenses")
    assert layer.mapping == {"licence_code": "LICENSE_NUMBER", "licence_type": "type",
                             "holder": "company_name", "issue_date": "GIVEN_DATE"}
    assert list(layer.gdf["licence_code"]) == ["XV-000123", "MV-004567"]
    assert list(layer.gdf["issue_date"]) == ["2019-05-06", "2020-01-02"]  # ISO dates
    assert "licence_code ← LICENSE_NUMBER" in "\n".join(layer.report_lines())


def test_automatic_is_case_insensitive_and_keeps_other_fields(tmp_path):
    path = write(tmp_path, {"Licence_Code": ["XV-1"], "REMARKS": ["boundary disputed"]})
    layer = load_layer(path, "licenses")
    assert layer.mapping == {"licence_code": "Licence_Code"}
    assert layer.gdf.loc[0, "licence_code"] == "XV-1"
    assert layer.gdf.loc[0, "REMARKS"] == "boundary disputed"


def test_shapefile_truncated_names_are_matched(tmp_path):
    # A .dbf keeps 10 characters: licence_code -> licence_co, licence_type -> licence_ty,
    # submitted_at -> submitted_. Landtool's own shapefiles must load back.
    path = tmp_path / "req.shp"
    gdf = gpd.GeoDataFrame({"request_id": ["R-1"], "applicant": ["A"],
                            "submitted_at": ["2024-03-01T09:30:00"]},
                           geometry=SQUARES[:1], crs="EPSG:4326")
    with pytest.warns(RuntimeWarning, match="laundered"):
        write_vector(gdf, path)
    assert "submitted_" in pyogrio.read_info(path)["fields"]
    layer = load_layer(path, "requests")
    assert layer.mapping["submitted_at"] == "submitted_"
    assert layer.gdf.loc[0, "submitted_at"] == "2024-03-01T09:30:00"

    lic = tmp_path / "lic.shp"
    with pytest.warns(RuntimeWarning, match="laundered"):
        write_vector(gpd.GeoDataFrame({"licence_code": ["MV-1"], "licence_type": ["mining"]},
                                       geometry=SQUARES[:1], crs="EPSG:4326"), lic)
    layer = load_layer(lic, "licenses")
    assert layer.mapping == {"licence_code": "licence_co", "licence_type": "licence_ty"}


# -- explicit mapping ------------------------------------------------------------------------

def test_explicit_mapping_wins_over_aliases(tmp_path):
    path = write(tmp_path, {"LIC_NO": ["XV-1"], "code": ["should not be used"]})
    layer = load_layer(path, "licenses", mapping={"licence_code": "LIC_NO"})
    assert layer.gdf.loc[0, "licence_code"] == "XV-1"
    assert layer.gdf.loc[0, "code"] == "should not be used"


def test_explicit_mapping_onto_a_field_named_like_a_catalog_field(tmp_path):
    # The file has its own "licence_code" (an internal number); the real code is in LIC_NO.
    path = write(tmp_path, {"LIC_NO": ["XV-1"], "licence_code": ["12"]})
    layer = load_layer(path, "licenses", mapping={"licence_code": "lic_no"})
    assert layer.gdf.loc[0, "licence_code"] == "XV-1"
    assert layer.gdf.loc[0, "src_licence_code"] == "12"


def test_cli_map_option(tmp_path):
    path = write(tmp_path, {"LIC_NO": ["XV-1"], "END_DT": ["2030-12-31"]})
    result = invoke("area", path, "--kind", "licenses", "--map", "licence_code=LIC_NO",
                    "--map", "expiry_date=END_DT")
    assert result.exit_code == 0, result.output
    assert "licence_code ← LIC_NO" in result.output and "expiry_date ← END_DT" in result.output


@pytest.mark.parametrize("toml", [
    '[licenses]\nlicence_code = "LIC_NO"\nexpiry_date = "END_DT"\n',
    '[licences]\nlicence_code = "LIC_NO"\nexpiry_date = "END_DT"\n',
    '[soums]\npcode = "X"\n[licenses]\nlicence_code = "LIC_NO"\nexpiry_date = "END_DT"\n',
    'licence_code = "LIC_NO"\nexpiry_date = "END_DT"\n',
], ids=["table-per-kind", "table-under-old-id", "several-kinds", "flat"])
def test_mapping_file(tmp_path, toml):
    path = write(tmp_path, {"LIC_NO": ["XV-1"], "END_DT": ["2030-12-31"]})
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(toml, encoding="utf-8")
    dest = tmp_path / "out.gpkg"
    result = invoke("convert", path, dest, "--kind", "licenses", "--mapping", mapping)
    assert result.exit_code == 0, result.output
    out = pyogrio.read_dataframe(dest)
    assert out.loc[0, "licence_code"] == "XV-1" and out.loc[0, "expiry_date"] == "2030-12-31"


def test_map_option_overrides_mapping_file(tmp_path):
    path = write(tmp_path, {"LIC_NO": ["XV-1"], "OLD_NO": ["old"]})
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[licenses]\nlicence_code = "OLD_NO"\n')
    result = invoke("area", path, "--kind", "licenses", "--mapping", mapping,
                    "--map", "licence_code=LIC_NO")
    assert result.exit_code == 0, result.output
    assert "licence_code ← LIC_NO" in result.output


def test_mapping_names_a_field_the_file_lacks(tmp_path):
    path = eiti_like(tmp_path)
    with pytest.raises(FieldMappingError, match="'LIC_NO', but the file has no such field") as e:
        load_layer(path, "licenses", mapping={"licence_code": "LIC_NO"})
    assert "LICENSE_NUMBER, type, GIVEN_DATE, company_name" in e.value.hint
    result = invoke("area", path, "--kind", "licenses", "--map", "licence_code=LIC_NO")
    assert result.exit_code == 2 and "LIC_NO" in result.output and str(path) in result.output


def test_mapping_names_an_unknown_catalog_field(tmp_path):
    path = eiti_like(tmp_path)
    with pytest.raises(FieldMappingError, match="'colour', which is not a field of licenses") as e:
        load_layer(path, "licenses", mapping={"colour": "type"})
    assert "licence_code" in e.value.hint and "expiry_date" in e.value.hint
    mapping = tmp_path / "m.toml"
    mapping.write_text('[licenses]\ncolour = "type"\n')
    result = invoke("area", path, "--kind", "licenses", "--mapping", mapping)
    assert result.exit_code == 2 and "colour" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("item", ["licence_code", "=LIC_NO", "licence_code="])
def test_malformed_map_option(tmp_path, item):
    result = invoke("area", eiti_like(tmp_path), "--kind", "licenses", "--map", item)
    assert result.exit_code == 2
    assert "CATALOG_FIELD=SOURCE_FIELD" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("text", ['[licences]\nlicence_code = 3\n', "licence_code = \n"],
                         ids=["not-text", "not-toml"])
def test_malformed_mapping_file(tmp_path, text):
    mapping = tmp_path / "m.toml"
    mapping.write_text(text)
    result = invoke("area", eiti_like(tmp_path), "--kind", "licenses", "--mapping", mapping)
    assert result.exit_code == 2 and str(mapping) in result.output
    assert "Traceback" not in result.output
    from landtool.fields import load_mapping_file
    with pytest.raises(CatalogError):
        load_mapping_file(mapping, "licenses")


# -- required fields and values --------------------------------------------------------------

def test_missing_required_field_names_it_and_the_option(tmp_path):
    path = write(tmp_path, {"LIC_NO": ["XV-1"]})
    with pytest.raises(FieldMappingError, match="required field 'licence_code'") as err:
        load_layer(path, "licenses")
    assert "--map licence_code=SOURCE_FIELD" in err.value.hint
    assert "LIC_NO" in err.value.hint  # the file's fields, to choose from
    result = invoke("area", path, "--kind", "licenses")
    assert result.exit_code == 2
    assert "licence_code" in result.output and "--map" in result.output
    assert str(path) in result.output and "Traceback" not in result.output


def test_required_value_empty_names_the_feature(tmp_path):
    path = write(tmp_path, {"request_id": ["R-1", "R-2"], "applicant": ["A", ""]})
    with pytest.raises(FieldMappingError, match="required field applicant is empty") as err:
        load_layer(path, "requests")
    assert err.value.feature == "R-2"


def test_date_yesterday(tmp_path):
    path = eiti_like(tmp_path, GIVEN_DATE=["2019-05-06", "yesterday"])
    with pytest.raises(FieldMappingError, match="'yesterday', which is not a date") as err:
        load_layer(path, "licenses")
    assert err.value.feature == "MV-004567" and "issue_date" in err.value.message
    result = invoke("area", path, "--kind", "licenses")
    assert result.exit_code == 2
    assert "feature MV-004567" in result.output and "yesterday" in result.output


def test_value_not_in_choices(tmp_path):
    path = eiti_like(tmp_path, type=["exploration", "gold"])
    with pytest.raises(FieldMappingError, match="'gold', which is not one of exploration, "
                       "mining, petroleum") as err:
        load_layer(path, "licenses")
    assert err.value.feature == "MV-004567"


@pytest.mark.parametrize("value, message", [("seven", "a whole number"), ("7.5", "whole")])
def test_int_field(tmp_path, value, message):
    path = write(tmp_path, {"request_id": ["R-1", "R-2"], "applicant": ["A", "B"],
                            "members": ["5", value]})
    with pytest.raises(FieldMappingError, match=message) as err:
        load_layer(path, "requests")
    assert err.value.feature == "R-2"


def test_numbers_and_datetimes_are_typed(tmp_path):
    path = write(tmp_path, {"request_id": ["R-1", "R-2"], "applicant": ["A", "B"],
                            "members": ["5", "12"], "submitted": ["2024-03-01 09:30", None]})
    layer = load_layer(path, "requests")
    assert layer.mapping["submitted_at"] == "submitted"
    assert list(layer.gdf["members"]) == [5, 12]
    assert layer.gdf.loc[0, "submitted_at"] == "2024-03-01T09:30:00"
    assert pd.isna(layer.gdf.loc[1, "submitted_at"])


def test_comma_decimal_area(tmp_path):
    path = write(tmp_path, {"licence_code": ["XV-1"], "area": ["12,5"]})
    assert load_layer(path, "licenses").gdf.loc[0, "area_ha"] == 12.5


# -- dates given as numbers, and yes/no values ------------------------------------------------

def _geojson_licences(tmp_path, expiry: list) -> Path:
    """A GeoJSON written by hand, so the dates are JSON numbers, as some exports write them."""
    features = [{"type": "Feature", "properties": {"licence_code": code, "expiry_date": value},
                 "geometry": shapely.geometry.mapping(geom)}
                for code, value, geom in zip(["XV-1", "MV-2"], expiry, SQUARES, strict=True)]
    path = tmp_path / "licences.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("number", [2030, 1, 20301345, 203001011, 2030.5],
                         ids=["year", "one", "no-such-day", "9-digits", "fraction"])
def test_a_number_is_not_a_date(tmp_path, number):
    # pd.Timestamp(2030) is 1970-01-01 00:00:00.000002030: the licence would read as expired
    # since 1970. A number is refused, naming the feature, unless it is YYYYMMDD.
    path = _geojson_licences(tmp_path, [20310501, number])
    with pytest.raises(FieldMappingError, match=f"number {number!r}, which is not a date") as e:
        load_layer(path, "licenses")
    assert e.value.feature == "MV-2" and "expiry_date" in e.value.message
    assert "YYYYMMDD" in e.value.hint
    result = invoke("area", path, "--kind", "licenses")
    assert result.exit_code == 2 and "feature MV-2" in result.output
    assert "1970" not in result.output and "Traceback" not in result.output


def test_an_8_digit_number_is_read_as_yyyymmdd(tmp_path):
    # DBF exports store dates as numbers such as 20300101 (2030-01-01).
    path = _geojson_licences(tmp_path, [20300101, 19991231])
    layer = load_layer(path, "licenses")
    assert list(layer.gdf["expiry_date"]) == ["2030-01-01", "1999-12-31"]
    dbf = tmp_path / "lic.shp"
    pyogrio.write_dataframe(gpd.GeoDataFrame(
        {"licence_co": ["XV-1"], "expiry": np.array([21001231], dtype="int64")},
        geometry=SQUARES[:1], crs="EPSG:4326"), dbf)
    assert pyogrio.read_info(dbf)["dtypes"][1].startswith("int")  # a number in the .dbf
    assert load_layer(dbf, "licenses").gdf.loc[0, "expiry_date"] == "2100-12-31"


def _kind_with_a_bool():
    from landtool.catalog import FieldDef, LayerKind

    return LayerKind(
        id="test_bool", name_en="Test", name_mn="Тест", description="a yes/no field",
        geometry="polygon", id_field="fid", label_field="fid",
        fields=(FieldDef(name="fid", type="str", title_en="Id", title_mn="Дугаар"),
                FieldDef(name="fenced", type="bool", title_en="Fenced", title_mn="Хашсан")),
    )


def test_bool_spellings():
    from landtool.fields import coerce

    values = ["тийм", "ҮГҮЙ", "True", "false", "yes", "No", "1", "0", 1, 0, True, None, ""]
    df = pd.DataFrame({"fid": [f"F-{i}" for i in range(len(values))], "fenced": values})
    out = coerce(df, _kind_with_a_bool(), df["fid"])
    assert list(out["fenced"]) == [True, False, True, False, True, False, True, False,
                                   True, False, True, None, None]


@pytest.mark.parametrize("value", ["maybe", "тиймээ", "2", 2, "yes please"])
def test_bool_unrecognised_is_refused(value):
    from landtool.fields import coerce

    df = pd.DataFrame({"fid": ["F-1", "F-2"], "fenced": ["тийм", value]})
    with pytest.raises(FieldMappingError, match=f"{value!r}, which is not yes or no") as e:
        coerce(df, _kind_with_a_bool(), df["fid"], path="fences.gpkg")
    assert e.value.feature == "F-2" and "fenced" in e.value.message
    for spelling in ("тийм/үгүй", "true/false", "yes/no", "1/0"):
        assert spelling in e.value.message
