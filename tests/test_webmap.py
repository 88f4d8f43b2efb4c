"""The interactive map, tested as rendered HTML (as geopandas tests explore()): its layers, the
request and its conflicts, rule messages in each language, escaped popups, and nothing loaded
from the web. The `browser` test opens the file in headless Chromium when it is installed."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from html import escape
from html.parser import HTMLParser

import pytest
import shapely

from landtool.catalog import get_kind
from landtool.errors import LandtoolError
from landtool.export.data import CONTEXT_KINDS, gather
from landtool.export.webmap import (
    CONFLICT,
    LEAFLET_VERSION,
    REQUEST,
    VENDOR,
    overview_web_map,
    web_map,
    write_overview_web_map,
    write_web_map,
)
from landtool.workspace import Workspace

RID = "REQ-2026-005"
LICENCE = "MV-00005082"  # the licence REQ-2026-005 overlaps (sample.py's note on the request)
EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)> & "q"'
SPECIAL = {"mn": ("Хүсэлт REQ-2026-005", "Олгох боломжтой хэсэг", "Саад болж буй объект"),
           "en": ("Request REQ-2026-005", "Eligible part", "Features in the way")}


@pytest.fixture(scope="module")
def ws(sample_ws):
    return Workspace(sample_ws)


@pytest.fixture(scope="module")
def data(ws):
    return gather(ws, RID)


@pytest.fixture(scope="module")
def pages(data):
    return {"mn": web_map(data), "en": web_map(data, lang="en")}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []  # the text of each <script> block

        self._in_script = False

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, text) -> None:
        if self._in_script:
            self.scripts[-1] += text


def _tags(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def _layer_names(html: str) -> list[str]:
    """The overlay names of the layer control (JSON strings in the map's script)."""
    block = re.search(r"overlays\s*:\s*\{(.*?)\n\s*\},", html, re.S).group(1)
    return [json.loads(s) for s in re.findall(r'^\s*("(?:[^"\\]|\\.)*")\s*:', block, re.M)]


def _features(html: str) -> list[dict]:
    """Every feature of every GeoJSON layer embedded in the map, as Leaflet receives them."""
    found = re.findall(r"_add\((\{.*\})\);\n", html)
    assert found, "no GeoJSON data found in the page"
    return [f for blob in found for f in json.loads(blob)["features"]]


def _popups(html: str) -> list[str]:
    return [f["properties"]["popup"] for f in _features(html) if "popup" in f["properties"]]


def _expected_kinds(data) -> list[str]:
    kinds = []
    for k in CONTEXT_KINDS:
        gdf = data.context[k]
        if k == "requests":
            gdf = gdf[gdf["request_id"] != RID]
        if len(gdf):
            kinds.append(k)
    return kinds


@pytest.mark.parametrize("lang", ["mn", "en"])
def test_every_layer_is_switchable_and_named_in_the_language(data, pages, lang):
    names = _layer_names(pages[lang])
    expected = [get_kind(k).name(lang) for k in _expected_kinds(data)] + list(SPECIAL[lang])
    assert names == expected  # bottom to top: context, the request, its eligible part, conflicts
    assert {"licenses", "land_conclusions", "asm_contracts", "water_lines"} <= set(
        _expected_kinds(data))  # the sample has these near REQ-2026-005
    assert RID in pages[lang]


def test_request_is_highlighted_and_its_conflict_red(data, pages):
    feats = _features(pages["mn"])
    conflicts = [f for f in feats if f["properties"].get("tip") == LICENCE
                 and f["properties"]["style"]["color"] == CONFLICT]
    assert len(conflicts) == 1 and conflicts[0]["geometry"]["type"].endswith("Polygon")
    assert f"<h4>{LICENCE}</h4>" in conflicts[0]["properties"]["popup"]
    outline = [f for f in feats if f["properties"]["style"].get("color") == REQUEST]
    assert len(outline) == 1 and outline[0]["properties"]["style"]["weight"] >= 4
    assert shapely.geometry.shape(outline[0]["geometry"]).equals_exact(data.geometry, 1e-6)
    assert '"pane": "lt-outline"' in pages["mn"]  # the outline is drawn above every layer
    hatched = [f for f in feats if f["properties"]["style"].get("fillColor") == "url(#lt-hatch)"]
    assert len(hatched) == 1 and 'id="lt-hatch"' in pages["mn"]  # the eligible part


@pytest.mark.parametrize("lang", ["mn", "en"])
def test_request_popup_holds_the_rule_results_in_the_language(data, pages, lang):
    other = "en" if lang == "mn" else "mn"
    popup = next(p for p in _popups(pages[lang]) if p.startswith('<div class="lt-popup"><h4>')
                 and f"{RID}</h4>" in p)
    for res in data.result["results"]:
        assert escape(res[f"message_{lang}"]) in popup
        if res[f"message_{other}"] != res[f"message_{lang}"]:
            assert escape(res[f"message_{other}"]) not in popup
        assert escape(res["source"]) in popup
    box = pages[lang][pages[lang].index('<details class="lt-box"'):]
    report = data.check.report
    for text in (report["ruleset"]["id"], report["ruleset"]["version"], report["as_of"],
                 data.made_on.isoformat()):
        assert text in box[:box.index("</details>")]


def test_mongolian_by_default(data, pages):
    assert '<html lang="mn">' in pages["mn"] and '<html lang="en">' in pages["en"]
    mn = data.result["results"][1]["message_mn"]  # the licence overlap, in Mongolian
    assert LICENCE in mn and any(escape(mn) in p for p in _popups(pages["mn"]))


@pytest.mark.parametrize("lang", ["mn", "en"])
def test_nothing_is_loaded_from_the_web(pages, lang):
    tags = _tags(pages[lang])
    urls = [v for _, attrs in tags.tags for k, v in attrs.items() if k in ("src", "href") and v]
    assert not [u for u in urls if re.match(r"(https?:)?//", u, re.I)], urls
    assert not [u for u in urls if "cdn" in u.lower()], urls
    assert not [a for t, a in tags.tags if t == "script" and "src" in a]  # all scripts inline
    assert not [a for t, a in tags.tags if t == "link"]  # stylesheets inline too
    assert "cdn.jsdelivr" not in pages[lang] and "code.jquery" not in pages[lang]
    assert "L.tileLayer(" not in tags.scripts[-1]  # no basemap unless asked for


def test_leaflet_is_embedded_from_the_vendored_copy(pages):
    vendored = (VENDOR / "leaflet" / "leaflet.js").read_text(encoding="utf-8")
    scripts = _tags(pages["en"]).scripts
    leaflet = [s for s in scripts if f"Leaflet {LEAFLET_VERSION}, a JS library for" in s]
    assert len(leaflet) == 1
    assert vendored.split("//# sourceMappingURL")[0].strip() == leaflet[0].strip()
    assert "L.map(" in scripts[-1]  # folium's code builds the map with the embedded Leaflet
    css = [s for s in re.findall(r"<style>(.*?)</style>", pages["en"], re.S)
           if ".leaflet-control-layers-toggle" in s]
    assert len(css) == 1 and "url(images/" not in css[0]  # its images embedded as data URIs
    assert css[0].count("data:image/png;base64,") == 2


def test_popups_and_tooltips_escape_attribute_text(data):
    conclusions = data.context["land_conclusions"].copy()
    conclusions["note"] = EVIL
    conclusions.loc[conclusions.index[0], "conclusion_no"] = EVIL  # its tooltip
    evil = dataclasses.replace(data, request_id=EVIL, request={**data.request, "applicant": EVIL},
                               context={**data.context, "land_conclusions": conclusions})
    html = web_map(evil, lang="en")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert f"<title>Request {escape(EVIL)}</title>" in html
    assert f"Request {escape(EVIL)}" in _layer_names(html)  # the layer control shows HTML
    popups = _popups(html)
    assert sum(escape(EVIL) in p for p in popups) == 1 + len(conclusions)
    assert not any(EVIL in p for p in popups)
    assert escape(EVIL) in [f["properties"].get("tip") for f in _features(html)]
    assert f"Applicant:</b> {escape(EVIL)}" in html  # the title box
    assert not [t for t, a in _tags(html).tags if t == "img"]


def test_basemap_only_when_asked(data):
    html = web_map(data, lang="en", tiles="OpenStreetMap")
    assert "L.tileLayer(" in _tags(html).scripts[-1]
    scripts = [a for t, a in _tags(html).tags if t == "script" and "src" in a]
    assert not scripts  # the tiles come from the web, the map's code does not


def test_language_is_checked(data, ws):
    with pytest.raises(ValueError, match=r"\['mn', 'en'\]"):
        web_map(data, lang="fr")
    with pytest.raises(ValueError, match="lang"):
        overview_web_map(ws, lang="ru")


def test_write_web_map(data, tmp_path):
    out = write_web_map(data, tmp_path / "maps" / f"{RID}.html", lang="en")
    assert out == tmp_path / "maps" / f"{RID}.html"
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and RID in text
    assert text == web_map(data, lang="en")  # the same data gives the same file
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary left


def test_write_web_map_failure_leaves_nothing(data, tmp_path, fail_writes):
    out = tmp_path / "map.html"
    out.write_text("the previous map", encoding="utf-8")
    written = fail_writes()
    with pytest.raises(LandtoolError, match="simulated|the disk is full"):
        write_web_map(data, out)
    assert written and out not in written
    assert out.read_text(encoding="utf-8") == "the previous map"
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]


