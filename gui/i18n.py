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
<p><b>Software</b>: landtool (MIT licence); Qt and PySide6 (LGPL v3); Leaflet 1.9.4 in the
exported web maps (BSD 2-Clause); GDAL, shapely, pyproj, matplotlib and reportlab.</p>
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
<p><b>Програм хангамж</b>: landtool (MIT лиценз); Qt, PySide6 (LGPL v3); гаргасан интерактив
зурагт Leaflet 1.9.4 (BSD 2-Clause); GDAL, shapely, pyproj, matplotlib, reportlab.</p>
"""

#: key -> (English, Mongolian)
STRINGS: dict[str, tuple[str, str]] = {
    "app.title": ("landtool", "landtool"),
    "about.text": (_ABOUT_EN, _ABOUT_MN),
    # menus and actions
    "menu.file": ("&File", "&Файл"),
    "menu.recent": ("Recent &workspaces", "Сүүлд нээсэн &ажлын орчин"),
    "menu.edit": ("&Edit", "&Засвар"),
    "menu.view": ("&View", "&Харагдац"),
    "menu.language": ("&Language", "&Хэл"),
    "menu.tools": ("&Tools", "&Хэрэгсэл"),
    "menu.ruleset": ("&Ruleset", "&Дүрмийн багц"),
    "menu.help": ("&Help", "&Тусламж"),
    "menu.toolbar": ("Toolbar", "Хэрэгслийн мөр"),
    "action.new": ("&New workspace…", "&Шинэ ажлын орчин…"),
    "action.open": ("&Open workspace…", "Ажлын орчин &нээх…"),
    "action.open_sample": ("Open the &sample workspace", "&Жишээ ажлын орчин нээх"),
    "action.open_shared": ("Open s&hared workspace…", "&Хамтын ажлын орчин нээх…"),
    "action.connected": ("&Who is connected…", "Хэн &холбогдсон бэ…"),
    "action.save": ("&Save", "&Хадгалах"),
    "action.save_as": ("Save &as…", "Өөр &нэрээр хадгалах…"),
    "action.import": ("&Import layer…", "Давхарга &оруулах…"),
    "action.export_map": ("Export &map…", "Газрын &зураг гаргах…"),
    "action.export_package": ("Export submission &package…", "Хуралд өгөх &багц гаргах…"),
    "action.export_gpx": ("Export corners as &GPX…", "Булангийн цэгүүдийг &GPX болгон гаргах…"),
    "action.quit": ("&Quit", "&Гарах"),
    "action.clear_recent": ("&Clear the list", "Жагсаалтыг &цэвэрлэх"),
    "action.attributes": ("Edit &attributes…", "&Мэдээлэл засах…"),
    "action.register": ("&Register request", "Хүсэлт &бүртгэх"),
    "action.decide": ("Record a &decision…", "&Шийдвэр тэмдэглэх…"),
    "action.print_receipt": ("Print the applicant's re&ceipt…",
                             "Хүсэлт гаргагчийн &баримт хэвлэх…"),
    "action.print_register": ("Print the &register…", "Хүсэлтийн &бүртгэл хэвлэх…"),
    "action.view_map": ("&Map view", "&Газрын зургийн харагдац"),
    "action.view_rehab": ("&Rehabilitation view", "&Нөхөн сэргээлтийн харагдац"),
    "action.zoom_all": ("&Zoom to all", "&Бүгдийг харуулах"),
    "action.zoom_selection": ("Zoom to the &selected request", "&Сонгосон хүсэлт рүү"),
    "action.check_all": ("&Check all requests", "Бүх хүсэлтийг &шалгах"),
    "action.check_date": ("Check &date…", "Шалгах &огноо…"),
    "action.about": ("&About landtool", "landtool-ийн &тухай"),
    "action.edit_ruleset": ("&Edit a ruleset…", "Дүрмийн багц &засах…"),
    "action.find_land": ("&Find available land…", "Олгож болох газар &хайх…"),
    # docks
    "panel.layers": ("Layers", "Давхаргууд"),
    "panel.identify": ("Identify", "Объектын мэдээлэл"),
    "panel.check": ("Check results", "Шалгалтын үр дүн"),
    "panel.rehab": ("Rehabilitation", "Нөхөн сэргээлт"),
    "panel.requests": ("Requests", "Хүсэлтүүд"),
    "panel.layer": ("Layer", "Давхарга"),
    "panel.features": ("Features", "Тоо"),
    "panel.synthetic": ("synthetic", "зохиомол"),
    "panel.tooltip": ("Layer {name}\nSource: {source}\nProblems recorded: {problems}",
                      "Давхарга {name}\nЭх сурвалж: {source}\nБүртгэсэн асуудал: {problems}"),
    "layers.up": ("Draw higher", "Дээш"),
    "layers.down": ("Draw lower", "Доош"),
    # background imagery (gui/imagery_layer.py)
    "imagery.panel": ("Background imagery", "Дэвсгэр зураг"),
    "imagery.none": ("(none)", "(байхгүй)"),
    "imagery.opacity": ("Opacity", "Тунгалаг бус"),
    "imagery.add": ("Add &imagery…", "&Зураг нэмэх…"),
    "imagery.add_tiles": ("Add a folder of &tiles…", "&Хавтангийн хавтас нэмэх…"),
    "imagery.add_button": ("Add…", "Нэмэх…"),
    "imagery.remove": ("Remove", "Хасах"),
    "imagery.filter": ("Rasters (*.tif *.tiff *.mbtiles *.jp2 *.img *.vrt);;All files (*)",
                       "Растер (*.tif *.tiff *.mbtiles *.jp2 *.img *.vrt);;Бүх файл (*)"),
    "imagery.busy": ("Opening the imagery {name}…", "{name} зургийг нээж байна…"),
    "imagery.busy_forget": ("Removing the background from the workspace…",
                            "Дэвсгэр зургийг ажлын орчноос хасаж байна…"),
    "imagery.shown": ("Background imagery: {name}", "Дэвсгэр зураг: {name}"),
    "imagery.error": ("Cannot show the imagery", "Зургийг харуулах боломжгүй"),
    "imagery.not_remembered": ("Shown in this session only, not remembered by the workspace: "
                               "{why}", "Зөвхөн энэ удаа харуулав, ажлын орчинд хадгалаагүй: "
                               "{why}"),
    # dialogs
    "dialog.open": ("Open workspace", "Ажлын орчин нээх"),
    "dialog.new": ("New workspace", "Шинэ ажлын орчин"),
    "dialog.save_as": ("Save the workspace as", "Ажлын орчныг өөр нэрээр хадгалах"),
    "dialog.open_filter": ("Workspaces (*.gpkg);;All files (*)",
                           "Ажлын орчин (*.gpkg);;Бүх файл (*)"),
    "dialog.import": ("Import layer", "Давхарга оруулах"),
    "dialog.import_filter": (
        "Layer files (*.gpkg *.shp *.zip *.geojson *.json *.kml *.kmz *.csv *.txt *.gpx);;"
        "All files (*)",
        "Давхаргын файл (*.gpkg *.shp *.zip *.geojson *.json *.kml *.kmz *.csv *.txt *.gpx);;"
        "Бүх файл (*)"),
    "dialog.about": ("About landtool", "landtool-ийн тухай"),
    "dialog.check_date": ("Check date", "Шалгах огноо"),
    "dialog.check_date_text": ("Check as on (YYYY-MM-DD):", "Аль өдрийн байдлаар (ЖЖЖЖ-СС-ӨӨ):"),
    "dialog.bad_date": ("{text} is not a date; write YYYY-MM-DD",
                        "{text} огноо биш; ЖЖЖЖ-СС-ӨӨ хэлбэрээр бичнэ үү"),
    # shared workspaces (PostgreSQL)
    "shared.title": ("Open shared workspace", "Хамтын ажлын орчин нээх"),
    "shared.url": ("Database URL", "Өгөгдлийн сангийн хаяг"),
    "shared.password": ("Password", "Нууц үг"),
    "shared.note": ("The administrator gives the URL, the user name and the password. The "
                    "password is used to connect only: it is not stored. Leave it empty if "
                    "it is in ~/.pgpass.",
                    "Хаяг, хэрэглэгчийн нэр, нууц үгийг админ өгнө. Нууц үгийг зөвхөн "
                    "холбогдоход хэрэглэх бөгөөд хадгалахгүй. ~/.pgpass-д байгаа бол хоосон "
                    "орхино уу."),
    "shared.bad_url": ("Write the URL as postgresql://user@server:port/database",
                       "Хаягийг postgresql://хэрэглэгч@сервер:порт/сан хэлбэрээр бичнэ үү"),
    "shared.status": ("{user} ({role}) · {n} connected", "{user} ({role}) · {n} холбогдсон"),
    "shared.offline": ("{user} ({role}) · connection lost (click to retry)",
                       "{user} ({role}) · холболт тасарсан (дахин оролдох бол дарна уу)"),
    "shared.read_only": ("read-only", "зөвхөн унших"),
    "save.stale": ("{by} saved layer {layer} at {when}, after you opened the workspace. Your "
                   "changes were not saved, so as not to overwrite theirs; they are still in "
                   "the window.\n\nTo keep them: File ▸ Save as… writes them, with the rest, "
                   "to a GeoPackage of your own. Then reopen the workspace to see the "
                   "other changes, and make yours again there.",
                   "Таныг ажлын орчныг нээснээс хойш {by} {when}-д {layer} давхаргыг "
                   "хадгалсан. Тэдний өөрчлөлтийг дарж бичихгүйн тулд таны өөрчлөлтийг "
                   "хадгалсангүй; тэдгээр нь цонхонд хэвээр байна.\n\nХадгалж үлдэхийн тулд: "
                   "Файл ▸ Өөр нэрээр хадгалах… нь тэдгээрийг бусад өгөгдлийн хамт өөрийн "
                   "GeoPackage файлд бичнэ. Дараа нь ажлын орчныг дахин нээж бусдын "
                   "өөрчлөлтийг хараад, өөрийнхөө өөрчлөлтийг тэнд дахин хийнэ үү."),
    "import.owner_only": ("Only the owner of this shared workspace may add layers to it. Ask "
                          "the owner, or add the layer to a GeoPackage copy (File ▸ Save as…).",
                          "Энэ хамтын ажлын орчинд зөвхөн эзэмшигч нь давхарга нэмж болно. "
                          "Эзэмшигчээс хүсэх эсвэл давхаргыг GeoPackage хуулбарт нэмнэ үү "
                          "(Файл ▸ Өөр нэрээр хадгалах…)."),
    "shared.tooltip": ("Shared workspace {where}\nWho is connected: click, or File ▸ Who is "
                       "connected…",
                       "Хамтын ажлын орчин {where}\nХэн холбогдсоныг харах: дарах, эсвэл "
                       "Файл ▸ Хэн холбогдсон бэ…"),
    "role.owner": ("owner", "эзэмшигч"),
    "role.officer": ("officer", "мэргэжилтэн"),
    "role.viewer": ("viewer", "үзэгч"),
    "role.none": ("no role", "эрхгүй"),
    "connected.title": ("Connected to {name}", "{name}-д холбогдсон"),
    "connected.col.user": ("User", "Хэрэглэгч"),
    "connected.col.client": ("Computer", "Компьютер"),
    "connected.col.since": ("Since (UTC)", "Хэзээнээс (UTC)"),
    "connected.col.application": ("Program", "Програм"),
    "connected.you": ("you", "та"),
    "unsaved.title": ("Unsaved changes", "Хадгалаагүй өөрчлөлт"),
    "unsaved.text": ("{name} has unsaved changes. Save them?",
                     "{name}-д хадгалаагүй өөрчлөлт байна. Хадгалах уу?"),
    "import.title": ("Import layer", "Давхарга оруулах"),
    "import.about": ("{file}: {count} features; fields: {fields}",
                     "{file}: {count} объект; талбарууд: {fields}"),
    "import.kind": ("Kind of layer", "Давхаргын төрөл"),
    "import.name": ("Name in the workspace", "Ажлын орчин дахь нэр"),
    "import.crs": ("Coordinate system", "Координатын систем"),
    "import.crs_placeholder": ("the file's own (or e.g. EPSG:4284)",
                               "файлынх (эсвэл жишээ нь EPSG:4284)"),
    "import.no_workspace": ("Open or create a workspace first.",
                            "Эхлээд ажлын орчин нээх эсвэл үүсгэнэ үү."),
    "mapping.title": ("Field mapping: {kind}", "Талбарын харгалзаа: {kind}"),
    "mapping.intro": ("The file's fields do not match the catalog:\n{message}\n\nChoose the "
                      "field of the file that holds each catalog field.",
                      "Файлын талбарууд каталогийнхтой таарахгүй байна:\n{message}\n\n"
                      "Каталогийн талбар бүрийг файлын аль талбар агуулж байгааг сонгоно уу."),
    "mapping.none": ("— (none)", "— (байхгүй)"),
    "mapping.required_note": ("* required", "* заавал"),
    "attributes.title": ("{id}: attributes", "{id}: мэдээлэл"),
    "attributes.bad_value": ("{field}: not a value of type {type}",
                             "{field}: {type} төрлийн утга биш"),
    "status_dialog.title": ("{id}: change the status", "{id}: төлөв өөрчлөх"),
    "status_dialog.current": ("Current status", "Одоогийн төлөв"),
    "status_dialog.new": ("New status", "Шинэ төлөв"),
    "status_dialog.date": ("Reached on", "Огноо"),
    "status_dialog.not_next": ("not the next step", "дараагийн алхам биш"),
    # export
    "export.title.map": ("Export map", "Газрын зураг гаргах"),
    "export.title.package": ("Export submission package", "Хуралд өгөх багц гаргах"),
    "export.request": ("Request", "Хүсэлт"),
    "export.all_requests": ("All requests (overview)", "Бүх хүсэлт (тойм)"),
    "export.format": ("Format", "Хэлбэр"),
    "export.format.pdf": ("Printed map (PDF)", "Хэвлэх зураг (PDF)"),
    "export.format.png": ("Printed map (PNG)", "Хэвлэх зураг (PNG)"),
    "export.format.html": ("Interactive map (HTML)", "Интерактив зураг (HTML)"),
    "export.paper": ("Paper", "Цаас"),
    "export.paper.a4": ("A4", "A4"),
    "export.paper.a3": ("A3", "A3"),
    "export.orientation": ("Orientation", "Чиглэл"),
    "export.orientation.landscape": ("Landscape", "Хэвтээ"),
    "export.orientation.portrait": ("Portrait", "Босоо"),
    "export.language": ("Language", "Хэл"),
    "export.out.map": ("File", "Файл"),
    "export.out.package": ("Folder", "Хавтас"),
    "export.browse": ("Choose…", "Сонгох…"),
    "export.replace": ("Replace if it exists", "Байвал солих"),
    "export.note.map": ("Made from the workspace as saved, with its saved check.",
                        "Ажлын орчны хадгалсан хувилбар, хадгалсан шалгалтаас гаргана."),
    "export.note.package": (
        "The report (PDF), the printed and interactive maps, the corners, the check and the "
        "rehabilitation costs, in a folder and a zip (A4 maps). Made from the workspace as saved, "
        "with its saved check.",
        "Тайлан (PDF), хэвлэх болон интерактив зураг, өнцгийн цэгүүд, шалгалт, нөхөн "
        "сэргээлтийн зардлыг хавтас, zip файлд (A4 зураг). Ажлын орчны хадгалсан хувилбар, "
        "хадгалсан шалгалтаас гаргана."),
    # errors
    "gpx.title": ("Export corners as GPX", "Булангийн цэгүүдийг GPX болгон гаргах"),
    "gpx.what": ("Write as GPX waypoints (one per corner) and a route:",
                 "GPX цэг (булан тус бүрд нэг) ба маршрут болгон бичих:"),
    "gpx.request": ("Request {id} as drawn", "{id} хүсэлт, зурсан хэлбэрээр"),
    "gpx.eligible": ("The eligible part of {id} ({ha} ha)", "{id}-ийн олгож болох хэсэг ({ha} га)"),
    "gpx.parcels": ("The selected rehabilitation parcels ({n})",
                    "Сонгосон нөхөн сэргээлтийн талбай ({n})"),
    "gpx.nothing": ("Select a request on the map, or parcels in the rehabilitation view, first.",
                    "Эхлээд газрын зураг дээр хүсэлт, эсвэл нөхөн сэргээлтийн харагдацад талбай "
                    "сонгоно уу."),
    "gpx.written": ("GPX written: {path} ({n} corners)", "GPX бичлээ: {path} ({n} булан)"),
    "error.open": ("Cannot open the workspace", "Ажлын орчныг нээж чадсангүй"),
    "error.connected": ("Cannot list who is connected", "Холбогдсон хүмүүсийг харуулж чадсангүй"),
    "error.save": ("Cannot save the workspace", "Ажлын орчныг хадгалж чадсангүй"),
    "error.import": ("Cannot import the layer", "Давхаргыг оруулж чадсангүй"),
    "error.export": ("Cannot export", "Гаргаж чадсангүй"),
    "error.register": ("Cannot register the request", "Хүсэлтийг бүртгэж чадсангүй"),
    "error.decide": ("Cannot record the decision", "Шийдвэрийг тэмдэглэж чадсангүй"),
    "error.receipt": ("Cannot print the receipt", "Баримтыг хэвлэж чадсангүй"),
    "error.print_register": ("Cannot print the register", "Бүртгэлийг хэвлэж чадсангүй"),
    "error.edit": ("Cannot make the change", "Өөрчлөлтийг хийж чадсангүй"),
    "error.check": ("Cannot check the requests", "Хүсэлтүүдийг шалгаж чадсангүй"),
    "error.ruleset": ("Cannot load the ruleset", "Дүрмийн багцыг ачаалж чадсангүй"),
    "error.status": ("Cannot change the status of {id}", "{id}-ийн төлөвийг өөрчилж чадсангүй"),
    "error.chart": ("Cannot draw the chart", "Графикийг зурж чадсангүй"),
    "error.estimate": ("Cannot estimate the costs", "Зардлыг тооцож чадсангүй"),
    "error.unexpected": ("Unexpected error", "Гэнэтийн алдаа"),
    "error.what_to_do": ("What to do", "Юу хийх вэ"),
    "error.feature": ("Feature", "Объект"),
    # work in the background
    "busy.reading": ("Reading the file…", "Файлыг уншиж байна…"),
    "busy.importing": ("Importing the layer…", "Давхаргыг оруулж байна…"),
    "busy.chart": ("Drawing the chart…", "Графикийг зурж байна…"),
    "busy.estimate": ("Estimating the costs…", "Зардлыг тооцож байна…"),
    "busy.check": ("Checking the requests…", "Хүсэлтүүдийг шалгаж байна…"),
    "busy.export.map": ("Exporting the map…", "Газрын зургийг гаргаж байна…"),
    "busy.export.package": ("Exporting the package…", "Багцыг гаргаж байна…"),
    "export.step.map": ("the printed map", "хэвлэх газрын зураг"),
    "export.step.report": ("the report", "тайлан"),
    "export.step.files": ("the other files", "бусад файлууд"),
    "export.step.zip": ("the zip", "zip файл"),
    "busy.cancel": ("Cancel", "Цуцлах"),
    # status bar
    "status.position": ("Lat {lat}  Lon {lon}   {dms}", "Өргөрөг {lat}  Уртраг {lon}   {dms}"),
    "status.no_position": ("Move the mouse over the map", "Хулганаа газрын зураг дээр авчирна уу"),
    "status.scale": ("Scale {n}", "Масштаб {n}"),
    "status.ruleset": ("Ruleset {ruleset} · as on {day}", "Дүрэм {ruleset} · {day}-ны байдлаар"),
    "status.opening": ("Opening {path}…", "{path}-г нээж байна…"),
    "status.creating": ("Creating {path}…", "{path}-г үүсгэж байна…"),
    "status.opened": ("{path}: {count} layers", "{path}: {count} давхарга"),
    "status.loading_layers": ("Loading layers… {done}/{total}",
                              "Давхаргуудыг ачаалж байна… {done}/{total}"),
    "status.saving": ("Saving to {path}…", "{path}-д хадгалж байна…"),
    "status.saved": ("Saved {path}", "{path}-г хадгаллаа"),
    "status.exported": ("Written: {what}", "Гаргалаа: {what}"),
    "status.waiting": ("Waiting for another program to finish writing {path} …",
                       "{path} файлд өөр програм бичиж дуусахыг хүлээж байна …"),
    "status.registered": ("{id} registered as number {n} at {when}: Edit ▸ Print the "
                          "applicant's receipt saves it and prints the receipt",
                          "{id}-г {n} дугаараар бүртгэлээ ({when}): Засах ▸ Хүсэлт "
                          "гаргагчийн баримт хэвлэх нь хадгалж, баримтыг хэвлэнэ"),
    "status.receipt": ("Receipt of {id} written to {path} (and {json})",
                       "{id}-ийн баримтыг {path}-д бичлээ ({json})"),
    "status.decided": ("{id}: {what} (decisions log entry {n})",
                       "{id}: {what} (шийдвэрийн бүртгэлийн {n}-р бичлэг)"),
    "status.register_printed": ("Register written to {path}: open it in a web browser to print",
                                "Бүртгэлийг {path}-д бичлээ: хэвлэхдээ вэб хөтчөөр нээнэ үү"),
    "decision.title": ("Decision about {id}", "{id}-ийн тухай шийдвэр"),
    "decision.history": ("Recorded so far", "Өмнө тэмдэглэсэн"),
    "decision.none_yet": ("registered; no decision yet", "бүртгэсэн; шийдвэр гараагүй"),
    "decision.decision": ("Decision", "Шийдвэр"),
    "decision.number": ("Number of {what}", "{what} дугаар"),
    "decision.no_number": ("Number", "Дугаар"),
    "decision.note": ("Note", "Тэмдэглэл"),
    "decision.for_good": ("The decisions log keeps every entry for good: a decision cannot be "
                          "undone or changed once recorded.",
                          "Шийдвэрийн бүртгэл бичлэг бүрийг бүрмөсөн хадгална: тэмдэглэсэн "
                          "шийдвэрийг буцаах, засах боломжгүй."),
    "decision.needs_number": ("Type the number of the document.",
                              "Баримт бичгийн дугаарыг оруулна уу."),
    "decision.ended": ("The procedure has ended for this request: nothing more can be decided.",
                       "Энэ хүсэлтийн шийдвэрлэх ажиллагаа дууссан тул өөр шийдвэр тэмдэглэх "
                       "боломжгүй."),
    "check.decision": ("Latest decision: {what}, {when}", "Сүүлийн шийдвэр: {what}, {when}"),
    "status.checked": ("{n} requests checked; {ok} eligible",
                       "{n} хүсэлт шалгав; {ok} нь шаардлага хангасан"),
    "status.check_stale": ("An edit overtook the batch check; the live results are shown",
                           "Шалгах зуур засвар орсон тул шинэ үр дүнг харуулж байна"),
    "status.one_file": ("One file at a time: {name}", "Нэг удаад нэг файл: {name}"),
    "status.building_sample": ("Building the sample workspace (first start)…",
                               "Жишээ ажлын орчныг үүсгэж байна (анхны ачаалал)…"),
    "canvas.empty": ("No workspace open", "Ажлын орчин нээгээгүй байна"),
    "canvas.loading": ("Loading…", "Ачаалж байна…"),
    # requests table
    "requests.col.id": ("Request", "Хүсэлт"),
    "requests.col.applicant": ("Applicant", "Хүсэлт гаргагч"),
    "requests.col.submitted": ("Submitted", "Ирүүлсэн"),
    "requests.col.queue": ("Queue", "Дараалал"),
    "requests.col.area": ("Area", "Талбай"),
    "requests.col.eligible": ("Eligible", "Шаардлага"),
    "requests.col.decision": ("Decision", "Шийдвэр"),
    "requests.verdict.eligible": ("yes", "хангасан"),
    "requests.verdict.refused": ("no", "хангаагүй"),
    "requests.verdict.unchecked": ("not checked", "шалгаагүй"),
    "requests.filter.all": ("All requests", "Бүх хүсэлт"),
    "requests.filter.eligible": ("Eligible", "Шаардлага хангасан"),
    "requests.filter.refused": ("Not eligible", "Шаардлага хангаагүй"),
    "requests.filter.unchecked": ("Not checked", "Шалгаагүй"),
    "requests.search": ("Search by request or applicant…", "Хүсэлт, нөхөрлөлөөр хайх…"),
    "requests.incomplete": ("* some rules could not run for want of a layer",
                            "* давхарга дутсан тул зарим дүрмийг шалгаагүй"),
    # check panel
    "check.col.rule": ("Rule", "Дүрэм"),
    "check.col.result": ("Result", "Үр дүн"),
    "check.none": ("Select a request to see its check.",
                   "Шалгалтыг харахын тулд хүсэлт сонгоно уу."),
    "check.not_checked": ("This request has not been checked (no geometry?).",
                          "Энэ хүсэлтийг шалгаагүй (хил заагүй?)."),
    "check.eligible": ("Eligible", "Шаардлага хангасан"),
    "check.refused": ("Not eligible", "Шаардлага хангаагүй"),
    "check.incomplete": ("some rules not checked for want of a layer",
                         "давхарга дутсан тул зарим дүрмийг шалгаагүй"),
    "check.areas": ("Area {area}; eligible part {eligible}",
                    "Талбай {area}; олгох боломжтой хэсэг {eligible}"),
    "check.queue": ("Queue number {n}, submitted {when}", "Дарааллын дугаар {n}, ирүүлсэн {when}"),
    "check.unregistered": ("Not registered (no queue number)", "Бүртгээгүй (дарааллын дугааргүй)"),
    "check.ruleset": ("Ruleset {ruleset}: {title}; as on {day}",
                      "Дүрмийн багц {ruleset}: {title}; {day}-ны байдлаар"),
    "check.overlap": ("overlap {ha}", "давхцал {ha}"),
    "check.distance": ("{m} m away", "{m} м зайтай"),
    "check.source": ("Source", "Эх сурвалж"),
    "check.click_conflict": ("Click to highlight it on the map",
                             "Газрын зураг дээр тодруулахын тулд дарна уу"),
    "check.tooltip": ("Rule {rule}: {status}\nSource: {source}\nConfidence: {confidence}",
                      "Дүрэм {rule}: {status}\nЭх сурвалж: {source}\nНайдвартай эсэх: "
                      "{confidence}"),
    "check.confidence.confirmed": ("confirmed", "батлагдсан"),
    "check.confidence.unconfirmed": ("unconfirmed", "батлагдаагүй"),
    "rulestatus.pass": ("pass", "тэнцсэн"),
    "rulestatus.fail": ("fail", "тэнцээгүй"),
    "rulestatus.warn": ("warning", "анхааруулга"),
    "rulestatus.not_applicable": ("not applicable", "хамаарахгүй"),
    # Find available land (gui/find_land_panel.py)
    "panel.find_land": ("Find available land", "Олгож болох газар"),
    "findland.search_in": ("Search in", "Хайх нутаг"),
    "findland.kind.soums": ("Soum", "Сум"),
    "findland.kind.aimags": ("Aimag", "Аймаг"),
    "findland.kind.drawn": ("Area drawn on the map", "Газрын зураг дээр зурсан талбай"),
    "findland.draw": ("Draw on the map", "Зураг дээр зурах"),
    "findland.draw_tip": ("Click the corners of the area to search; double-click or Enter "
                          "finishes, Esc cancels",
                          "Хайх талбайн булангуудыг дарж тэмдэглэ; давхар дарах эсвэл Enter "
                          "дуусгана, Esc цуцална"),
    "findland.drawn": ("Area drawn on the map, {ha}", "Зураг дээр зурсан талбай, {ha}"),
    "findland.no_area": ("Choose a soum or an aimag, or draw an area on the map.",
                         "Сум, аймаг сонгох эсвэл газрын зураг дээр талбай зурна уу."),
    "findland.ruleset": ("Ruleset {ruleset}, as on {day} (Tools ▸ Ruleset, Check date)",
                         "Дүрмийн багц {ruleset}, {day}-ны байдлаар (Хэрэгсэл ▸ Дүрмийн багц, "
                         "Шалгах огноо)"),
    "findland.sizes": ("Parcels", "Талбайн хэмжээ"),
    "findland.min": ("from", "хамгийн багадаа"),
    "findland.max": ("to", "хамгийн ихдээ"),
    "findland.width": ("Workable width", "Ажиллах өргөн"),
    "findland.find": ("Find available land", "Газар хайх"),
    "findland.cancel": ("Cancel", "Цуцлах"),
    "findland.running": ("Finding available land in {area}…", "{area}-д газар хайж байна…"),
    "findland.step.exclusions": ("the land each rule excludes", "дүрэм тус бүрийн хасах газар"),
    "findland.step.parcels": ("cutting parcels", "талбайд хувааж байна"),
    "findland.step.check": ("checking every parcel", "талбай бүрийг шалгаж байна"),
    "findland.step.figures": ("figures", "үзүүлэлт"),
    "findland.cancelled": ("Cancelled: nothing was found or changed.",
                           "Цуцаллаа: юу ч олоогүй, өөрчлөөгүй."),
    "findland.failed": ("Could not search: {problem}", "Хайж чадсангүй: {problem}"),
    "findland.summary": ("{area}: {available} available of {searched} searched under {ruleset} "
                         "on {day}; <b>{n} candidate parcels</b> of {lo}–{hi} ha, every one "
                         "checked and passing.",
                         "{area}: хайсан {searched}-аас {available} олгож болно ({ruleset}, "
                         "{day}); <b>{n} санал болгох талбай</b> ({lo}–{hi} га), бүгд "
                         "шалгагдаж тэнцсэн."),
    "findland.none": ("No land is available here: {rule} took the most ({ha}).",
                      "Энд олгож болох газар алга: хамгийн их газрыг {rule} дүрэм хассан "
                      "({ha})."),
    "findland.method": ("Areas geodesic on the WGS 84 ellipsoid (pyproj Geod); distances "
                        "geodesic between the nearest points.",
                        "Талбайг WGS 84 эллипсойд дээр геодезийн аргаар (pyproj Geod), зайг "
                        "хамгийн ойр цэгүүдийн хооронд геодезийн аргаар тооцов."),
    "findland.col.id": ("No.", "№"),
    "findland.col.area": ("Area, ha", "Талбай, га"),
    "findland.col.disturbed": ("Disturbed, ha (share)", "Эвдэрсэн, га (хувь)"),
    "findland.col.soum": ("Soum", "Сум"),
    "findland.col.road": ("Road, km", "Зам, км"),
    "findland.col.town": ("Settlement, km", "Суурин, км"),
    "findland.col.warnings": ("Warnings", "Анхааруулга"),
    "findland.figures": ("<b>{id}</b>: {area} (perimeter {perimeter} m); on disturbed land "
                         "{disturbed} ({share}); soum {soum}; nearest road {road}, "
                         "settlement {town}; warnings: {warnings}",
                         "<b>{id}</b>: {area} (периметр {perimeter} м); эвдэрсэн газар "
                         "{disturbed} ({share}); сум {soum}; хамгийн ойр зам {road}, суурин "
                         "{town}; анхааруулга: {warnings}"),
    "findland.none_word": ("none", "байхгүй"),
    "findland.pick": ("Click a candidate on the map or in the table to see its figures.",
                      "Тоон үзүүлэлтийг харахын тулд газрын зураг эсвэл хүснэгтээс талбай "
                      "сонгоно уу."),
    "findland.make_request": ("Make a request from it", "Үүнээс хүсэлт үүсгэх"),
    "findland.export": ("Export the proposal…", "Саналыг гаргах…"),
    "findland.export_title": ("Folder for the proposal", "Саналын хавтас"),
    "findland.exporting": ("Writing the proposal to {path}…", "Саналыг {path}-д бичиж байна…"),
    "findland.exported": ("Proposal written to {path} ({n} files).",
                          "Саналыг {path}-д бичлээ ({n} файл)."),
    "findland.replace": ("{path} holds a proposal already. Replace its files?",
                         "{path}-д санал байна. Файлуудыг солих уу?"),
    "findland.made": ("Added {rid} from {cid}: {verdict} under {ruleset} (Edit ▸ Undo removes it).",
                      "{cid}-ээс {rid} хүсэлт нэмлээ: {ruleset}-аар {verdict} (Засвар ▸ "
                      "Буцаах арилгана)."),
    "findland.verdict.eligible": ("it passes the check", "шалгалтад тэнцэж байна"),
    "findland.verdict.refused": ("it does NOT pass the check now", "одоо шалгалтад тэнцэхгүй"),
    "findland.taken": ("{cid} overlaps request {rids}, already in the workspace: not added.",
                       "{cid} нь ажлын орчинд буй {rids} хүсэлттэй давхцаж байна: нэмсэнгүй."),
    "findland.read_only": ("This workspace is read-only for you: no request can be added.",
                           "Энэ ажлын орчинг та зөвхөн харах эрхтэй: хүсэлт нэмэх боломжгүй."),
    # the ruleset editor (gui/ruleset_editor.py, gui/ruleset_form.py)
    "ruleset.draft": ("DRAFT", "НООРОГ"),
    "editor.title": ("Ruleset editor", "Дүрмийн багц засварлагч"),
    "editor.open": ("Ruleset:", "Дүрмийн багц:"),
    "editor.against": ("Compared with the ruleset in use, {ruleset}, on the open workspace as on "
                       "{day}.",
                       "Ашиглаж буй {ruleset} дүрмийн багцтай нээлттэй ажлын орчинд {day}-ны "
                       "байдлаар харьцуулна."),
    "editor.enabled": ("Rule in use", "Дүрмийг хэрэглэнэ"),
    "editor.changed": ("changed", "өөрчилсөн"),
    "editor.severity": ("Severity", "Ноцтой байдал"),
    "editor.confidence": ("Confidence", "Баталгаажилт"),
    "editor.params": ("Parameters", "Параметрүүд"),
    "editor.no_limit": ("no limit", "хязгааргүй"),
    "editor.use_filter": ("only where", "зөвхөн"),
    "editor.list_hint": ("comma-separated, e.g. water_lines, water_areas",
                         "таслалаар тусгаарлана, ж: water_lines, water_areas"),
    "editor.invalid": ("Not valid: {problem}", "Буруу утга: {problem}"),
    "editor.form_invalid": ("Some values are not valid (marked in red): the impact is not "
                            "computed and the ruleset cannot be saved until they are fixed.",
                            "Зарим утга буруу байна (улаанаар тэмдэглэсэн): засах хүртэл нөлөөг "
                            "тооцохгүй, хадгалах боломжгүй."),
    "editor.not_computed": ("Not computed: fix the values marked in red.",
                            "Тооцоогүй: улаанаар тэмдэглэсэн утгыг засна уу."),
    "editor.impact": ("Impact on the open workspace", "Нээлттэй ажлын орчинд үзүүлэх нөлөө"),
    "editor.col.request": ("Request", "Хүсэлт"),
    "editor.col.verdict": ("Change", "Өөрчлөлт"),
    "editor.col.rules": ("Rules responsible", "Шалтгаан болсон дүрэм"),
    "editor.no_requests": ("The open workspace has no requests to compare.",
                           "Нээлттэй ажлын орчинд харьцуулах хүсэлт алга."),
    "editor.computing": ("Computing…", "Тооцоолж байна…"),
    "editor.computed": ("Compared in {ms} ms", "{ms} мс-д харьцуулав"),
    "editor.impact_failed": ("The comparison could not run: {problem}",
                             "Харьцуулалт хийж чадсангүй: {problem}"),
    "editor.counts": ("{n} requests. Eligible: <b>{before} → {after}</b><br>"
                      "Became eligible: <b>{became_eligible}</b> · became refused: "
                      "<b>{became_refused}</b><br>Allocatable land: <b>{ha_before} → "
                      "{ha_after}</b> (gained {gained}, lost {lost})",
                      "{n} хүсэлт. Шаардлага хангасан: <b>{before} → {after}</b><br>"
                      "Шаардлага хангах болсон: <b>{became_eligible}</b> · татгалзах болсон: "
                      "<b>{became_refused}</b><br>Олгож болох газар: <b>{ha_before} → "
                      "{ha_after}</b> (нэмэгдсэн {gained}, хасагдсан {lost})"),
    "editor.became_eligible": ("refused → eligible", "татгалзсан → тэнцсэн"),
    "editor.became_refused": ("eligible → refused", "тэнцсэн → татгалзсан"),
    "editor.refused_by": ("refused by {rules}", "{rules} дүрмээр татгалзана"),
    "editor.no_longer": ("no longer refused by {rules}", "{rules} дүрмээр татгалзахаа больсон"),
    "editor.diff": ("Changed in the rules ({n}):", "Дүрэмд орсон өөрчлөлт ({n}):"),
    "editor.new_id": ("New id", "Шинэ id"),
    "editor.new_version": ("Version", "Хувилбар"),
    "editor.note": ("What changed and why", "Юу, яагаад өөрчлөгдсөн"),
    "editor.note_hint": ("Required: what changed and why (e.g. the draft amendment it follows)",
                         "Заавал: юу, яагаад өөрчлөгдсөн (ж: ямар нэмэлт өөрчлөлтийн төслийн "
                         "дагуу)"),
    "editor.note_required": ("Write what changed and why to save: the note is required.",
                             "Хадгалахын тулд юу, яагаад өөрчлөгдсөнийг бичнэ үү: тайлбар "
                             "заавал шаардлагатай."),
    "editor.reset": ("Reset", "Анхны байдалд"),
    "editor.undo": ("Undo (Ctrl+Z)", "Буцаах (Ctrl+Z)"),
    "editor.save": ("Save as a new version", "Шинэ хувилбараар хадгалах"),
    "editor.close": ("Close", "Хаах"),
    "editor.save_refused": ("Not saved: {problem}", "Хадгалсангүй: {problem}"),
    "editor.saved": ("Saved {ruleset} to {path}; choose it in Tools ▸ Ruleset.",
                     "{ruleset}-г {path}-д хадгалав; Хэрэгсэл ▸ Дүрмийн багц цэснээс сонгоно уу."),
    "unit.m": ("m", "м"),
    "unit.m2": ("m²", "м²"),
    "unit.ha": ("ha", "га"),
    "param.tolerance_m2": ("Tolerance outside", "Гадна зөвшөөрөх хэмжээ"),
    "param.sliver_m2": ("Ignore overlaps below", "Үл тооцох давхцал"),
    "param.distance_m": ("Minimum distance", "Хамгийн бага зай"),
    "param.min_ha": ("Minimum area", "Хамгийн бага талбай"),
    "param.max_ha": ("Maximum area", "Хамгийн их талбай"),
    "param.layer": ("Layer kind", "Давхаргын төрөл"),
    "param.layers": ("Layer kinds", "Давхаргын төрлүүд"),
    "param.where": ("Filter", "Шүүлтүүр"),
    "param.field": ("Field", "Талбар"),
    "param.values": ("Values", "Утгууд"),
    "param.op": ("Comparison", "Харьцуулалт"),
    "param.value": ("Value", "Утга"),
    "param.if_missing": ("If missing", "Утга байхгүй бол"),
    "param.threshold_ha": ("Threshold", "Босго"),
    "param.outstanding_statuses": ("Outstanding statuses", "Дуусаагүй төлөвүүд"),
    # identify
    "identify.col.field": ("Field", "Талбар"),
    "identify.col.value": ("Value", "Утга"),
    "identify.hint": ("Click the map to see what is there.",
                      "Газрын зураг дээр дарж тэнд юу байгааг харна уу."),
    "identify.count": ("{n} found", "{n} объект"),
    "identify.nothing": ("Nothing here in the visible layers.",
                         "Харагдаж буй давхаргуудад энд объект алга."),
    # rehabilitation
    "rehab.change": ("Change status…", "Төлөв өөрчлөх…"),
    "rehab.estimate": ("Estimate", "Зардал тооцох"),
    "rehab.tab.chart": ("Status chart", "Төлөвийн график"),
    "rehab.tab.estimate": ("Cost estimate", "Зардлын тооцоо"),
    "rehab.tab.photos": ("Photos", "Гэрэл зураг"),
    "photos.attach": ("Attach photos…", "Зураг хавсаргах…"),
    "photos.filter": ("JPEG photos (*.jpg *.jpeg *.JPG *.JPEG)",
                      "JPEG зураг (*.jpg *.jpeg *.JPG *.JPEG)"),
    "photos.pick_parcel": ("Select a parcel to see its photos.",
                           "Зургийг нь харах талбайгаа сонгоно уу."),
    "photos.title": ("Photos of {id}: {n}. Tick those that show the next status change: they "
                     "are cited as its evidence.",
                     "{id} талбайн зураг: {n}. Дараагийн төлөвийн өөрчлөлтийг харуулсан "
                     "зургийг тэмдэглэвэл нотолгоо болгон бүртгэнэ."),
    "photos.no_time": ("time unknown", "огноо тодорхойгүй"),
    "photos.outside": ("OUTSIDE by {m} m", "ГАДНА {m} м"),
    "photos.inside": ("in the parcel", "талбай дотор"),
    "photos.by_hand": ("by hand", "гараар"),
    "photos.tooltip": ("{file}\ncamera: {camera}\ndirection: {direction}\n"
                       "outside the parcel: {m} m (tolerance {tol} m; geodesic)",
                       "{file}\nкамер: {camera}\nчиглэл: {direction}\n"
                       "талбайн гадна: {m} м (хүлцэл {tol} м; геодезийн зай)"),
    "photos.busy": ("Attaching {n} photos to {id}…", "{id} талбайд {n} зураг хавсаргаж байна…"),
    "photos.done": ("{n} photos attached to {id}.", "{id} талбайд {n} зураг хавсаргав."),
    "photos.duplicate": ("{file}: already attached as photo {photo}.",
                         "{file}: {photo}-р зураг болж хавсаргагдсан байна."),
    "photos.cancelled": ("Cancelled: no photo was attached.",
                         "Цуцлав: нэг ч зураг хавсаргаагүй."),
    "photos.error": ("Photos could not be attached", "Зураг хавсаргаж чадсангүй"),
    "photos.place": ("Place {n} photos without GPS inside the parcel",
                     "GPS-гүй {n} зургийг талбай дотор байршуулах"),
    # a request's photos (the map view's Photos tab, gui/photo_panel.py RequestPhotosPanel)
    "panel.request_photos": ("Photos", "Гэрэл зураг"),
    "photos.pick_request": ("Select a request to see its photos.",
                            "Зургийг нь харах хүсэлтээ сонгоно уу."),
    "photos.title_request": ("Photos of request {id}: {n}.", "{id} хүсэлтийн зураг: {n}."),
    "photos.inside_request": ("in the request", "хүсэлтийн талбай дотор"),
    "photos.tooltip_request": ("{file}\ncamera: {camera}\ndirection: {direction}\n"
                               "outside the request: {m} m (tolerance {tol} m; geodesic)",
                               "{file}\nкамер: {camera}\nчиглэл: {direction}\n"
                               "хүсэлтийн талбайн гадна: {m} м (хүлцэл {tol} м; геодезийн зай)"),
    "photos.busy_request": ("Attaching {n} photos to request {id}…",
                            "{id} хүсэлтэд {n} зураг хавсаргаж байна…"),
    "photos.done_request": ("{n} photos attached to request {id}.",
                            "{id} хүсэлтэд {n} зураг хавсаргав."),
    "photos.save_first": ("Save the workspace first: {id} is only drawn in the window, and "
                          "photos are attached to what the workspace holds.",
                          "Эхлээд ажлын орчныг хадгална уу: {id} зөвхөн цонхонд зурагдсан "
                          "байна; зургийг ажлын орчинд хадгалсан объектод хавсаргана."),
    "photos.place_request": ("Place {n} photos without GPS inside the request",
                             "GPS-гүй {n} зургийг хүсэлтийн талбай дотор байршуулах"),
    "status_dialog.evidence": ("Evidence", "Нотлох зураг"),
    "status_dialog.no_evidence": ("none (tick photos in the Photos tab)",
                                  "байхгүй («Гэрэл зураг» хэсэгт тэмдэглэнэ)"),
    "rehab.col.parcel": ("Parcel", "Талбай"),
    "rehab.col.partnership": ("Partnership", "Нөхөрлөл"),
    "rehab.col.status": ("Status", "Төлөв"),
    "rehab.col.area": ("Area", "Хэмжээ"),
    "rehab.col.since": ("Since", "Огноо"),
    "rehab.lines.item": ("Work", "Ажил"),
    "rehab.lines.quantity": ("Quantity", "Тоо хэмжээ"),
    "rehab.lines.rate": ("Rate", "Нэгж үнэ"),
    "rehab.lines.cost": ("Cost", "Өртөг"),
    "rehab.scope.shown": ("The parcels listed", "Жагсаалтад буй талбайнууд"),
    "rehab.scope.selected": ("The parcels selected", "Сонгосон талбайнууд"),
    "rehab.all_partnerships": ("All partnerships", "Бүх нөхөрлөл"),
    "rehab.mobilisation": ("Mobilisation: {site}", "Техник зөөвөрлөлт: {site}"),
    "rehab.direct": ("Direct cost", "Шууд зардал"),
    "rehab.total": ("Total ({currency})", "Нийт ({currency})"),
    "rehab.deposit": ("Deposit ({percent} % of the total)", "Барьцаа (нийтийн {percent} %)"),
    "rehab.rates": ("Rates {rates} of {day}", "Үнэлгээ {rates}, {day}"),
    "rehab.illustrative": ("Illustrative rates, not published Mongolian unit rates",
                           "Жишээ үнэлгээ; Монголын батлагдсан нэгж үнэ биш"),
    "rehab.no_parcels": ("The workspace has no rehabilitation parcels.",
                         "Ажлын орчинд нөхөн сэргээлтийн талбай алга."),
    "rehab.nothing_chosen": ("No parcels to estimate: list or select some.",
                             "Тооцох талбай алга: жагсаах эсвэл сонгоно уу."),
    "rehab.pick_one": ("Select one parcel in the table.", "Хүснэгтээс нэг талбай сонгоно уу."),
    "costtask.backfill": ("Backfilling", "Нүх дүүргэлт"),
    "costtask.grading": ("Grading", "Тэгшлэлт"),
    "costtask.topsoil": ("Topsoil", "Хөрс дэвсэлт"),
    "costtask.seeding": ("Seeding", "Үр суулгалт"),
    "costtask.fencing": ("Fencing", "Хашаа"),
    "costtask.monitoring": ("Monitoring", "Хяналт"),
    "costtask.mobilisation": ("Mobilisation", "Техник зөөвөрлөлт"),
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


def ruleset_name(rs, lang: str | Lang) -> str:
    """A ruleset as the app lists it: its title and id; a draft's version and DRAFT after."""
    title = rs.title_mn if Lang(lang) is Lang.MN else rs.title_en
    if not rs.is_draft:
        return f"{title} ({rs.id})"
    return f"{title} ({rs.id}) {rs.version} — {tr('ruleset.draft', lang)}"


def format_int(n: int, lang: str | Lang) -> str:
    """A count with thousands separators: ``3,439`` in English, ``3 439`` in Mongolian."""
    text = f"{n:,}"
    return text.replace(",", "\u202f") if Lang(lang) is Lang.MN else text


def format_ha(value: float, lang: str | Lang, digits: int = 2) -> str:
    """Hectares: ``3.05 ha`` / ``3.05 га``."""
    return f"{value:,.{digits}f} {'га' if Lang(lang) is Lang.MN else 'ha'}"


def format_money(value: float, lang: str | Lang) -> str:
    """An amount in whole units with thin spaces between thousands: ``1 234 567``."""
    return f"{round(value):,}".replace(",", "\u202f")


def status_name(status: str, lang: str | Lang) -> str:
    """A rehabilitation status in ``lang`` (the library's Mongolian names)."""
    from landtool.rehab.status import STATUS_NAMES_MN

    if Lang(lang) is Lang.MN:
        return STATUS_NAMES_MN.get(status, status)
    return str(status).replace("_", " ")
