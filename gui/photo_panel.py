"""The photographs of one feature: a rehabilitation parcel (in the rehabilitation view, with the
photos ticked as evidence of the next status change) or a request (the map view's "Photos"
tab, following the selected request). Thumbnails with time, position and the "outside the
parcel / request" flag, "Attach photos…" (read and stored in a worker, with progress and
cancel), and the photos without GPS placed inside the feature by hand.

The photos of the open workspace are read once per workspace and after each attach
(:class:`PhotoStore`, shared with the map's photo markers). Attaching is one transaction in
the library (:func:`landtool.photos.attach`): cancelled, nothing is attached; a file that
cannot be read is listed under the thumbnails with the reason, and the others are kept. No
undo is offered for a stored photo: nothing the user had is changed by attaching one.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui import dialogs
from gui.i18n import Lang, tr
from gui.worker import TaskRunner
from landtool.workspace.photo_rows import SUBJECT_KINDS

OUTSIDE_COLOR = QColor("#b00020")


class PhotoStore(QObject):
    """The photos of the state's workspace (without their bytes), read when it opens."""

    changed = Signal()

    def __init__(self, state) -> None:
        super().__init__(state)
        self.state = state
        self.photos: list = []  # as measured now (measure())
        self.stored: list = []  # as read from the workspace
        self.parcel: str | None = None  # the parcel whose photos the panel shows
        self.request: str | None = None  # the request whose photos the map view shows
        state.workspaceChanged.connect(self.reload)
        state.parcelsChanged.connect(self.measure)
        state.requestsChanged.connect(self.measure)
        self.reload()

    def reload(self) -> None:
        from landtool.errors import LandtoolError
        from landtool.photos import photos

        ws = self.state.workspace
        try:
            self.stored = photos(ws) if ws is not None else []
        except LandtoolError:  # a shared workspace's server gone: no photos shown
            self.stored = []
        self.measure()

    def measure(self) -> None:
        """The photos' distances outside their parcels and requests as these are drawn now
        (edited in the window, perhaps), as the report measures them."""
        from landtool.rehab.evidence import measured

        shapes = {kind: _shapes(frame, SUBJECT_KINDS[kind])
                  for kind, frame in (("rehab_parcels", self.state.parcels),
                                      ("requests", self.state.requests))}
        self.photos = [measured(p, shape) if (shape := shapes.get(p.subject_kind, {}).get(
                           p.subject_id)) is not None else p for p in self.stored]
        self.changed.emit()

    def of(self, parcel_id: str | None, kind: str = "rehab_parcels") -> list:
        """The photos of feature ``parcel_id`` of ``kind`` (a parcel unless told)."""
        return [p for p in self.photos if p.subject_kind == kind and p.subject_id == parcel_id]

    def selected(self, kind: str) -> str | None:
        """The feature of ``kind`` whose photos a panel shows (ringed on the map)."""
        return self.parcel if kind == "rehab_parcels" else self.request

    def is_selected(self, photo) -> bool:
        return photo.subject_id == self.selected(photo.subject_kind)


def _shapes(frame, id_field: str) -> dict:
    if frame is None or id_field not in frame.columns:
        return {}
    return {i: g for i, g in zip(frame[id_field].astype(str), frame.geometry, strict=True)
            if g is not None and not g.is_empty}  # no polygon: the stored distance stands


def photo_store(state) -> PhotoStore:
    """The one :class:`PhotoStore` of ``state``."""
    store = getattr(state, "_photo_store", None)
    if store is None:
        store = state._photo_store = PhotoStore(state)
    return store


def attach_job(ws, files, parcel_id: str, at=None, progress=None, kind="rehab_parcels"):
    """Attach ``files`` to feature ``parcel_id`` of ``kind`` (in a worker); the library's
    AttachResult."""
    from landtool.photos import attach

    return attach(ws, files, kind=kind, subject_id=parcel_id, at=at, progress=progress)


#: the texts that differ between a parcel's photos and a request's (i18n keys)
_KEYS = {"rehab_parcels": {k: f"photos.{k}" for k in
                           ("pick", "title", "inside", "tooltip", "busy", "done", "place")},
         "requests": {k: f"photos.{k}_request" for k in
                      ("pick", "title", "inside", "tooltip", "busy", "done", "place")}}
