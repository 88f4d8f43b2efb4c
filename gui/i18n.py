"""Interface strings in English and Mongolian (Cyrillic), looked up by key.

A dictionary is enough for a window this size; every key carries both languages, and a test
checks that none is missing. Layer kind names come from the catalog (``name_en`` / ``name_mn``).

Examples
--------
>>> tr("panel.layers", "mn")
'Давхаргууд'
>>> tr("status.scale", "en", n="1:50,000")
'Scale 1:50,000'
"""

from __future__ import annotations

from enum import StrEnum


class Lang(StrEnum):
    """The interface languages."""

    EN = "en"
    MN = "mn"


_ABOUT_EN = """\
<h3>landtool {version}</h3>
<p>Land-access planning for artisanal and small-scale gold mining in Mongolia.</p>
<p><b>Data sources of the sample workspace</b></p>
<ul>
<li>Aimag and soum boundaries: OCHA / National Statistics Office of Mongolia, COD-AB
(via HDX), licence CC BY-IGO 3.0.</li>
<li>Exploration and mining licences: EITI Mongolia e-reporting portal, snapshot of
February 2020; licence not stated (public disclosure data).</li>
<li>Soum centres, roads and lakes: ALAGAC (Administration of Land Affairs, Geodesy and
Cartography); licence not stated.</li>
<li>Rivers: Natural Earth, public domain.</li>
</ul>
<p>Layers marked <i>synthetic</i> (land conclusions, ASM contracts, requests, rehabilitation
parcels, protected areas, forest, streams) are generated for demonstration around Mandal soum,
Selenge; they describe no real decision.</p>
<p>See <code>sample_data/real/PROVENANCE.md</code> for the full provenance.</p>
"""

_ABOUT_MN = """\
<h3>landtool {version}</h3>
<p>Бичил уурхайн алт олборлолтод газар олгох ажлыг төлөвлөх хэрэгсэл.</p>
<p><b>Жишээ ажлын орчны өгөгдлийн эх сурвалж</b></p>
<ul>
<li>Аймаг, сумын хил: OCHA / Үндэсний статистикийн хороо, COD-AB (HDX-ээр),
лиценз CC BY-IGO 3.0.</li>
<li>Хайгуулын болон ашиглалтын тусгай зөвшөөрөл: EITI Mongolia цахим тайлагналын портал,
2020 оны 2-р сарын хувилбар; лиценз заагаагүй (олон нийтэд ил болгосон өгөгдөл).</li>
<li>Сумын төв, зам, нуур: ГХГЗЗГ (ALAGAC, одоогийн ГЗБГЗЗГ); лиценз заагаагүй.</li>
<li>Гол мөрөн: Natural Earth, нийтийн өмч (public domain).</li>
</ul>
<p><i>Зохиомол</i> гэж тэмдэглэсэн давхаргууд (газрын дүгнэлт, бичил уурхайн гэрээ, хүсэлт,
нөхөн сэргээлтийн талбай, тусгай хамгаалалттай газар, ой, горхи) нь Сэлэнгэ аймгийн Мандал
сумын орчимд жишээ болгон үүсгэсэн бөгөөд бодит шийдвэрийг илэрхийлэхгүй.</p>
<p>Дэлгэрэнгүйг <code>sample_data/real/PROVENANCE.md</code>-ээс үзнэ үү.</p>
"""

#: key -> (English, Mongolian)
STRINGS: dict[str, tuple[str, str]] = {
    "app.title": ("landtool", "landtool"),
    "menu.file": ("&File", "&Файл"),
    "menu.view": ("&View", "&Харах"),
    "menu.help": ("&Help", "&Тусламж"),
    "action.open": ("&Open workspace…", "Ажлын орчин &нээх…"),
    "action.quit": ("&Quit", "&Гарах"),
    "action.zoom_all": ("&Zoom to all", "&Бүгдийг харуулах"),
    "action.about": ("&About landtool", "landtool-ийн &тухай"),
    "dialog.open": ("Open workspace", "Ажлын орчин нээх"),
    "dialog.open_filter": ("Workspaces (*.gpkg);;All files (*)",
                           "Ажлын орчин (*.gpkg);;Бүх файл (*)"),
    "dialog.about": ("About landtool", "landtool-ийн тухай"),
    "about.text": (_ABOUT_EN, _ABOUT_MN),
    "error.open": ("Cannot open the workspace", "Ажлын орчныг нээж чадсангүй"),
    "error.unexpected": ("Unexpected error", "Гэнэтийн алдаа"),
    "error.what_to_do": ("What to do", "Юу хийх вэ"),
    "error.feature": ("Feature", "Объект"),
    "panel.layers": ("Layers", "Давхаргууд"),
    "panel.layer": ("Layer", "Давхарга"),
    "panel.features": ("Features", "Тоо"),
    "panel.synthetic": ("synthetic", "зохиомол"),
    "panel.tooltip": ("Layer {name}\nSource: {source}\nProblems recorded: {problems}",
                      "Давхарга {name}\nЭх сурвалж: {source}\nБүртгэсэн асуудал: {problems}"),
    "status.position": ("Lat {lat}  Lon {lon}   {dms}", "Өргөрөг {lat}  Уртраг {lon}   {dms}"),
    "status.no_position": ("Move the mouse over the map", "Хулганаа газрын зураг дээр авчирна уу"),
    "status.scale": ("Scale {n}", "Масштаб {n}"),
    "status.opening": ("Opening {path}…", "{path}-г нээж байна…"),
    "status.opened": ("{path}: {count} layers", "{path}: {count} давхарга"),
    "status.building_sample": ("Building the sample workspace (first start)…",
                               "Жишээ ажлын орчныг үүсгэж байна (анхны ачаалал)…"),
    "canvas.empty": ("No workspace open", "Ажлын орчин нээгээгүй байна"),
    "canvas.loading": ("Loading…", "Ачаалж байна…"),
    "hemi.N": ("N", "х.ө."),
    "hemi.S": ("S", "ө.ө."),
    "hemi.E": ("E", "з.у."),
    "hemi.W": ("W", "б.у."),
}


def tr(key: str, lang: str | Lang = Lang.EN, **values: object) -> str:
    """The interface string ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``.

    Raises KeyError for an unknown key, so a typo fails in the tests instead of showing a key.
    """
    en, mn = STRINGS[key]
    text = mn if Lang(lang) is Lang.MN else en
    return text.format(**values) if values else text


def kind_name(kind, lang: str | Lang) -> str:
    """A catalog layer kind's name in ``lang``."""
    return kind.name_mn if Lang(lang) is Lang.MN else kind.name_en


def format_int(n: int, lang: str | Lang) -> str:
    """A count with thousands separators: ``3,439`` in English, ``3 439`` in Mongolian."""
    text = f"{n:,}"
    return text.replace(",", "\u202f") if Lang(lang) is Lang.MN else text
