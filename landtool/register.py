"""Registering requests: the queue number and submission time that decide priority.

Registration is what makes "first come, first served" transparent: the queue number is the
next integer after every number already given, the submission time is when it was registered,
and neither is ever changed afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import geopandas as gpd
import pandas as pd

from landtool.errors import CheckError, RegisterError

#: Mongolian time (Ulaanbaatar, UTC+8, no daylight saving since 2017).
MONGOLIA_TZ = timezone(timedelta(hours=8))


def requests_layer(ws) -> str:
    """The name of the workspace's requests layer (the first of that kind)."""
    names = ws.layers_of_kind("requests")
    if not names:
        raise RegisterError("the workspace has no requests layer", path=ws.path,
                            hint="add one with `landtool workspace add WS FILE --kind requests`")
    return names[0]


def mongolian_time(text) -> str:
    """An ISO timestamp as ``2026-03-02 11:10`` in Mongolian time (UTC+8); one without a UTC
    offset is taken as Mongolian time already; anything else is returned as it is."""
    try:
        when = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    except ValueError:
        return str(text or "")
    if when.tzinfo is not None:
        when = when.astimezone(MONGOLIA_TZ)
    return when.strftime("%Y-%m-%d %H:%M")


def next_queue_number(requests: gpd.GeoDataFrame) -> int:
    """One more than the highest queue number given so far (1 for the first)."""
    if "queue_no" not in requests.columns:
        return 1
    numbers = pd.to_numeric(requests["queue_no"], errors="coerce").dropna()
    return int(numbers.max()) + 1 if len(numbers) else 1


def register_request(requests: gpd.GeoDataFrame, request_id: str, *,
                     when: datetime | None = None,
                     above: int = 0) -> tuple[gpd.GeoDataFrame, int, str]:
    """A copy of ``requests`` with ``request_id`` given the next queue number and its
    submission time (now, Mongolian time, unless ``when``); returns (layer, number, time).

    ``above``: the highest number given before (from the decisions log), so that a number
    stays given even if its request was deleted since."""
    ids = requests["request_id"].astype(str)
    hit = requests.index[ids == str(request_id)]
    if len(hit) == 0:
        raise RegisterError(f"there is no request {request_id!r}")
    row = requests.loc[hit[0]]
    queue = row.get("queue_no")
    if queue is not None and not pd.isna(queue):
        raise RegisterError(
            f"request {request_id} is registered already, as number {int(queue)} at "
            f"{row.get('submitted_at')}",
            hint="a registration is never changed; draw a new request instead")
    number = max(next_queue_number(requests), above + 1)
    stamp = (when or datetime.now(MONGOLIA_TZ)).replace(microsecond=0)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=MONGOLIA_TZ)
    out = requests.copy()
    if "queue_no" not in out.columns:
        out["queue_no"] = pd.array([None] * len(out), dtype="Int64")
    if "submitted_at" not in out.columns:
        out["submitted_at"] = None
    out["queue_no"] = pd.array(out["queue_no"], dtype="Int64")
    out["submitted_at"] = out["submitted_at"].astype(object)
    out.loc[hit[0], "queue_no"] = number
    out.loc[hit[0], "submitted_at"] = stamp.isoformat()
    return out, number, stamp.isoformat()


def register(ws, request_id: str, *, user: str | None = None,
             when: datetime | None = None, at: datetime | None = None):
    """Register ``request_id`` in the workspace: the next queue number and the submission
    time (now unless ``when``), written to the requests layer and logged as 'registered' in
    the same transaction (the entry's time ``at``, default now: the sample generator gives
    its fixed times); returns ``(number, time, entry)``. Two registering at once are
    served in turn: the second reads the layer and the log as the first left them."""
    from landtool.workspace import decisions

    name = requests_layer(ws)
    with decisions.writing(ws, f"register {request_id}") as tx:
        reqs = ws.read(name)  # inside the change: the layer and the log as they are now
        updated, number, stamp = register_request(
            reqs, request_id, when=when, above=decisions.highest_registered_number(ws))
        geom = updated[updated["request_id"].astype(str) == str(request_id)].geometry.iloc[0]
        ws.update(name, updated, note=f"registered {request_id}")
        entry = decisions.append_many(
            tx, [("registered", str(request_id), {"queue_no": number, "submitted_at": stamp},
                  decisions.inputs_hash(geom))], user=user, at=at)[0]
    return number, stamp, entry


