"""The interactive map: one HTML file (folium/Leaflet) that shows its layers with no internet.

Leaflet's script and stylesheet are embedded in the file from ``vendor/`` (see its README), in
place of the CDN links folium writes by default, so the map opens from a ``file://`` URL on a
computer with no connection. A basemap is optional and off by default: tiles come from the web.

Each layer is a switchable group named from the catalog in the chosen language and drawn in its
catalog style. On a request's map the request is outlined thickly, its eligible part hatched
green and the features in its way drawn in red with their ids as tooltips; a click on a feature
shows its attributes, and a click on the request shows the saved check, rule by rule. A box names
the ruleset and its version, the check date, the area method and the date the map was made.

Examples
--------
>>> from landtool.export.data import gather
>>> from landtool.workspace import Workspace
>>> ws = Workspace("sample_data/workspace/mandal_sample.gpkg")  # doctest: +SKIP
>>> write_web_map(gather(ws, "REQ-2026-005"), "REQ-2026-005.html", lang="en")  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element
from folium.map import CustomPane

from landtool.catalog import GeometryKind, LayerKind, get_kind
from landtool.errors import CheckError, LandtoolError, OutputError
from landtool.export.data import CONTEXT_KINDS, CONTEXT_MARGIN_DEG, PackageData
from landtool.geodesy import AREA_METHOD, AREA_METHOD_MN
from landtool.io.formats import atomic_path
from landtool.workspace import Workspace

LANGS = ("mn", "en")
VENDOR = Path(__file__).with_name("vendor")
LEAFLET_VERSION = "1.9.4"
#: Layer kinds on the overview map (drawn in CONTEXT_KINDS order); requests are drawn on top.
OVERVIEW_KINDS = ("soums", "water_areas", "water_lines", "water_points", "licenses",
                  "land_conclusions", "asm_contracts")
#: Kinds the overview shows whole; the others only near the requests.
_OVERVIEW_WHOLE = ("land_conclusions", "asm_contracts")

REQUEST = "#111111"  # the request's outline, on a white halo
CONFLICT = "#e31a1c"
ELIGIBLE = "#1a9850"
_HATCH = (  # referenced as fillColor "url(#lt-hatch)"; not display:none, or it does not paint
    '<svg width="0" height="0" style="position:absolute" aria-hidden="true" focusable="false">'
    '<defs><pattern id="lt-hatch" patternUnits="userSpaceOnUse" width="8" height="8" '
    'patternTransform="rotate(45)"><rect width="8" height="8" fill="' + ELIGIBLE + '" '
    'fill-opacity="0.12"/><line x1="0" y1="0" x2="0" y2="8" stroke="' + ELIGIBLE + '" '
    'stroke-width="3"/></pattern></defs></svg>')
_CSS = """
.lt-popup{font:12px/1.35 sans-serif;max-width:560px}
.lt-popup h4{margin:0 0 4px;font-size:13px}
.lt-popup table{border-collapse:collapse;margin:2px 0 6px;width:100%}
.lt-popup th,.lt-popup td{border-bottom:1px solid #ddd;padding:2px 6px;text-align:left;
  vertical-align:top;overflow-wrap:anywhere}
