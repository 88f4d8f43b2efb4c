"""The application's model: the open workspace, the requests and parcels being edited, the
live check results, the selection and the undo stack. Widgets listen to its signals; every edit
goes through an undoable command; no widget changes data behind its back (napari's layer model
does the same). Domain logic stays in ``landtool``: this only calls it.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from landtool import register as procedure
from landtool.check.context import CheckContext
from landtool.check.engine import check_requests
from landtool.check.result import Conflict, RequestResult
from landtool.check.ruleset import Ruleset, load_ruleset
from landtool.check.store import save_report
from landtool.errors import LandtoolError
from landtool.io.formats import atomic_path
from landtool.register import register_request
from landtool.rehab.status import change_status
from landtool.workspace import BaseWorkspace, Workspace, decisions


class AppState(QObject):
    """The open workspace and everything the window shows about it."""

    workspaceChanged = Signal()
    requestsChanged = Signal()  # geometry or attributes of the requests changed
    parcelsChanged = Signal()
    selectionChanged = Signal(object)  # request id, or None
    resultsChanged = Signal()  # check results were recomputed
    conflictHighlighted = Signal(object)  # a landtool.check.result.Conflict, or None
    languageChanged = Signal(str)
    dirtyChanged = Signal(bool)
    layerAdded = Signal(str)  # the name of a layer added to the open workspace
    workspaceRenamed = Signal(str)  # saved as another file (its path), same layers
    saved = Signal()  # the edits and the check were written to the workspace
    decisionsChanged = Signal()  # the decisions log was read again (a decision was recorded)

    def __init__(self, lang: str = "mn", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lang = lang
        self.workspace: BaseWorkspace | None = None  # a GeoPackage or a shared database
        #: a shared workspace's database user and role there (None for a GeoPackage)
        self.user: str | None = None
        self.role: str | None = None
        self.layers: dict[str, gpd.GeoDataFrame] = {}  # layer name -> features (EPSG:4326)
        self._saved_frames: dict[str, gpd.GeoDataFrame] = {}  # as last read or saved
        self.kinds: dict[str, str] = {}  # layer name -> kind
        self.ruleset: Ruleset = load_ruleset("mn-asm-2022")
        self.as_of: date = date.today()
        self.requests_layer: str | None = None
        self.parcels_layer: str | None = None
        self.results: dict[str, RequestResult] = {}
        self.selected: str | None = None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._ctx: CheckContext | None = None
        self.check_problem: str | None = None  # why the check could not run, if it could not
        self.log: list[decisions.Entry] = []  # the workspace's decisions log, as last read
        self._latest: dict[str, decisions.Entry] = {}  # request id -> its last decision
        #: parcel id -> the photo ids cited by its status change not yet saved
        self.status_evidence: dict[str, tuple[int, ...]] = {}

    def _on_clean_changed(self, clean: bool) -> None:
        self.dirtyChanged.emit(not clean)

    # -- workspace ---------------------------------------------------------------------------
    def set_workspace(self, ws: BaseWorkspace, layers: dict[str, gpd.GeoDataFrame], *,
                      user: str | None = None, role: str | None = None) -> None:
        """Show ``ws``, whose layers were read (off the GUI thread) into ``layers``; a shared
        workspace comes with the database ``user`` and its ``role`` there (a viewer's is
        :attr:`read_only`). The workspace shown before gives its connection back."""
        old = self.workspace
        self.workspace = ws
        self.user, self.role = user, role
        if old is not None and old is not ws:
            old.close()
        self.layers = dict(layers)
        self._remember_saved()
        self.kinds = {r.name: r.kind for r in ws.layers()}
        self.requests_layer = next((n for n, k in self.kinds.items() if k == "requests"), None)
        self.parcels_layer = next((n for n, k in self.kinds.items() if k == "rehab_parcels"),
                                  None)
        self.selected = None
        self.undo_stack.clear()
        self.status_evidence = {}
        self._ctx = None
        self._read_log(ws)
        self.workspaceChanged.emit()
        self.recheck()

    def add_layer(self, name: str, kind: str, gdf: gpd.GeoDataFrame) -> None:
        """Show a layer just added to the open workspace's file (an import), re-checking with
        it; the edits and their undo history stay. Emits :attr:`layerAdded`."""
        if self.workspace is None:
            raise RuntimeError("no workspace is open")
        # the same workspace object (and, shared, its connection and what it has read): its
        # records now list the layer
        self.workspace.reload()
        self.workspace.track(name)  # a later save of it is refused if another saved it since
        self.layers[name] = gdf
        self._saved_frames[name] = gdf
        self.kinds[name] = kind
        if kind == "requests" and self.requests_layer is None:
            self.requests_layer = name
        if kind == "rehab_parcels" and self.parcels_layer is None:
            self.parcels_layer = name
        self._ctx = None
        self.layerAdded.emit(name)
        if kind == "rehab_parcels" and self.parcels_layer == name:
            self.parcelsChanged.emit()
        if kind == "requests" and self.requests_layer == name:
            self.requestsChanged.emit()
        self.recheck()

    @property
    def requests(self) -> gpd.GeoDataFrame:
        if self.requests_layer is None:
            return gpd.GeoDataFrame({"request_id": []}, geometry=[], crs=4326)
        return self.layers[self.requests_layer]

    @property
    def parcels(self) -> gpd.GeoDataFrame | None:
        return self.layers.get(self.parcels_layer) if self.parcels_layer else None

    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def read_only(self) -> bool:
        """True on a shared workspace this user may only read (the server would refuse)."""
        return self.role in ("viewer", "none")

    @property
    def may_add_layers(self) -> bool:
        """Only a shared workspace's owner adds layers; anyone adds them to a GeoPackage."""
        return self.role in (None, "owner")

    def set_language(self, lang: str) -> None:
        if lang != self.lang:
            self.lang = lang
            self.languageChanged.emit(lang)

    def set_ruleset(self, ruleset: Ruleset, as_of: date | None = None) -> None:
        self.ruleset = ruleset
        self.as_of = as_of or self.as_of
        self._ctx = None
        self.recheck()

    # -- checking ----------------------------------------------------------------------------
    def context(self) -> CheckContext:
        """The check context, built once from the loaded layers (milliseconds to re-check)."""
        if self._ctx is None:
            by_kind: dict[str, list] = {}
            for name, gdf in self.layers.items():
                by_kind.setdefault(self.kinds.get(name, ""), []).append((name, gdf))
            self._ctx = CheckContext(by_kind, self.as_of)
        return self._ctx

    def recheck(self, ids: list[str] | None = None) -> None:
        """Re-check ``ids`` (default: every request) against the current layers and edits."""
        reqs = self.requests
        if self.workspace is None or len(reqs) == 0:
            self.results = {}
            self.resultsChanged.emit()
            return
        ctx = self.context()
        # hand the context only the layers edited since its last check (an edit replaces the
        # frame), so a live drag does not rebuild the parcels' index at every step
        for kind, name in (("requests", self.requests_layer),
                           ("rehab_parcels", self.parcels_layer)):
            current = ctx.layers.get(kind, [])
            if name is not None and not (len(current) == 1 and current[0][1] is self.layers[name]):
                ctx.set_layer(kind, [(name, self.layers[name])])
        batch = reqs if ids is None else reqs[reqs["request_id"].astype(str).isin(ids)]
        batch = batch[~batch.geometry.isna() & ~batch.geometry.is_empty]
        self.check_problem = None
        if len(batch):
            try:
                report = check_requests(batch, self.ruleset, ctx)
            except LandtoolError as exc:  # e.g. a workspace with none of the rules' layers
                self.check_problem = str(exc)
                self.results = {}
                self.resultsChanged.emit()
                return
            if ids is None:
                self.results = {}
            for r in report.requests:
                self.results[r.id] = r
        self.resultsChanged.emit()

    def set_results(self, report) -> None:
        """Show the results of a batch check of every request (a
        :class:`~landtool.check.result.CheckReport`), replacing the current ones."""
        self.check_problem = None
        self.results = {r.id: r for r in report.requests}
        self.resultsChanged.emit()

    def _affected(self, request_id: str, *geoms) -> list[str]:
        """The edited request and the requests overlapping it before or after (first come,
        first served can change for them)."""
        reqs = self.requests
        hits = {request_id}
        for g in geoms:
            if g is not None and not g.is_empty:
                near = reqs[reqs.geometry.intersects(g)]
                hits.update(near["request_id"].astype(str))
        return sorted(hits)

    # -- selection -------------------------------------------------------------------------
    def select(self, request_id: str | None) -> None:
        if request_id != self.selected:
            self.selected = request_id
            self.selectionChanged.emit(request_id)

    def highlight(self, conflict: Conflict | None) -> None:
        self.conflictHighlighted.emit(conflict)

    def row(self, request_id: str) -> pd.Series:
        reqs = self.requests
        return reqs[reqs["request_id"].astype(str) == request_id].iloc[0]

    # -- edits (each one undoable) -----------------------------------------------------------
    def preview_geometry(self, request_id: str, geom) -> None:
        """Show ``geom`` for a request while it is being drawn or dragged, re-checking it live,
        without an undo step (the final geometry is committed with :meth:`edit_geometry`)."""
        old = self.row(request_id).geometry
        self._put_geometry(request_id, geom)
        self.requestsChanged.emit()
        self.recheck(self._affected(request_id, old, geom))

    def edit_geometry(self, request_id: str, geom, *, before=None, text: str = "") -> None:
        """Change a request's geometry (``before``: its geometry before a live preview)."""
        old = before if before is not None else self.row(request_id).geometry
        self.undo_stack.push(_Geometry(self, request_id, old, geom,
                                       text or f"edit {request_id}"))

    def add_request(self, attrs: dict, geom) -> str:
        rid = str(attrs.get("request_id") or self._new_id())
        self.undo_stack.push(_AddRequest(self, {**attrs, "request_id": rid}, geom))
        return rid

    def delete_request(self, request_id: str) -> None:
        self.undo_stack.push(_DeleteRequest(self, request_id))

    def edit_attributes(self, request_id: str, changes: dict) -> None:
        self.undo_stack.push(_Attributes(self, request_id, changes))

    def register(self, request_id: str) -> tuple[int, str]:
        """Give the request the next queue number and the submission time (undoable)."""
        above = decisions.highest_registered_number(self.workspace) if self.workspace else 0
        registered, number, stamp = register_request(self.requests, request_id, above=above)
        self.undo_stack.push(_Attributes(self, request_id,
                                         {"queue_no": number, "submitted_at": stamp},
                                         text=f"register {request_id} as {number}"))
        del registered
        return number, stamp

    def _read_log(self, ws: BaseWorkspace) -> None:
        """Read the log, and note each request's last decision (the table asks per row)."""
        self.log = decisions.entries(ws)
        self._latest = {e.subject: e for e in self.log if e.action in procedure.DECISIONS}

    def latest_decision(self, request_id: str) -> decisions.Entry | None:
        """The last decision of the procedure about ``request_id`` (None: none yet)."""
        return self._latest.get(str(request_id))

    def allowed_decisions(self, request_id: str) -> tuple[str, ...]:
        return procedure.allowed_decisions(self.log, request_id)

    def decide(self, request_id: str, decision: str, *, document: str | None = None,
               note: str = "") -> decisions.Entry:
        """Record ``decision`` about the request in the workspace's log, now (the log is
        append-only: this is not undoable). Refused while the requests have unsaved edits:
        a decision is about the request as the workspace holds it."""
        if self.workspace is None:
            raise RuntimeError("no workspace is open")
        if self._edited(self.requests_layer):
            raise LandtoolError("the requests have edits that are not saved yet",
                                path=self.workspace.path, feature=request_id,
                                hint="save first (File ▸ Save): a decision is recorded about "
                                "the request as it is saved in the workspace")
        entry = procedure.decide(self.workspace, request_id, decision, document=document,
                                 note=note)
        self._read_log(self.workspace)
        self.decisionsChanged.emit()
        return entry

    def change_parcel_status(self, parcel_id: str, status: str, when: date,
                             evidence: tuple[int, ...] = ()) -> None:
        """Move a rehabilitation parcel to ``status`` (refused by the transition rules),
        citing the photos ``evidence`` (ids of the parcel's photos), logged when saved."""
        parcels = self.parcels
        hit = parcels.index[parcels["parcel_id"].astype(str) == parcel_id]
        row = parcels.loc[hit[0]].drop(labels="geometry").to_dict()
        updated = change_status(row, status, when)
        if evidence and self.workspace is not None:  # refused now, not at the save
            from landtool.photos import check_evidence

            check_evidence(self.workspace, evidence, kind="rehab_parcels",
                           subject_id=parcel_id)
        self.undo_stack.push(_ParcelStatus(self, hit[0], row, updated, tuple(evidence)))

    # -- saving ------------------------------------------------------------------------------
    def _remember_saved(self) -> None:
        """Note the frames as they are in the workspace now: an edit replaces a frame, so a
        frame that is still the one noted here has nothing to save."""
        self._saved_frames = dict(self.layers)

    def _edited(self, name: str | None) -> bool:
        return name is not None and name in self.layers and \
            self.layers[name] is not self._saved_frames.get(name)

    def is_saved(self, name: str | None, id_field: str, feature_id: str) -> bool:
        """True when feature ``feature_id`` of layer ``name`` is in the workspace as last read
        or saved (a request drawn in the window is not, until it is saved)."""
        frame = self._saved_frames.get(name) if name else None
        return frame is not None and id_field in frame.columns and bool(
            (frame[id_field].astype(str) == str(feature_id)).any())

    def save(self) -> None:
        """Write the edited requests and parcels, and the current check results, to the
        workspace (each write is atomic); the undo history stays, marked clean. A layer that
        was not edited is not written (in a shared workspace, another officer's save of it
        stays theirs), and with no edit nothing is written at all."""
        ws = self.workspace
        if ws is None:
            return
        requests_edited = self._edited(self.requests_layer)
        parcels_edited = self._edited(self.parcels_layer)
        if not (requests_edited or parcels_edited):
            self.undo_stack.setClean()
            self.saved.emit()
            return
        report = (check_requests(self.requests, self.ruleset, self.context())
                  if len(self.requests) else None)
        # one save: in a shared workspace the requests, the parcels and the check land
        # together or not at all (a save refused as stale writes nothing); each decision made
        # in the window is logged with the change that records it
        with ws.batch("save the workspace"):
            if requests_edited:
                logged = self._registrations(ws)
                ws.update(self.requests_layer, self.requests, note="edited in landtool-gui",
                          then=(lambda tx: decisions.append_many(tx, logged))
                          if logged else None)
            if parcels_edited:
                logged = self._status_changes(ws)
                ws.update(self.parcels_layer, self.parcels, note="edited in landtool-gui",
                          then=(lambda tx: decisions.append_many(tx, logged))
                          if logged else None)
            if report is not None:
                save_report(ws, report, log=True)
        self._remember_saved()
        self.undo_stack.setClean()
        self._read_log(ws)
        self.decisionsChanged.emit()
        self.saved.emit()

    def _registrations(self, ws: BaseWorkspace) -> list[tuple]:
        """'registered' decisions for requests numbered since the last save."""
        before = (ws.read(self.requests_layer) if self.requests_layer in ws.layer_names()
                  else self.requests.iloc[0:0])
        known = {str(r): q for r, q in zip(before["request_id"],
                                           before.get("queue_no", [None] * len(before)),
                                           strict=True)}
        out = []
        for row in self.requests.itertuples():
            queue = getattr(row, "queue_no", None)
            old = known.get(str(row.request_id))
            if old is not None and not pd.isna(old) and (
                    queue is None or pd.isna(queue) or int(queue) != int(old)):
                raise LandtoolError(
                    f"request {row.request_id} is registered as number {int(old)} in the "
                    "workspace; a registration is never undone or renumbered, so nothing was "
                    "saved", path=ws.path, feature=str(row.request_id),
                    hint="redo the undone registration (Edit ▸ Redo), then save")
            if queue is None or pd.isna(queue):
                continue
            if old is None or pd.isna(old):
                out.append(("registered", str(row.request_id),
                            {"queue_no": int(queue), "submitted_at": row.submitted_at},
                            decisions.inputs_hash(row.geometry)))
        return out

    def _status_changes(self, ws: BaseWorkspace) -> list[tuple]:
        """'parcel_status_changed' decisions for parcels whose status changed since the last
        save."""
        before = ws.read(self.parcels_layer).set_index("parcel_id")["status"].to_dict()
        out = []
        for row in self.parcels.itertuples():
            old = before.get(row.parcel_id)
            if old is not None and old != row.status:
                details = {"from": old, "to": row.status}
                cited = self.status_evidence.get(str(row.parcel_id))
                if cited:  # read inside the save's transaction
                    from landtool.rehab.evidence import evidence_details

                    details["evidence"] = evidence_details(ws, cited, str(row.parcel_id))
                out.append(("parcel_status_changed", str(row.parcel_id), details,
                            decisions.inputs_hash(row.geometry)))
        return out

    def save_as(self, path: str | Path) -> Workspace:
        """Copy the workspace to ``path`` (a .gpkg; the copy appears whole or not at all), go
        on in the copy and save the edits there; the undo history stays. A shared workspace
        is copied as saved in the database (its DEM beside the copy), then its connection is
        given back: the copy is the user's own, editable whatever the role was."""
        ws = self.workspace
        if ws is None:
            raise RuntimeError("no workspace is open")
        dest = Workspace.check_new_path(path, overwrite=True)
        if ws.shared:
            from landtool.workspace.transfer import copy_workspace

            # the user agreed to replace the .gpkg, not a different DEM beside it
            copy_workspace(ws, dest, overwrite=True, replace_files=False)
        elif dest.resolve() != ws.path.resolve():
            with atomic_path(dest) as tmp:
                shutil.copyfile(ws.path, tmp)
        self.workspace = Workspace(dest)
        self.user = self.role = None
        ws.close()
        try:
            self.save()
        finally:  # the window now shows the copy, even if saving the edits into it failed
            self.workspaceRenamed.emit(str(dest))
        return self.workspace

    # -- internals used by the commands ----------------------------------------------------
    def _new_id(self) -> str:
        # never an id the log has seen: a deleted request's history is not a new one's
        ids = set(self.requests["request_id"].astype(str)) | {e.subject for e in self.log}
        year = self.as_of.year
        k = 1
        while f"NEW-{year}-{k:03d}" in ids:
            k += 1
        return f"NEW-{year}-{k:03d}"

    def _put_geometry(self, request_id: str, geom) -> None:
        reqs = self.requests.copy()
        idx = reqs.index[reqs["request_id"].astype(str) == request_id]
        reqs.loc[idx, "geometry"] = gpd.GeoSeries([_multi(geom)] * len(idx), index=idx,
                                                  crs=4326)
        self.layers[self.requests_layer] = reqs

    def _ensure_requests_layer(self) -> None:
        if self.requests_layer is None:
            self.requests_layer = "requests"
            self.kinds["requests"] = "requests"
            self.layers["requests"] = gpd.GeoDataFrame(
                {"request_id": pd.Series(dtype=object), "applicant": pd.Series(dtype=object)},
                geometry=gpd.GeoSeries([], crs=4326), crs=4326)