def seal(ws, *, user: str | None = None) -> list:
    """Seal registrations made elsewhere into the log, once, on purpose: one 'imported' entry
    (queue number, submission time, the shape's hash; who and when) for each request whose
    queue number the log does not back yet, in queue order, in one transaction. Refused if a
    number is given twice or lies at or below a number the log already gave (that would
    reorder the queue the log backs). Returns the entries appended."""
    from landtool.workspace import decisions

    with decisions.writing(ws, "seal the registrations") as tx:
        reqs = ws.read(requests_layer(ws))
        log = decisions.entries(ws)
        backed = {e.subject for e in log if e.action in decisions.REGISTRATIONS}
        highest = decisions.highest_number(log)
        todo = []
        for row in reqs.itertuples():
            queue = getattr(row, "queue_no", None)
            if queue is None or pd.isna(queue) or str(row.request_id) in backed:
                continue
            todo.append((int(queue), str(row.request_id), getattr(row, "submitted_at", None),
                         row.geometry))
        todo.sort(key=lambda t: t[0])
        numbers = [t[0] for t in todo]
        twice = sorted({n for n in numbers if numbers.count(n) > 1})
        if twice:
            raise RegisterError(f"queue number {twice[0]} is given to more than one request, "
                                "so the queue cannot be sealed", path=ws.path,
                                hint="correct the requests layer first")
        if todo and todo[0][0] <= highest:
            raise RegisterError(
                f"request {todo[0][1]} has queue number {todo[0][0]}, but the log already "
                f"gave numbers up to {highest}: sealing it would reorder the queue",
                path=ws.path, hint="only registrations made before the log began, or "
                "numbered after it, can be sealed")
        entries = [("imported", rid, {"queue_no": number,
                                      "submitted_at": None if stamp is None or
                                      (not isinstance(stamp, str) and pd.isna(stamp))
                                      else str(stamp)},
                    decisions.inputs_hash(geom)) for number, rid, stamp, geom in todo]
        return decisions.append_many(tx, entries, user=user) if entries else []


# -- decisions after registration -----------------------------------------------------------
#: What may be decided about a registered request, in the order of the procedure (domain
#: brief): the officer forwards the checked request to the Citizens' Representative Khural,
#: the Khural approves or refuses it by resolution, MRPAM issues the Land Conclusion, and the
#: soum governor signs the contract.
DECISIONS = ("forwarded", "approved", "refused", "conclusion_issued", "contract_signed",
             "withdrawn")
#: the decisions that may follow each one ('registered': none yet); a refusal and a signed
#: contract end the procedure (a partnership refused applies again with a new request)
NEXT = {
    "registered": ("forwarded", "withdrawn"),
    "forwarded": ("approved", "refused", "withdrawn"),
    "approved": ("conclusion_issued", "withdrawn"),
    "conclusion_issued": ("contract_signed",),
    "refused": (),
    "contract_signed": (),
    "withdrawn": (),
}
#: the document each decision needs the number of
DOCUMENTS = {
    "approved": ("the Khural's resolution", "Хурлын тогтоолын"),
    "refused": ("the Khural's resolution", "Хурлын тогтоолын"),
    "conclusion_issued": ("the Land Conclusion", "Газрын дүгнэлтийн"),
    "contract_signed": ("the contract", "Гэрээний"),
}
#: every decision the log records, by name (the log keeps the English key)
DECISION_NAMES = {
    "registered": ("registered", "бүртгэсэн"),
    "imported": ("registration sealed into the log", "бүртгэлийг журналд баталгаажуулсан"),
    "withdrawn": ("withdrawn (stays in the register)", "хүсэлтээ буцаан авсан (бүртгэлд үлдэнэ)"),
    "checked": ("checked", "шалгасан"),
    "forwarded": ("forwarded to the Khural", "Хуралд шилжүүлсэн"),
    "approved": ("approved by the Khural", "Хурал зөвшөөрсөн"),
    "refused": ("refused by the Khural", "Хурал татгалзсан"),
    "conclusion_issued": ("Land Conclusion issued", "газрын дүгнэлт гарсан"),
    "contract_signed": ("contract signed", "гэрээ байгуулсан"),
    "parcel_status_changed": ("rehabilitation status changed",
                              "нөхөн сэргээлтийн төлөв өөрчлөгдсөн"),
}