.lt-popup th{font-weight:600;color:#333}
.lt-badge{display:inline-block;padding:0 5px;border-radius:3px;color:#fff;white-space:nowrap}
.leaflet-container{background:#f7f7f2}
.leaflet-control-layers{font-size:13px;max-height:70vh;overflow-y:auto}
.lt-box{position:fixed;left:10px;bottom:48px;z-index:1000;max-width:360px;background:#fff;
  border:1px solid #999;border-radius:4px;padding:6px 9px;font:12px/1.4 sans-serif;
  box-shadow:0 1px 4px rgba(0,0,0,.3)}
.lt-box summary{font-weight:600;font-size:13px;cursor:pointer}
.lt-box p{margin:2px 0}
.lt-swatch{display:inline-block;box-sizing:border-box;width:20px;height:12px;margin-right:6px;
  vertical-align:middle}
"""
#: Binds each feature's prepared (already escaped) popup and tooltip.
_BIND = folium.JsCode("""function(feature, layer) {
    var p = feature.properties;
    if (p.popup) { layer.bindPopup(p.popup, {maxWidth: 600, maxHeight: 420}); }
    if (p.tip) { layer.bindTooltip(p.tip, {sticky: true}); }
}""")


def web_map(data: PackageData, *, lang: str = "mn", tiles: str | None = None,
            tiles_attr: str | None = None) -> str:
    """The interactive map of one request, as a complete HTML document.

    Parameters
    ----------
    data
        The request's package data (:func:`landtool.export.data.gather`).
    lang
        ``"mn"`` (default) or ``"en"``: layer names, labels and rule messages.
    tiles, tiles_attr
        A basemap (a folium tile name or an ``{z}/{x}/{y}`` URL, and its attribution). None by
        default: tiles need the internet, the layers do not.
    """
    _check_lang(lang)
    rid = data.request_id
    title = f"{_label('request', lang)} {rid}"
    minx, miny, maxx, maxy = data.geometry.bounds
    pad = max(maxx - minx, maxy - miny, 0.004)  # the request and about as much around it
    m = _new_map(title, lang, (minx - pad, miny - pad, maxx + pad, maxy + pad), tiles,
                 tiles_attr)
    for kind_id in CONTEXT_KINDS:
        gdf = data.context.get(kind_id)
        if kind_id == "requests" and gdf is not None and len(gdf):
            gdf = gdf[gdf["request_id"].astype(str) != rid]  # drawn on its own, on top
        _context_group(m, gdf, get_kind(kind_id), lang)
    result = data.result
    req_kind = get_kind("requests")
    popup = _popup(title, _attributes(data.request, req_kind, lang)
                   + _verdict_rows(result, lang), _rules_table(result, lang))
    group = _group(m, title)
    fill = {"stroke": False, "fill": True, "fillColor": req_kind.style.fill or REQUEST,
            "fillOpacity": 0.15}
    _geojson([_feature(data.geometry, fill, popup, rid)]).add_to(group)
    outline = [_feature(data.geometry, {"color": "#ffffff", "weight": 8, "fill": False}),
               _feature(data.geometry, {"color": REQUEST, "weight": 4, "fill": False})]
    _geojson(outline, pane="lt-outline", interactive=False).add_to(group)  # above all
    if not data.eligible_part.is_empty:
        group = _group(m, _label("eligible", lang))
        _geojson([_feature(data.eligible_part, _HATCHED)], interactive=False).add_to(group)
    _conflict_group(m, data, lang)
    folium.LayerControl(collapsed=False).add_to(m)
    report = data.check.report
    lines = [(_label("applicant", lang), _text(data.request.get("applicant"))),
             (_label("status", lang), _status_name(result.get("status"), lang)),
             *_check_lines([report], [data.check.checked_at], lang),
             (_label("made", lang), data.made_on.isoformat())]
    swatches = [(f"border:3px solid {REQUEST}", title),
                (None, _label("eligible", lang)),
                (f"border:2px solid {CONFLICT};background:{CONFLICT}55", _label("conflicts", lang))]
    _box(m, title, lines, swatches)
    return _render(m, lang)


def write_web_map(data: PackageData, out: str | Path, *, lang: str = "mn",
                  tiles: str | None = None, tiles_attr: str | None = None) -> Path:
    """Write :func:`web_map` to ``out`` (UTF-8), atomically; return the path."""
    return _write(web_map(data, lang=lang, tiles=tiles, tiles_attr=tiles_attr), out)


def overview_web_map(ws: Workspace, *, lang: str = "mn", tiles: str | None = None,
                     tiles_attr: str | None = None) -> str:
    """The interactive map of a whole workspace: every request coloured by its saved check
    status (grey if never checked), land conclusions, contracts, and the licences, water and
    soum boundaries near the requests. Parameters as for :func:`web_map`."""
    _check_lang(lang)
    requests = _read_all(ws, "requests")
    latest = _latest_checks(ws)
    whole = {k: _read_all(ws, k) for k in _OVERVIEW_WHOLE}
    shown = [g for g in (requests, *whole.values()) if len(g)]
    if not shown:
        raise CheckError("the workspace has no requests, land conclusions or contracts to map",
                         path=ws.path, hint="add a requests layer with `landtool workspace add`")
    minx, miny, maxx, maxy = (requests if len(requests) else pd.concat(shown)).total_bounds
    pad = CONTEXT_MARGIN_DEG
    bbox = (minx - 2 * pad, miny - pad, maxx + 2 * pad, maxy + pad)
    title = _label("overview", lang)
    m = _new_map(title, lang, (minx, miny, maxx, maxy), tiles, tiles_attr)
    for kind_id in (k for k in CONTEXT_KINDS if k in OVERVIEW_KINDS):
        gdf = whole[kind_id] if kind_id in whole else _read_all(ws, kind_id, bbox=bbox)
        _context_group(m, gdf, get_kind(kind_id), lang)
    req_kind = get_kind("requests")
    by_status: dict[str, list[dict]] = {}
    for _, row in requests.iterrows():
        rid = str(row["request_id"])
        check = latest.get(rid)
        result = check["report"]["request"] if check else None
        status = result["status"] if result else "not_checked"
        popup = _popup(f"{_label('request', lang)} {rid}",
                       _attributes(row, req_kind, lang) + _verdict_rows(result, lang)
                       + (_check_lines([check["report"]], [check["checked_at"]], lang)
                          if check else []),
                       _rules_table(result, lang) if result else "")
        colour = STATUS_COLOURS.get(status, STATUS_COLOURS["not_checked"])
        style = {"color": colour, "weight": 2.5, "fill": True, "fillColor": colour,
                 "fillOpacity": 0.35}
        by_status.setdefault(status, []).append(
            _feature(row.geometry, style, popup, f"{rid}: {_status_name(status, lang)}"))
    for status in ("pass", "warn", "fail", "not_checked"):
        if feats := by_status.get(status):
            name = f"{req_kind.name(lang)}: {_status_name(status, lang)} ({len(feats)})"
            _geojson(feats).add_to(_group(m, name))
    folium.LayerControl(collapsed=False).add_to(m)
    info = ws.info_values()
    lines = [(_label("workspace", lang), info.get("title") or ws.path.name),
             *_check_lines([c["report"] for c in latest.values()],
                           [c["checked_at"] for c in latest.values()], lang),
             (_label("made", lang), date.today().isoformat())]
    swatches = [(f"border:2px solid {STATUS_COLOURS[s]};background:{STATUS_COLOURS[s]}88",
                 _status_name(s, lang)) for s in ("pass", "warn", "fail", "not_checked")]
    _box(m, title, lines, swatches)
    return _render(m, lang)


def write_overview_web_map(ws: Workspace, out: str | Path, *, lang: str = "mn",
                           tiles: str | None = None, tiles_attr: str | None = None) -> Path:
    """Write :func:`overview_web_map` to ``out`` (UTF-8), atomically; return the path."""
    return _write(overview_web_map(ws, lang=lang, tiles=tiles, tiles_attr=tiles_attr), out)


# --- the map and its offline assets ---------------------------------------------------------

def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {list(LANGS)}, not {lang!r}")


@lru_cache(maxsize=1)
def _leaflet() -> tuple[str, str]:
    """Leaflet's script and stylesheet, ready to embed (images as data URIs)."""
    folder = VENDOR / "leaflet"
    try:
        js = (folder / "leaflet.js").read_text(encoding="utf-8")
        css = (folder / "leaflet.css").read_text(encoding="utf-8")
        for name in ("layers.png", "layers-2x.png"):
            uri = base64.b64encode((folder / "images" / name).read_bytes()).decode("ascii")
            css = css.replace(f"url(images/{name})", f"url(data:image/png;base64,{uri})")
        css = css.replace("url(images/marker-icon.png)", "none")  # default markers: not used
    except OSError as exc:
        raise LandtoolError(f"Leaflet's files are missing ({exc})", path=folder,
                            hint="reinstall landtool: the interactive map embeds "
                            "landtool/export/vendor/leaflet") from exc
    js = "\n".join(x for x in js.splitlines() if not x.startswith("//# sourceMappingURL="))
    if f"Leaflet {LEAFLET_VERSION}," not in js[:200]:
        raise LandtoolError(f"the vendored Leaflet is not version {LEAFLET_VERSION}", path=folder,
                            hint="refresh it as vendor/README.md says, with LEAFLET_VERSION")
    if "</script" in js.lower() or "</style" in css.lower():
        raise LandtoolError("the vendored Leaflet cannot be embedded as it is", path=folder,
                            hint="this is a bug in landtool: see vendor/README.md")
    return js, css


def _new_map(title: str, lang: str, bounds, tiles: str | None,
             tiles_attr: str | None) -> folium.Map:
    minx, miny, maxx, maxy = bounds
    figure = folium.Figure(title=escape(title))
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=13, tiles=None,
                   control_scale=True, zoom_snap=0.25)  # fit the bounds closely
    m.default_js, m.default_css = [], []  # folium's CDN links: Leaflet is embedded instead
    figure.add_child(m)
    js, css = _leaflet()
    figure.header.add_child(Element(f"<style>{css}</style>"), name="leaflet_css")
    figure.header.add_child(Element(f"<script>{js}</script>"), name="leaflet")
    figure.header.add_child(Element(f"<style>{_CSS}</style>"), name="landtool_css")
    figure.html.add_child(Element(_HATCH), name="landtool_hatch")
    if tiles is not None:
        folium.TileLayer(tiles, attr=tiles_attr, name=_label("basemap", lang),
                         control=False).add_to(m)
    CustomPane("lt-outline", z_index=450, pointer_events=False).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]], padding=(30, 30))
    return m