def _multi(geom):
    return shapely.MultiPolygon([geom]) if geom.geom_type == "Polygon" else geom


class _Geometry(QUndoCommand):
    def __init__(self, state: AppState, rid: str, old, new, text: str) -> None:
        super().__init__(text)
        self.state, self.rid, self.old, self.new = state, rid, old, new

    def _apply(self, geom, other) -> None:
        self.state._put_geometry(self.rid, geom)
        self.state.requestsChanged.emit()
        self.state.recheck(self.state._affected(self.rid, geom, other))

    def redo(self) -> None:
        self._apply(self.new, self.old)

    def undo(self) -> None:
        self._apply(self.old, self.new)


class _AddRequest(QUndoCommand):
    def __init__(self, state: AppState, attrs: dict, geom) -> None:
        super().__init__(f"add {attrs['request_id']}")
        self.state, self.attrs, self.geom = state, attrs, geom

    def redo(self) -> None:
        s = self.state
        s._ensure_requests_layer()
        row = gpd.GeoDataFrame([self.attrs], geometry=[_multi(self.geom)], crs=4326)
        s.layers[s.requests_layer] = gpd.GeoDataFrame(
            pd.concat([s.requests, row], ignore_index=True), geometry="geometry", crs=4326)
        s.requestsChanged.emit()
        s.recheck(s._affected(self.attrs["request_id"], self.geom))
        s.select(self.attrs["request_id"])

    def undo(self) -> None:
        s = self.state
        rid = self.attrs["request_id"]
        reqs = s.requests
        s.layers[s.requests_layer] = reqs[reqs["request_id"].astype(str) != rid].reset_index(
            drop=True)
        s.results.pop(rid, None)
        if s.selected == rid:
            s.select(None)
        s.requestsChanged.emit()
        s.recheck(s._affected(rid, self.geom))