def decision_name(action: str, lang: str = "en") -> str:
    """A decision's name in ``lang`` ('mn' or 'en'); an unknown one as it is."""
    names = DECISION_NAMES.get(action)
    return action if names is None else names[lang == "mn"]


def latest_decision(log, request_id: str):
    """The last decision of the procedure about ``request_id`` in ``log`` (a list of
    :class:`landtool.workspace.decisions.Entry`), or None: checks and registrations do not count."""
    last = None
    for entry in log:
        if entry.subject == str(request_id) and entry.action in DECISIONS:
            last = entry
    return last


def allowed_decisions(log, request_id: str) -> tuple[str, ...]:
    """The decisions that may be recorded next about a registered ``request_id``."""
    last = latest_decision(log, request_id)
    return NEXT["registered" if last is None else last.action]


def decide(ws, request_id: str, decision: str, *, document: str | None = None,
           note: str = "", user: str | None = None):
    """Record ``decision`` about the registered request ``request_id`` in the decisions log,
    if the procedure allows it now; returns the :class:`~landtool.workspace.decisions.Entry`.

    The request must be registered; a decision must follow the one before it (:data:`NEXT`);
    forwarding needs a saved check of the request as it is now; a Khural decision, a
    conclusion and a contract need their document's number. What is decided is read and
    appended under the workspace's write lock, so two officers deciding at once are served
    in turn and the second is refused if the first's decision changed what may follow.
    The inputs hash covers the request's geometry and the ruleset of its saved check."""
    from landtool.check.store import stored_check
    from landtool.workspace import decisions

    if decision not in DECISIONS:
        raise RegisterError(f"unknown decision {decision!r}",
                            hint="use one of: " + ", ".join(DECISIONS))
    if decision in DOCUMENTS and not (document or "").strip():
        raise RegisterError(f"the decision '{decision}' needs the number of "
                            f"{DOCUMENTS[decision][0]} (request {request_id})", path=ws.path,
                            hint="give the number (--resolution in the CLI)")
    name = requests_layer(ws)
    with decisions.writing(ws, f"record the decision '{decision}'") as target:
        reqs = ws.read(name)
        hit = reqs[reqs["request_id"].astype(str) == str(request_id)]
        if hit.empty:
            raise RegisterError(f"there is no request {request_id!r}", path=ws.path)
        queue = hit.iloc[0].get("queue_no")
        if queue is None or pd.isna(queue):
            raise RegisterError(
                f"request {request_id} is not registered, so nothing can be decided about it",
                path=ws.path,
                hint=f"register it first (`landtool register add WS {request_id}`)")
        log = decisions.entries(ws)
        allowed = allowed_decisions(log, request_id)
        if decision not in allowed:
            last = latest_decision(log, request_id)
            done = "it is registered" if last is None else (
                f"its last decision is '{last.action}' (log entry {last.seq}, {last.at})")
            raise RegisterError(
                f"request {request_id} cannot be '{decision}' now: {done}", path=ws.path,
                hint=("what may follow: " + ", ".join(allowed)) if allowed else
                "the procedure has ended for this request; a new application is a new "
                "request")
        geometry = hit.geometry.iloc[0]
        ruleset = None
        try:
            check = stored_check(ws, str(request_id))
        except CheckError:  # none saved
            check = None
        if decision == "forwarded":
            if check is None:
                raise RegisterError(
                    f"request {request_id} has no saved check: the Khural must see the check "
                    "it is forwarded with", path=ws.path,
                    hint="run `landtool check requests --workspace WS --save` first")
            if not check.is_of(geometry):
                raise RegisterError(
                    f"request {request_id} was changed after its saved check "
                    f"({check.checked_at})", path=ws.path,
                    hint="check it again with --save, then forward it")
        shape = decisions.inputs_hash(geometry)  # the shape alone, whatever the ruleset
        forwarded = next((e for e in reversed(log) if e.subject == str(request_id)
                          and e.action == "forwarded"), None)
        if decision != "forwarded" and forwarded is not None and \
                forwarded.details_dict().get("shape", shape) != shape:
            raise RegisterError(
                f"request {request_id} was changed after it was forwarded to the Khural (log "
                f"entry {forwarded.seq}): the Khural decides on the request as it was "
                "forwarded", path=ws.path,
                hint="a forwarded request is not reshaped: put its shape back (undo), or "
                "draw a new request")
        if check is not None:
            ruleset = (str(check.report["ruleset"]["id"]),
                       str(check.report["ruleset"]["version"]))
        details = {"resolution": (document or "").strip() or None, "note": note,
                   "shape": shape}
        return decisions.append_many(
            target, [(decision, str(request_id), details,
                      decisions.inputs_hash(geometry, ruleset))], user=user)[0]