def _render(m: folium.Map, lang: str) -> str:
    root = m.get_root()
    text = root.render().replace("<html>", f'<html lang="{lang}">', 1)
    # folium names its elements with random ids: number them instead, so the same data gives
    # the same file
    ids = set(_element_ids(root))
    seen: dict[str, str] = {}
    text = re.sub(r"(?<=_)[0-9a-f]{32}(?![0-9a-f])", lambda x: x[0] if x[0] not in ids else
                  seen.setdefault(x[0], str(len(seen))), text)
    remote = [u for u in _resource_urls(text) if not u.startswith("data:")]
    if remote:  # a folium element brought its own CDN links: the map would need the internet
        raise LandtoolError(f"the map would load {', '.join(remote)} from the web",
                            hint="this is a bug in landtool: embed the resource in "
                            "landtool/export/vendor instead")
    return text


def _element_ids(element) -> list[str]:
    ids = [element._id]
    for child in (*element._children.values(),
                  *(getattr(element, k) for k in ("header", "html", "script")
                    if isinstance(getattr(element, k, None), Element))):
        ids += _element_ids(child)
    return ids


class _Urls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]


def _resource_urls(text: str) -> list[str]:
    """Every src and href attribute of the document's tags."""
    parser = _Urls()
    parser.feed(text)
    return parser.urls