class _DeleteRequest(QUndoCommand):
    def __init__(self, state: AppState, rid: str) -> None:
        super().__init__(f"delete {rid}")
        self.state, self.rid = state, rid
        reqs = state.requests
        self.position = int(reqs.index[reqs["request_id"].astype(str) == rid][0])
        self.row = reqs.loc[[self.position]]

    def redo(self) -> None:
        s = self.state
        reqs = s.requests
        s.layers[s.requests_layer] = reqs[reqs["request_id"].astype(str) != self.rid].reset_index(
            drop=True)
        s.results.pop(self.rid, None)
        if s.selected == self.rid:
            s.select(None)
        s.requestsChanged.emit()
        s.recheck(s._affected(self.rid, self.row.geometry.iloc[0]))

    def undo(self) -> None:
        s = self.state
        reqs = s.requests
        parts = [reqs.iloc[:self.position], self.row, reqs.iloc[self.position:]]
        s.layers[s.requests_layer] = gpd.GeoDataFrame(
            pd.concat(parts, ignore_index=True), geometry="geometry", crs=4326)
        s.requestsChanged.emit()
        s.recheck(s._affected(self.rid, self.row.geometry.iloc[0]))


class _Attributes(QUndoCommand):
    def __init__(self, state: AppState, rid: str, changes: dict, text: str = "") -> None:
        super().__init__(text or f"edit {rid}")
        self.state, self.rid, self.changes = state, rid, dict(changes)
        row = state.row(rid)
        self.before = {k: row.get(k) for k in changes}

    def _apply(self, values: dict) -> None:
        s = self.state
        reqs = s.requests.copy()
        idx = reqs.index[reqs["request_id"].astype(str) == self.rid]
        for key, value in values.items():
            if key not in reqs.columns:
                reqs[key] = None
            reqs[key] = reqs[key].astype(object)
            reqs.loc[idx, key] = value
        s.layers[s.requests_layer] = reqs
        s.requestsChanged.emit()
        s.recheck(s._affected(self.rid, reqs.loc[idx[0]].geometry))

    def redo(self) -> None:
        self._apply(self.changes)

    def undo(self) -> None:
        self._apply(self.before)


class _ParcelStatus(QUndoCommand):
    def __init__(self, state: AppState, index, before: dict, after: dict,
                 evidence: tuple[int, ...] = ()) -> None:
        super().__init__(f"{before.get('parcel_id')}: {before['status']} → {after['status']}")
        self.state, self.index, self.before, self.after = state, index, before, after
        pid = str(before.get("parcel_id"))
        self.evidence = (pid, state.status_evidence.get(pid), evidence)  # before, after

    def _apply(self, values: dict) -> None:
        s = self.state
        parcels = s.parcels.copy()
        for key, value in values.items():
            if key not in parcels.columns:
                parcels[key] = None
            parcels[key] = parcels[key].astype(object)
            parcels.loc[self.index, key] = value
        s.layers[s.parcels_layer] = parcels
        s.parcelsChanged.emit()
        s.recheck()  # the backlog rule reads the parcels

    def _cite(self, ids) -> None:
        pid = self.evidence[0]
        self.state.status_evidence.pop(pid, None)
        if ids:
            self.state.status_evidence[pid] = ids

    def redo(self) -> None:
        self._cite(self.evidence[2])
        self._apply(self.after)

    def undo(self) -> None:
        self._cite(self.evidence[1])
        self._apply(self.before)