# -- the register ---------------------------------------------------------------------------
def _text(value) -> str:
    """A field as text; empty for a missing value (None, NaN, NA)."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) \
        else str(value)


def _queue_rows(ws, soum: str | None = None) -> list[dict]:
    """What :func:`queue_rows` returns, read within its snapshot."""
    import json

    import shapely

    from landtool.check.store import same_shape
    from landtool.geodesy import areas_ha
    from landtool.workspace import decisions

    reqs = ws.read(requests_layer(ws))
    if soum:
        if "soum_pcode" not in reqs.columns:
            raise RegisterError("the requests have no soum_pcode field to select a soum by",
                                path=ws.path, hint="list without --soum")
        reqs = reqs[reqs["soum_pcode"].astype(str) == str(soum)]
    history: dict[str, list] = {}
    for entry in decisions.entries(ws):
        history.setdefault(entry.subject, []).append(entry)
    table = ws.checks()
    checks = {} if table is None else {str(r.request_id): r for r in table.itertuples()}
    areas = areas_ha(reqs.geometry.to_numpy()) if len(reqs) else []
    rows = []
    for r, area in zip(reqs.itertuples(), areas, strict=True):
        rid = str(r.request_id)
        q = getattr(r, "queue_no", None)
        c = checks.get(rid)
        check = None
        if c is not None:
            report = json.loads(c.report_json)["request"]
            check = {"verdict": "refused" if not c.eligible else
                     "incomplete" if report.get("incomplete") else "eligible",
                     "ruleset": str(c.ruleset), "version": str(c.ruleset_version),
                     "as_of": str(c.as_of),
                     "current": same_shape(r.geometry, shapely.from_wkt(c.request_wkt))}
        rows.append({
            "queue_no": None if q is None or pd.isna(q) else int(q),
            "submitted_at": _text(getattr(r, "submitted_at", None)),
            "request_id": rid, "applicant": _text(getattr(r, "applicant", None)),
            "soum_pcode": _text(getattr(r, "soum_pcode", None)),
            "area_ha": float(area), "check": check,
            "decision": latest_decision(history.get(rid, []), rid),
            "history": history.get(rid, []),
        })
    return sorted(rows, key=lambda x: (x["queue_no"] is None, x["queue_no"] or 0,
                                       x["request_id"]))


# -- the register against the log -----------------------------------------------------------
@dataclass(frozen=True)
class Discrepancy:
    """A request whose registration in the layer does not match the decisions log."""

    request_id: str
    kind: str  # 'number', 'time', 'unregistered', 'twice', 'duplicate', 'missing', 'unbacked'
    layer: str  # what the requests layer holds
    log: str  # what the log recorded
    serious: bool = True

    def text(self, lang: str = "en") -> str:
        return _DISCREPANCY[self.kind][lang == "mn"].format(
            id=self.request_id, layer=self.layer, log=self.log)


_DISCREPANCY = {
    "number": ("{id}: the layer gives queue number {layer}, the log registered it as {log}",
               "{id}: давхаргад дарааллын дугаар {layer}, бүртгэлд {log} гэж бүртгэсэн"),
    "time": ("{id}: the layer gives submission time {layer}, the log recorded {log}",
             "{id}: давхаргад ирүүлсэн цаг {layer}, бүртгэлд {log} гэж тэмдэглэсэн"),
    "unregistered": ("{id}: the log registered it as number {log}, the layer gives it none",
                     "{id}: бүртгэлд {log} дугаараар бүртгэсэн боловч давхаргад дугааргүй"),
    "twice": ("{id}: the log registers it twice ({log})",
              "{id}: бүртгэлд хоёр удаа бүртгэгдсэн ({log})"),
    "duplicate": ("queue number {layer} is given to more than one request: {log}",
                  "{layer} дугаарыг нэгээс олон хүсэлтэд өгсөн: {log}"),
    "unbacked": ("{id}: the layer gives it queue number {layer}, which the log never gave "
                 "(seal registrations made elsewhere once with `landtool register seal`)",
                 "{id}: давхаргад {layer} дугаартай боловч бүртгэлд ийм дугаар олгогдоогүй "
                 "(өөр газар хийсэн бүртгэлийг `landtool register seal`-ээр нэг удаа "
                 "баталгаажуулна)"),
    "missing": ("{id}: registered as number {log}, it is no longer in the requests layer "
                "(a registered request is withdrawn by a decision, never deleted)",
                "{id}: {log} дугаараар бүртгэгдсэн боловч хүсэлтийн давхаргад байхгүй "
                "(бүртгэгдсэн хүсэлтийг устгахгүй, шийдвэрээр буцаана)"),
}


def _same_time(a, b) -> bool:
    """The same moment (a time without a UTC offset is Mongolian time, as everywhere)."""
    try:
        when = [datetime.fromisoformat(str(v)) for v in (a, b)]
    except ValueError:
        return str(a) == str(b)
    when = [w.replace(tzinfo=MONGOLIA_TZ) if w.tzinfo is None else w for w in when]
    return when[0] == when[1]


def _audit(ws) -> list[Discrepancy]:
    """What :func:`audit` returns, read within its snapshot."""
    from landtool.workspace import decisions

    names = ws.layers_of_kind("requests")
    if not names:
        return []
    reqs = ws.read(names[0])
    registered: dict[str, list] = {}
    for entry in decisions.entries(ws):
        if entry.action in decisions.REGISTRATIONS:
            registered.setdefault(entry.subject, []).append(entry)
    found: list[Discrepancy] = []
    rows = {str(r.request_id): r for r in reqs.itertuples()}
    numbers: dict[int, list[str]] = {}
    for rid, row in rows.items():
        queue = getattr(row, "queue_no", None)
        queue = None if queue is None or pd.isna(queue) else int(queue)
        if queue is not None:
            numbers.setdefault(queue, []).append(rid)
        entries = registered.get(rid, [])
        if len(entries) > 1:
            found.append(Discrepancy(rid, "twice", "", ", ".join(
                f"#{e.seq} {e.details_dict().get('queue_no')}" for e in entries)))
        if not entries:
            if queue is not None:  # a number the log never gave
                found.append(Discrepancy(rid, "unbacked", str(queue), ""))
            continue
        given = entries[0].details_dict()
        if queue is None:
            found.append(Discrepancy(rid, "unregistered", "", str(given.get("queue_no"))))
            continue
        if given.get("queue_no") is not None and int(given["queue_no"]) != queue:
            found.append(Discrepancy(rid, "number", str(queue), str(given["queue_no"])))
        stamp = getattr(row, "submitted_at", None)
        if given.get("submitted_at") and not _same_time(stamp, given["submitted_at"]):
            found.append(Discrepancy(rid, "time", str(stamp), str(given["submitted_at"])))
    for number, ids in sorted(numbers.items()):
        if len(ids) > 1:
            found.append(Discrepancy(ids[0], "duplicate", str(number), ", ".join(sorted(ids))))
    for rid, entries in registered.items():
        if rid not in rows:
            found.append(Discrepancy(rid, "missing", "",
                                     str(entries[0].details_dict().get("queue_no"))))
    return found


def queue_rows(ws, soum: str | None = None) -> list[dict]:
    """The register: the requests (of soum P-code ``soum``, or all) in queue order, the
    unregistered ones last, each with its area, its saved check and its decisions.

    Each row: ``queue_no`` (None if not registered), ``submitted_at``, ``request_id``,
    ``applicant``, ``soum_pcode``, ``area_ha`` (geodesic), ``check`` (None, or a dict with
    ``verdict`` 'eligible', 'incomplete' or 'refused', ``ruleset``, ``version``, ``as_of``
    and ``current``: False when the request was changed after the check), ``decision`` (the
    last :data:`DECISIONS` entry, or None) and ``history`` (every log entry about it)."""
    from landtool.workspace import decisions

    with decisions.reading(ws):  # the layer and the log of one moment
        return _queue_rows(ws, soum)


def audit(ws) -> list[Discrepancy]:
    """Every request whose queue number or submission time in the requests layer differs
    from what the decisions log recorded when it was registered, queue numbers given twice,
    and registered requests gone from the layer. The log is tamper-evident; the layer is
    not, so this is what shows a queue edited around landtool. A queue number the log does
    not back (no 'registered' or 'imported' entry) is always a discrepancy: registrations
    made elsewhere are sealed into the log once, on purpose (:func:`seal`)."""
    from landtool.workspace import decisions

    with decisions.reading(ws):  # the layer and the log of one moment
        return _audit(ws)