def _write(text: str, out: str | Path) -> Path:
    out = Path(out)
    try:
        with atomic_path(out) as tmp:  # the folder is made; the file appears whole or not at all
            tmp.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write the map ({exc.strerror or exc}); it was not written",
                          path=out, hint="check that the folder can be written to and that the "
                          "disk is not full") from exc
    return out


def _box(m: folium.Map, title: str, lines: list[tuple[str, str]],
         swatches: list[tuple[str | None, str]]) -> None:
    """The title and legend box (bottom left); it folds away with a click on its title."""
    body = "".join(f"<p><b>{escape(k)}:</b> {escape(v)}</p>" for k, v in lines if v)
    for css, name in swatches:  # css is ours, never from data; None: the hatch
        mark = (f'<span class="lt-swatch" style="{css}"></span>' if css else
                '<svg class="lt-swatch" viewBox="0 0 20 12"><rect width="20" height="12" '
                f'fill="url(#lt-hatch)" stroke="{ELIGIBLE}"/></svg>')
        body += f"<p>{mark}{escape(name)}</p>"
    html = f'<details class="lt-box" open><summary>{escape(title)}</summary>{body}</details>'
    m.get_root().html.add_child(Element(html), name="landtool_box")


# --- layers ---------------------------------------------------------------------------------

