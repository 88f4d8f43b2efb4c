"""A dialog to add requests from an MRPAM corner coordinate list, pasted or read from a file.

The text is parsed as it is typed (``landtool.io.corners``): the dialog shows how many polygons
and corners it found and their geodesic areas, the parser's notes, or the error with the line
it is on. OK adds each polygon as a new request (one undo step for the whole list); the
applicant and the other attributes are filled in afterwards.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.dialogs import ok_cancel
from gui.state import AppState
from landtool.crs import parse_crs, to_workspace_crs
from landtool.errors import LandtoolError
from landtool.geodesy import area_ha
from landtool.io.corners import check_named_datum, decode_text, parse_corner_text

#: the datums a list may be in: label -> CRS
DATUMS = {"WGS 84": "EPSG:4326", "Pulkovo 1942": "EPSG:4284"}
_TEXT = {
    "title": ("Paste a corner list", "Солбицлын жагсаалт буулгах"),
    "intro": ("Paste an MRPAM corner list (point number, longitude, latitude; degrees, minutes "
              "and seconds or decimal degrees; Mongolian or English headers). Each polygon "
              "becomes a new request.",
              "АМГТГ-ын солбицлын жагсаалтыг буулгана уу (цэгийн дугаар, уртраг, өргөрөг; "
              "градус, минут, секунд эсвэл аравтын бутархай градус; монгол эсвэл англи "
              "гарчигтай). Олон талбай бүр шинэ хүсэлт болно."),
    "datum": ("Datum", "Датум"),
    "file": ("Read a file…", "Файлаас унших…"),
    "file_filter": ("Corner lists (*.txt *.csv);;All files (*)",
                    "Солбицлын жагсаалт (*.txt *.csv);;Бүх файл (*)"),
    "empty": ("Paste the list above.", "Жагсаалтаа дээр буулгана уу."),
    "found": ("{n} polygon(s): {parts}", "{n} талбай: {parts}"),
    "part": ("{name}: {corners} corners, {area} ha", "{name}: {corners} цэг, {area} га"),
    "error": ("Cannot read the list: {error}", "Жагсаалтыг уншиж чадсангүй: {error}"),
    "hint": ("What to do: {hint}", "Юу хийх вэ: {hint}"),
    "add": ("Add {n} request(s)", "{n} хүсэлт нэмэх"),
    "cancel": ("Cancel", "Болих"),
}


def _t(key: str, lang: str, **values: object) -> str:
    en, mn = _TEXT[key]
    return (mn if lang == "mn" else en).format(**values)


class CornerPasteDialog(QDialog):
    """Parse a pasted corner list live; OK adds its polygons to ``state`` as requests."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.lang = state, state.lang
        self.polygons: list = []  # (name, shapely Polygon in EPSG:4326) of the text as it is
        self.added: list[str] = []  # the ids of the requests added by OK
        self.setWindowTitle(_t("title", self.lang))
        intro = QLabel(_t("intro", self.lang))
        intro.setWordWrap(True)
        self.text_edit = QPlainTextEdit()
        self.text_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text_edit.setMinimumSize(520, 260)
        self.datum_box = QComboBox()
        self.datum_box.addItems(list(DATUMS))
        self._datum_chosen = False  # by the officer; until then the list's own datum is used
        self.datum_box.activated.connect(self._choose_datum)
        self.file_button = QPushButton(_t("file", self.lang))
        self.file_button.clicked.connect(self.choose_file)
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020")
        self.buttons = ok_cancel(self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
            _t("cancel", self.lang))
        form = QFormLayout()
        form.addRow(_t("datum", self.lang), self.datum_box)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.text_edit, 1)
        layout.addLayout(form)
        layout.addWidget(self.file_button)
        layout.addWidget(self.preview)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.text_edit.textChanged.connect(self.update_preview)
        self.update_preview()

    def _choose_datum(self) -> None:
        self._datum_chosen = True
        self.update_preview()

    def set_text(self, text: str) -> None:
        self.text_edit.setPlainText(text)

    def update_preview(self) -> None:
        """Parse the text: show the polygons found or the error; OK only when there are some."""
        self.polygons = []
        text = self.text_edit.toPlainText()
        self.error_label.clear()
        if not text.strip():
            self.preview.setText(_t("empty", self.lang))
        else:
            try:
                self.polygons, notes = self._parse(text)
            except LandtoolError as exc:
                self.preview.clear()
                self.error_label.setText(self._error_text(exc))
            else:
                parts = "; ".join(_t("part", self.lang, name=name, corners=len(p.exterior.coords)
                                     - 1, area=f"{area_ha(p):.2f}") for name, p in self.polygons)
                self.preview.setText("\n".join([_t("found", self.lang, n=len(self.polygons),
                                                   parts=parts), *notes]))
        self.ok_button.setEnabled(bool(self.polygons))
        self.ok_button.setText(_t("add", self.lang, n=len(self.polygons)))

    def _error_text(self, exc: LandtoolError) -> str:
        where = f"{exc.feature}: " if exc.feature is not None else ""
        text = _t("error", self.lang, error=where + exc.message)
        if exc.hint:
            text += "\n" + _t("hint", self.lang, hint=exc.hint)
        return text

    def _parse(self, text: str) -> tuple[list, list[str]]:
        parsed = parse_corner_text(text)
        if not self._datum_chosen:  # read as WGS 84 a Pulkovo 1942 list is 60-80 m off
            pulkovo = any(d.datum == "pulkovo" for d in parsed.datums)
            self.datum_box.setCurrentText("Pulkovo 1942" if pulkovo else "WGS 84")
        crs = DATUMS[self.datum_box.currentText()]
        notes = parsed.notes + check_named_datum(parsed.datums, crs)
        gdf = gpd.GeoDataFrame({"name": [p.name for p in parsed.polygons]},
                               geometry=[p.polygon for p in parsed.polygons], crs=crs)
        gdf, _ = to_workspace_crs(gdf, parse_crs(crs))
        return list(zip(gdf["name"], gdf.geometry, strict=True)), notes

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, _t("file", self.lang).rstrip("…"), "",
                                              _t("file_filter", self.lang))
        if path:
            self.read_file(path)

    def read_file(self, path: str | Path) -> None:
        """Put the text of the corner list file ``path`` in the box (any encoding it has)."""
        path = Path(path)
        try:
            text, _notes = decode_text(path.read_bytes(), path)
        except (OSError, LandtoolError) as exc:
            self.error_label.setText(self._error_text(exc) if isinstance(exc, LandtoolError)
                                     else _t("error", self.lang, error=exc))
            return
        self.text_edit.setPlainText(text)

    def accept(self) -> None:
        if not self.polygons:
            return
        stack = self.state.undo_stack
        stack.beginMacro(f"paste {len(self.polygons)} corner list polygon(s)")
        try:
            self.added = [self.state.add_request({}, polygon) for _name, polygon in self.polygons]
        finally:
            stack.endMacro()
        super().accept()