@pytest.mark.parametrize("lang", ["mn", "en"])
def test_overview_colours_requests_by_saved_status(ws, lang):
    html = overview_web_map(ws, lang=lang)
    table = ws.checks()
    status = dict(zip(table["request_id"], table["status"], strict=True))
    feats = _features(html)
    colours = {}
    for f in feats:
        m = re.match(r"(REQ-\d{4}-\d{3}):", f["properties"].get("tip", ""))
        if m:
            colours[m.group(1)] = f["properties"]["style"]["fillColor"]
    assert set(colours) == set(status)  # every request, once
    by_status = {}
    for rid, colour in colours.items():
        by_status.setdefault(status[rid], set()).add(colour)
    assert all(len(c) == 1 for c in by_status.values())  # one colour per status
    assert len({next(iter(c)) for c in by_status.values()}) == len(by_status)  # all different
    names = _layer_names(html)
    requests = get_kind("requests").name(lang)
    counts = {s: list(status.values()).count(s) for s in set(status.values())}
    assert sum(n.startswith(requests + ":") for n in names) == len(counts)
    assert all(any(n.endswith(f"({c})") for n in names) for c in counts.values())
    for kind in ("land_conclusions", "asm_contracts", "licenses", "water_lines"):
        assert get_kind(kind).name(lang) in names
    urls = [v for _, a in _tags(html).tags for k, v in a.items() if k in ("src", "href") and v]
    assert not [u for u in urls if re.match(r"(https?:)?//", u) or "cdn" in u.lower()]
    fail_popup = next(p for p in _popups(html) if "REQ-2026-005</h4>" in p)
    assert LICENCE in fail_popup  # the saved check's messages