_HATCHED = {"color": ELIGIBLE, "weight": 1.5, "fill": True, "fillColor": "url(#lt-hatch)",
            "fillOpacity": 1}


def _group(m: folium.Map, name: str) -> folium.FeatureGroup:
    """A switchable layer (Leaflet's layer control shows its name as HTML: escaped here)."""
    return folium.FeatureGroup(name=escape(name)).add_to(m)


def _geojson(features: Iterable[dict | None], **options) -> folium.GeoJson:
    """Features styled by their own ``style`` property; points as circle markers (no images)."""
    collection = {"type": "FeatureCollection", "features": [f for f in features if f]}
    return folium.GeoJson(collection, on_each_feature=_BIND, marker=folium.CircleMarker(),
                          **options)


def _feature(geom, style: dict, popup: str | None = None, tip: str | None = None) -> dict | None:
    if geom is None or geom.is_empty:
        return None
    geom = shapely.transform(geom, lambda xy: np.round(xy, 7))  # about 1 cm: a smaller file
    props = {"style": style}
    if popup:
        props["popup"] = popup
    if tip:
        props["tip"] = escape(tip)  # Leaflet shows tooltip text as HTML
    return {"type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": props}


def _style(kind: LayerKind) -> dict:
    """A catalog style as Leaflet path options."""
    s = kind.style
    if kind.geometry is GeometryKind.POINT:
        return {"radius": max(3.0, s.marker_size * 0.75), "color": s.stroke, "weight": 1,
                "fill": True, "fillColor": s.fill or s.stroke, "fillOpacity": 0.9}
    style = {"color": s.stroke, "weight": max(1.0, s.stroke_width * 1.5), "opacity": 0.9,
             "fill": False}
    if kind.geometry is GeometryKind.POLYGON and s.fill and s.fill_opacity > 0:
        style.update(fill=True, fillColor=s.fill, fillOpacity=s.fill_opacity)
    if s.dash:
        style["dashArray"] = "6 4"
    return style


def _context_group(m: folium.Map, gdf: gpd.GeoDataFrame | None, kind: LayerKind,
                   lang: str) -> None:
    """One switchable group for a kind's features (none if there are no features)."""
    if gdf is None or not len(gdf):
        return
    style, name = _style(kind), kind.name(lang)
    feats = []
    for _, row in gdf.iterrows():
        tip = _text(row.get(kind.label_field)) or _text(row.get(kind.id_field)) or name
        caption = f"{name} ({row['layer']})" if "layer" in row else name
        feats.append(_feature(row.geometry, style, _popup(caption, _attributes(row, kind, lang)),
                              tip))
    _geojson(feats).add_to(_group(m, name))


def _conflict_group(m: folium.Map, data: PackageData, lang: str) -> None:
    """The features in the request's way, in red, one per feature however many rules name it."""
    titles = {r["rule"]: r.get(f"title_{lang}") or r["rule"] for r in data.result["results"]}
    grouped: dict[tuple[str, str], list] = {}
    for c in data.conflicts:
        grouped.setdefault((c.layer, c.feature_id), []).append(c)
    feats = []
    for (layer, fid), found in grouped.items():
        geom = found[0].geometry
        if geom is None:
            continue
        kind = get_kind(found[0].kind)
        rows = [(_label("layer", lang), f"{kind.name(lang)} ({layer})")]
        for c in found:
            rows.append((_label("rule", lang), " · ".join(x for x in (
                titles.get(c.rule, c.rule), _status_name(c.status, lang),
                _measure(c.overlap_ha, "ha", lang), _measure(c.distance_m, "m", lang)) if x)))
        rows += _attributes(_context_row(data, kind, layer, fid), kind, lang)
        polygon = geom.geom_type.endswith("Polygon")
        style = ({"radius": 7, "color": CONFLICT, "weight": 2, "fill": True,
                  "fillColor": CONFLICT, "fillOpacity": 0.8} if geom.geom_type.endswith("Point")
                 else {"color": CONFLICT, "weight": 4, "fill": polygon,
                       "fillColor": CONFLICT, "fillOpacity": 0.3})
        feats.append(_feature(geom, style, _popup(fid, rows), fid))
    if any(feats):
        _geojson(feats).add_to(_group(m, _label("conflicts", lang)))