_KEYS["rehab_parcels"]["pick"] = "photos.pick_parcel"


def caption(p, lang: str | Lang) -> str:
    """Three short lines under a thumbnail: number and time, position, inside or outside
    (the parcel or the request the photo belongs to)."""
    when = (p.taken_at or tr("photos.no_time", lang)).replace("T", " ")[:16]
    where = f"{p.lat:.5f}, {p.lon:.5f}"
    if p.position_source == "by hand":
        where += f" ({tr('photos.by_hand', lang)})"
    if p.outside:
        flag = tr("photos.outside", lang, m=f"{p.distance_m:.0f}")
    else:
        flag = tr(_KEYS.get(p.subject_kind, _KEYS["rehab_parcels"])["inside"], lang)
    return f"{p.photo_id} · {when}\n{where}\n{flag}"


class PhotosPanel(QWidget):
    """The photos of one feature of :attr:`kind` (``"rehab_parcels"`` or ``"requests"``)."""

    kind = "rehab_parcels"
    #: photos can be ticked as evidence of a status change (a parcel's)
    checkable = True

    def __init__(self, state, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.runner = state, runner
        self.store = photo_store(state)
        self.subject_id: str | None = None
        self.last_result = None  # the last AttachResult
        self._unplaced: list[str] = []  # files of the last attach without a GPS position
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.attach_button = QPushButton(self)
        self.place_button = QPushButton(self)
        self.place_button.hide()
        self.list = QListWidget(self)
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(160, 120))
        self.list.setGridSize(QSize(178, 192))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setWordWrap(True)
        self.report = QLabel(self)
        self.report.setWordWrap(True)
        self.report.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        buttons.addWidget(self.attach_button)
        buttons.addWidget(self.place_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(buttons)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.report)
        self.attach_button.clicked.connect(self.ask_attach)
        self.place_button.clicked.connect(self.place_unlocated)
        self._task = None  # the attach running, if any
        self.store.changed.connect(self.refresh)
        runner.cancelled.connect(self._cancelled)
        state.languageChanged.connect(lambda _lang: self.refresh())
        state.workspaceChanged.connect(lambda: self.show_subject(None))
        self.refresh()

    @property
    def lang(self) -> Lang:
        return Lang(self.state.lang)

    @property
    def task_key(self) -> str:
        return "photos-attach" if self.kind == "rehab_parcels" else f"photos-attach-{self.kind}"

    def _tr(self, key: str, **kw) -> str:
        return tr(_KEYS[self.kind][key], self.lang, **kw)

    def show_subject(self, subject_id: str | None) -> None:
        if subject_id != self.subject_id:
            self.report.clear()
            self._unplaced = []
        self.subject_id = subject_id
        if self.kind == "rehab_parcels":
            self.store.parcel = subject_id
        else:
            self.store.request = subject_id
        self.refresh()
        self.store.changed.emit()  # the map rings the feature's photos

    def refresh(self) -> None:
        lang = self.lang
        self.attach_button.setText(tr("photos.attach", lang))
        self.attach_button.setEnabled(self.subject_id is not None and not self.state.read_only
                                      and not self.runner.is_busy(self.task_key))
        self.place_button.setText(self._tr("place", n=len(self._unplaced)))
        self.place_button.setVisible(bool(self._unplaced) and self.subject_id is not None)
        checked = set(self.checked_ids())
        self.list.clear()
        if self.subject_id is None:
            self.title.setText(self._tr("pick"))
            return
        shown = self.store.of(self.subject_id, self.kind)
        self.title.setText(self._tr("title", id=self.subject_id, n=len(shown)))
        for p in shown:
            item = QListWidgetItem(caption(p, lang))
            pixmap = QPixmap()
            pixmap.loadFromData(p.thumbnail)
            item.setIcon(QIcon(pixmap))
            item.setData(Qt.ItemDataRole.UserRole, p.photo_id)
            if self.checkable:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if p.photo_id in checked
                                   else Qt.CheckState.Unchecked)
            if p.outside:
                item.setForeground(OUTSIDE_COLOR)
            item.setToolTip(self._tr("tooltip", file=p.file_name, camera=p.camera or "—",
                                     direction="—" if p.direction_deg is None else
                                     f"{p.direction_deg:.0f}° {p.direction_ref or ''}",
                                     m=f"{p.distance_m:.1f}", tol=f"{p.tolerance_m:g}"))
            self.list.addItem(item)

    def checked_ids(self) -> tuple[int, ...]:
        """The photos ticked as evidence of the next status change."""
        return tuple(self.list.item(i).data(Qt.ItemDataRole.UserRole)
                     for i in range(self.list.count())
                     if self.list.item(i).checkState() == Qt.CheckState.Checked)

    # -- attaching --------------------------------------------------------------------------
    def ask_attach(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, tr("photos.attach", self.lang), "",
                                                tr("photos.filter", self.lang))
        if files:
            self.attach_files(files)

    def attach_files(self, files, at=None) -> None:
        """Attach ``files`` to the feature shown, in a worker (progress and cancel in the
        status bar); ``at`` places those without GPS."""
        if self.subject_id is None or self.state.workspace is None or self.state.read_only:
            return
        sid = self.subject_id
        layer = self.state.parcels_layer if self.kind == "rehab_parcels" else \
            self.state.requests_layer
        if not self.state.is_saved(layer, SUBJECT_KINDS[self.kind], sid):
            # the library attaches to the feature as saved: say so rather than fail there
            self.report.setText(tr("photos.save_first", self.lang, id=sid))
            return
        self.attach_button.setEnabled(False)
        self._task = self.runner.run(
            attach_job, self.state.workspace, [str(f) for f in files], sid, at,
            kind=self.kind, key=self.task_key,
            message=self._tr("busy", n=len(files), id=sid),
            on_done=lambda result: self._attached(sid, result), on_error=self._failed)

    def _attached(self, subject_id: str, result) -> None:
        self.last_result = result
        self._unplaced = list(result.no_position) if subject_id == self.subject_id else []
        lines = [self._tr("done", n=len(result.added), id=subject_id)]
        # file names are the user's: text in this rich-text report, never markup
        lines += [tr("photos.duplicate", self.lang, file=_escape(Path(f).name), photo=i)
                  for f, i in result.duplicates]
        lines += [f"<span style='color:#b00020'>{_escape(Path(f).name)}: "
                  f"{_escape(message.split(': ', 1)[-1].splitlines()[0])}</span>"
                  for f, message in result.failed]
        self.report.setText("<br>".join(lines))
        self.store.reload()

    def _failed(self, exc: BaseException) -> None:
        self.refresh()
        dialogs.show_error(self, tr("photos.error", self.lang), exc, self.lang)

    def _cancelled(self, task) -> None:
        if task is self._task:  # rolled back in the library: nothing attached
            self._task = None
            self.report.setText(tr("photos.cancelled", self.lang))
            self.refresh()

    def subject_shape(self):
        """The feature shown, as drawn in the window (None if it is not there)."""
        frame = self.state.parcels if self.kind == "rehab_parcels" else self.state.requests
        id_field = SUBJECT_KINDS[self.kind]
        if frame is None or id_field not in frame.columns:
            return None
        hit = frame[frame[id_field].astype(str) == self.subject_id]
        return hit.geometry.iloc[0] if len(hit) else None

    def place_unlocated(self) -> None:
        """Attach the last attach's photos without GPS at a point inside the feature, marked
        as placed by hand."""
        shape = self.subject_shape() if self._unplaced else None
        if shape is None or shape.is_empty:
            return
        point = shape.representative_point()
        files, self._unplaced = self._unplaced, []
        self.attach_files(files, at=(point.x, point.y))


class ParcelPhotosPanel(PhotosPanel):
    """The photos of one rehabilitation parcel (the rehabilitation view's "Photos" tab)."""

    kind = "rehab_parcels"
    checkable = True

    @property
    def parcel_id(self) -> str | None:
        return self.subject_id

    def show_parcel(self, parcel_id: str | None) -> None:
        self.show_subject(parcel_id)


class RequestPhotosPanel(PhotosPanel):
    """The photos of the selected request (the map view's "Photos" tab): follows the
    selection."""

    kind = "requests"
    checkable = False

    def __init__(self, state, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(state, runner, parent)
        state.selectionChanged.connect(self.show_subject)

    @property
    def request_id(self) -> str | None:
        return self.subject_id


def _escape(text: str) -> str:
    from html import escape

    return escape(text)