def test_write_overview(ws, tmp_path):
    out = write_overview_web_map(ws, tmp_path / "overview.html", lang="en")
    assert "ASM land requests" in out.read_text(encoding="utf-8")


@pytest.mark.browser
def test_map_draws_in_a_browser_without_network(data, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:  # `python3 run.py test` installs it; a missing browser is a failure
        pytest.fail("chromium is not installed (apt-get install chromium, or run the tests "
                    "through `python3 run.py test`): cannot open the map in a headless browser")
    page = write_web_map(data, tmp_path / "map.html")
    args = [browser, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
            "--host-resolver-rules=MAP * ~NOTFOUND",  # as if offline: no name resolves
            "--virtual-time-budget=3000", "--window-size=1200,800"]
    dom = subprocess.run([*args, "--dump-dom", page.as_uri()], capture_output=True,
                         text=True, timeout=120, check=True).stdout
    assert 'class="leaflet-pane leaflet-map-pane"' in dom  # Leaflet ran and made its panes
    assert "leaflet-control-layers-overlays" in dom  # the layer control
    assert dom.count("<path") >= 10  # the features, drawn as SVG paths
    assert "leaflet-interactive" in dom
    shot = tmp_path / "map.png"
    subprocess.run([*args, f"--screenshot={shot}", page.as_uri()], capture_output=True,
                   timeout=120, check=True)
    assert shot.stat().st_size > 10_000