def _context_row(data: PackageData, kind: LayerKind, layer: str, fid: str) -> dict:
    """The attributes of a conflicting feature, if it is among the context features."""
    gdf = data.context.get(kind.id)
    if gdf is None or not len(gdf) or kind.id_field not in gdf.columns:
        return {kind.id_field: fid}
    hit = gdf[(gdf[kind.id_field].astype(str) == fid)
              & ((gdf["layer"] == layer) if "layer" in gdf.columns else True)]
    return dict(hit.iloc[0]) if len(hit) else {kind.id_field: fid}


def _read_all(ws: Workspace, kind: str, *, bbox=None) -> gpd.GeoDataFrame:
    frames = []
    for name in ws.layers_of_kind(kind):
        part = ws.read(name, bbox=bbox)
        part["layer"] = name
        frames.append(part)
    frames = [f for f in frames if len(f)]
    if not frames:
        return gpd.GeoDataFrame(geometry=[], crs=4326)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=4326)


def _latest_checks(ws: Workspace) -> dict[str, dict]:
    """request id -> the last saved check: {"report", "checked_at"}."""
    table = ws.checks()
    if table is None:
        return {}
    return {str(r["request_id"]): {"report": json.loads(r["report_json"]),
                                   "checked_at": str(r["checked_at"])}
            for _, r in table.iterrows()}


# --- popups and text ------------------------------------------------------------------------

def _popup(title: str, rows: list[tuple[str, str]], extra_html: str = "") -> str:
    """A popup's HTML; every piece of text is escaped (extra_html is escaped by its maker)."""
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f'<div class="lt-popup"><h4>{escape(title)}</h4><table>{body}</table>{extra_html}</div>'


def _attributes(row, kind: LayerKind, lang: str) -> list[tuple[str, str]]:
    """(field title, value) for each non-empty attribute, titles from the catalog."""
    titles = {f.name: f.title_mn if lang == "mn" else f.title_en for f in kind.fields}
    return [(titles.get(str(k), str(k)), text) for k, v in row.items()
            if k not in ("geometry", "layer") and (text := _text(v))]


def _verdict_rows(result: dict | None, lang: str) -> list[tuple[str, str]]:
    if not result:
        return [(_label("status", lang), _status_name("not_checked", lang))]
    return [(_label("status", lang), _status_name(result.get("status"), lang)),
            (_label("area", lang), _measure(result.get("area_ha"), "ha", lang)),
            (_label("eligible_area", lang), _measure(result.get("eligible_area_ha"), "ha", lang))]


def _check_lines(reports: list[dict], checked_at: list[str], lang: str) -> list[tuple[str, str]]:
    """Ruleset and version, check date and area method of one or more saved checks."""
    from landtool.check.ruleset import head_name

    def joined(values) -> str:
        return "; ".join(sorted({v for v in values if v}))

    methods = {r.get("area_method", "") for r in reports}
    if lang == "mn":
        methods = {AREA_METHOD_MN if x == AREA_METHOD else x for x in methods}
    return [(_label("ruleset", lang), joined(head_name(r["ruleset"], lang) for r in reports)),
            (_label("as_of", lang), joined(r.get("as_of", "") for r in reports)),
            (_label("checked_at", lang), joined(c[:10] for c in checked_at)),
            (_label("area_method", lang), joined(methods))]


def _measure(value, unit: str, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    # hectares to 0.01, metres to 0.1 (as the printed map and the report: 199.8 m, not 200 m,
    # beside a 200 m zone)
    digits = 2 if unit == "ha" else 1
    return f"{float(value):,.{digits}f} {_label(unit, lang)}".replace(",", " ")


def _text(value) -> str:
    """An attribute value as display text; '' for missing values."""
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):  # a list or an array: not a missing scalar
        pass
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}" if abs(value) >= 1e6 else str(round(float(value), 4))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


_TEXT = {
    "en": {"request": "Request", "eligible": "Eligible part", "conflicts": "Features in the way",
           "overview": "ASM land requests: overview", "applicant": "Applicant",
           "status": "Check result", "area": "Area", "eligible_area": "Eligible area",
           "ruleset": "Ruleset", "as_of": "Checked as of", "checked_at": "Check run on",
           "area_method": "Area method", "made": "Map made on", "workspace": "Workspace",
           "layer": "Layer", "rule": "Rule", "message": "Message", "source": "Source",
           "confidence": "Confidence", "basemap": "Basemap", "ha": "ha", "m": "m"},
    "mn": {"request": "Хүсэлт", "eligible": "Олгох боломжтой хэсэг",
           "conflicts": "Саад болж буй объект", "overview": "Газар олгох хүсэлтүүдийн тойм",
           "applicant": "Хүсэлт гаргагч", "status": "Шалгалтын дүн", "area": "Талбай",
           "eligible_area": "Олгох боломжтой талбай", "ruleset": "Дүрмийн багц",
           "as_of": "Шалгасан огноо", "checked_at": "Шалгалт хийсэн",
           "area_method": "Талбайн тооцоолол",
           "made": "Зураг үйлдсэн", "workspace": "Ажлын сан", "layer": "Давхарга",
           "rule": "Дүрэм", "message": "Тайлбар", "source": "Эх сурвалж",
           "confidence": "Баталгаажилт", "basemap": "Суурь зураг", "ha": "га", "m": "м"},
}
_STATUS = {
    "en": {"pass": "passed", "fail": "failed", "warn": "warning",
           "not_applicable": "not applicable", "not_checked": "not checked",
           "confirmed": "confirmed", "unconfirmed": "unconfirmed"},
    "mn": {"pass": "хангасан", "fail": "хангаагүй", "warn": "анхааруулгатай",
           "not_applicable": "хамаарахгүй", "not_checked": "шалгаагүй",
           "confirmed": "батлагдсан", "unconfirmed": "батлагдаагүй"},
}
STATUS_COLOURS = {"pass": "#1a9850", "warn": "#f46d43", "fail": "#d73027",
                  "not_applicable": "#878787", "not_checked": "#969696"}


def _label(key: str, lang: str) -> str:
    """A fixed label of the map in ``lang``."""
    return _TEXT[lang][key]


def _status_name(status: str | None, lang: str) -> str:
    """A check status (or a rule's confidence) in words."""
    return _STATUS[lang].get(status or "", status or "")


def _rules_table(result: dict, lang: str) -> str:
    """The saved check's rule results as an HTML table: status, rule, message, source and
    confidence, every text escaped."""
    head = "".join(f"<th>{escape(_label(k, lang))}</th>"
                   for k in ("status", "rule", "message", "source", "confidence"))
    rows = []
    for r in result.get("results", []):
        status = r["status"] if r.get("checked", True) else "not_checked"
        colour = STATUS_COLOURS.get(status, STATUS_COLOURS["not_checked"])
        cells = [r.get(f"title_{lang}") or r["rule"], r.get(f"message_{lang}", ""),
                 r.get("source", ""), _status_name(r.get("confidence"), lang)]
        rows.append(f'<tr><td><span class="lt-badge" style="background:{colour}">'
                    f"{escape(_status_name(status, lang))}</span></td>"
                    + "".join(f"<td>{escape(str(c))}</td>" for c in cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"
