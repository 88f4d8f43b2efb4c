"""The printable register: a soum's queue of requests, with each request's check and
decisions, and the decisions log with the state of its hash chain, as one HTML page to print
(A4 landscape) in Mongolian or English.

A printed copy is also a witness: it carries the number of log entries and the last entry's
hash, so a log cut and rewritten later no longer matches the paper.
"""

from __future__ import annotations

import getpass
import html
import json
from datetime import UTC, datetime
from pathlib import Path

from landtool.export.report import LANGS, admin_name, number
from landtool.geodesy import AREA_METHOD, AREA_METHOD_MN
from landtool.register import MONGOLIA_TZ, audit, decision_name, mongolian_time, queue_rows
from landtool.witness import witness as witness_doc
from landtool.workspace import decisions

TEXT = {
    "mn": {
        "title": "Бичил уурхайн газар олгох хүсэлтийн бүртгэл",
        "aimag": "аймаг", "soum": "сум", "workspace": "Ажлын орчин",
        "printed": "Хэвлэсэн: {when} (Монголын цаг), {user}",
        "order": "Хүсэлтүүдийг бүртгэлийн дарааллын дугаараар жагсаав: эхэнд бүртгэгдсэн "
                 "хүсэлт давуу эрхтэй. Бүртгэгдээгүй хүсэлтүүдийг сүүлд нь дугааргүй оруулав.",
        "no": "№", "submitted": "Ирүүлсэн (Монголын цаг)", "request": "Хүсэлт",
        "applicant": "Хүсэлт гаргагч", "area": "Талбай, га", "check": "Шалгалтын дүн",
        "decision": "Сүүлийн шийдвэр", "none": "—",
        "eligible": "шаардлага хангасан", "refused": "шаардлага хангаагүй",
        "incomplete": "шалгасан хэмжээнд хангасан (зарим дүрмийг шалгаагүй)",
        "not_checked": "шалгаагүй",
        "stale": "шалгалтаас хойш хүсэлтийн хил өөрчлөгдсөн",
        "document": "№ {doc}",
        "log": "Шийдвэрийн бүртгэл",
        "log_intro": "Шийдвэр бүрийг цаг, хэрэглэгч, шийдвэрийн үндэслэл болсон мэдээллийн "
                     "хэшийн хамт, өмнөх бичлэгийнхээ хэштэй гинжлэн хадгална.",
        "log_some": "Энд дээрх хүсэлтүүдийн тухай {shown} бичлэгийг харуулав (бүх бүртгэлд "
                    "{total} бичлэг).",
        "seq": "№", "at": "Огноо, цаг", "user": "Хэрэглэгч", "what": "Шийдвэр",
        "subject": "Хүсэлт / талбай", "doc": "Баримт бичиг", "hash": "Хэш (эхний 16 тэмдэгт)",
        "log_empty": "Бүртгэлд шийдвэр байхгүй.",
        "chain": "Гинжийн шалгалт",
        "queue_ok": "Хүсэлтүүдийн дарааллын дугаар, ирүүлсэн цаг бүртгэлд тэмдэглэсэнтэй таарч "
                    "байна.",
        "queue_bad": "Дараах хүсэлтийн дарааллын мэдээлэл шийдвэрийн бүртгэлтэй таарахгүй "
                     "(давхаргыг бүртгэлээс гадуур өөрчилсөн байж болзошгүй):",
        "chain_bad": "ГИНЖ ТАСАРСАН: {text}. Бүртгэлд өөрчлөлт орсон байж болзошгүй тул "
                     "хэвлэсэн өмнөх хуулбартай тулгана уу.",
        "witness": "Энэ хуудсыг хадгална уу: бүртгэлд одоо {count} бичлэг байгаа бөгөөд "
                   "сүүлийн бичлэгийн хэш нь {hash}. Хожим бүртгэлийг тайрч, дахин бичсэн "
                   "бол энэ дугаар, хэштэй таарахгүй.",
        "witness_json": "Гэрчийн JSON (`landtool register verify --witness` эсвэл нийтэлсэн "
                        "бүртгэлийн хуудсанд буулгаж шалгана):",
        "areas": "Талбайг {method} аргаар тооцов.",
        "sign": "Бүртгэл хөтөлсөн", "sign_name": "Овог, нэр", "sign_position": "Албан тушаал",
        "sign_signature": "Гарын үсэг", "sign_date": "Огноо",
    },
    "en": {
        "title": "Register of requests for ASM land",
        "aimag": "aimag", "soum": "soum", "workspace": "Workspace",
        "printed": "Printed {when} (Mongolian time) by {user}",
        "order": "Requests are listed by queue number: the one registered first has priority. "
                 "Requests not yet registered follow, without a number.",
        "no": "No.", "submitted": "Submitted (Mongolian time)", "request": "Request",
        "applicant": "Applicant", "area": "Area, ha", "check": "Check",
        "decision": "Latest decision", "none": "—",
        "eligible": "eligible", "refused": "not eligible",
        "incomplete": "eligible as far as checked (some rules not checked)",
        "not_checked": "not checked",
        "stale": "the request's boundary was changed after this check",
        "document": "no. {doc}",
        "log": "Decisions log",
        "log_intro": "Every decision is kept with its time, user and a hash of the data it "
                     "was based on, chained to the hash of the entry before it.",
        "log_some": "Shown here: the {shown} entries about the requests above (the whole log "
                    "holds {total}).",
        "seq": "No.", "at": "Date, time", "user": "User", "what": "Decision",
        "subject": "Request / parcel", "doc": "Document", "hash": "Hash (first 16 characters)",
        "log_empty": "The log holds no decisions.",
        "chain": "Chain check",
        "queue_ok": "Every request's queue number and submission time agree with the log.",
        "queue_bad": "The queue of these requests does not agree with the decisions log (the "
                     "layer may have been changed around it):",
        "chain_bad": "THE CHAIN IS BROKEN: {text}. The log may have been altered: compare it "
                     "with an earlier printed copy.",
        "witness": "Keep this page: the log now holds {count} entries and the last entry's "
                   "hash is {hash}. A log cut and rewritten later will not match this number "
                   "and hash.",
        "witness_json": "The witness as JSON (check it with `landtool register verify "
                        "--witness`, or paste it into the published register page):",
        "areas": "Areas: {method}.",
        "sign": "Register kept by", "sign_name": "Name", "sign_position": "Position",
        "sign_signature": "Signature", "sign_date": "Date",
    },
}

_STYLE = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 9.5pt; margin: 1.5em; }
h1 { font-size: 15pt; margin: 0 0 .2em; } h2 { font-size: 12pt; margin: 1.4em 0 .3em; }
p { margin: .3em 0; } .sub { color: #333; } .small { font-size: 8pt; color: #444; }
table { border-collapse: collapse; width: 99.5%; margin: .4em 0; table-layout: fixed; }
th, td { border: 1px solid #888; padding: 3px 5px; vertical-align: top; text-align: left;
          overflow-wrap: anywhere; }
.id { white-space: nowrap; } .keep { page-break-inside: avoid; }
th { background: #eee; } thead { display: table-header-group; }
tr { page-break-inside: avoid; } td.num { text-align: right; white-space: nowrap; }
code { font-size: 8.5pt; overflow-wrap: anywhere; }
.bad { color: #b00; font-weight: bold; } .ok { color: #060; }
.stale { color: #b00; font-size: 8pt; }
.sign td { border: none; padding: 1.2em 1em .2em 0; width: 25%; }
.sign span { display: block; border-top: 1px solid #000; padding-top: 2px; font-size: 8pt; }
@media print { body { margin: 0; } }
"""


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _unit(ws, kind: str, field: str, value: str) -> dict | None:
    for name in ws.layers_of_kind(kind):
        gdf = ws.read(name)
        if field in gdf.columns:
            hit = gdf[gdf[field].astype(str) == str(value)]
            if len(hit):
                return {k: str(hit.iloc[0].get(k, "") or "") for k in
                        ("pcode", "name_en", "name_mn", "aimag_pcode")}
    return None


def _place(ws, soum: str | None, lang: str) -> str:
    """'Сэлэнгэ аймаг, Мандал сум' for the soum P-code ``soum`` (its P-code if unknown)."""
    if not soum:
        return ""
    t = TEXT[lang]
    unit = _unit(ws, "soums", "pcode", soum)
    if unit is None:
        return f"{t['soum']} {soum}"
    aimag = _unit(ws, "aimags", "pcode", unit["aimag_pcode"]) if unit["aimag_pcode"] else None
    place = f"{admin_name(unit, lang)} {t['soum']}"
    return (f"{admin_name(aimag, lang)} {t['aimag']}, " if aimag else "") + place


def _is_draft(ruleset_id: str, version: str) -> bool:
    """True if the ruleset a check names is a draft (one not shipped in layers/rulesets that
    the drafts folder holds as a draft)."""
    from landtool.check.ruleset import load_ruleset, rulesets_dir
    from landtool.errors import LandtoolError

    if (rulesets_dir() / f"{ruleset_id}.toml").exists():
        return False
    try:
        return load_ruleset(ruleset_id, version=version).is_draft
    except LandtoolError:
        return False


def _check_cell(check: dict | None, t: dict, lang: str) -> str:
    from landtool.check.ruleset import DRAFT_FLAG

    if check is None:
        return _e(t["not_checked"])
    cell = (f"{_e(t[check['verdict']])}<br><span class=small>{_e(check['ruleset'])} "
            f"{_e(check['version'])} · {_e(check['as_of'])}</span>")
    if _is_draft(check["ruleset"], check["version"]):
        cell += f"<br><span class=stale>{_e(DRAFT_FLAG[lang])}</span>"
    if not check["current"]:
        cell += f"<br><span class=stale>{_e(t['stale'])}</span>"
    return cell


def _decision_cell(entry, t: dict, lang: str) -> str:
    if entry is None:
        return _e(t["none"])
    doc = entry.details_dict().get("resolution")
    return (_e(decision_name(entry.action, lang))
            + (f" {_e(t['document'].format(doc=doc))}" if doc else "")
            + f"<br><span class=small>{_e(mongolian_time(entry.at))}</span>")


def register_html(ws, *, soum: str | None = None, lang: str = "mn",
                  user: str | None = None, now: datetime | None = None) -> str:
    """The printable register of ``ws`` (the requests of soum P-code ``soum``, or all), as a
    whole HTML page in ``lang`` ('mn' or 'en'); ``user`` is who prints it."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    with decisions.reading(ws):  # the queue, the log and the checks of one moment
        return _page(ws, soum, lang, user, now)


def _page(ws, soum, lang, user, now) -> str:
    t = TEXT[lang]
    rows = queue_rows(ws, soum)
    log = decisions.entries(ws)
    state = decisions.verify(ws)
    seen = witness_doc(ws, at=now, log=log)
    shown_ids = {r["request_id"] for r in rows}
    shown = [e for e in log if e.subject in shown_ids] if soum else log
    printed = (now or datetime.now(UTC)).astimezone(MONGOLIA_TZ).strftime("%Y-%m-%d %H:%M")
    who = user or (ws.user() if ws.shared else getpass.getuser())
    place = _place(ws, soum, lang)

    queue = "".join(
        "<tr>"
        f"<td class=num>{_e(r['queue_no'] if r['queue_no'] is not None else t['none'])}</td>"
        f"<td>{_e(mongolian_time(r['submitted_at']) if r['submitted_at'] else t['none'])}</td>"
        f"<td class=id>{_e(r['request_id'])}</td><td>{_e(r['applicant'])}</td>"
        f"<td class=num>{_e(number(r['area_ha'], 2))}</td>"
        f"<td>{_check_cell(r['check'], t, lang)}</td>"
        f"<td>{_decision_cell(r['decision'], t, lang)}</td></tr>" for r in rows)
    entries = "".join(
        "<tr>"
        f"<td class=num>{e.seq}</td><td>{_e(mongolian_time(e.at))}</td><td>{_e(e.user)}</td>"
        f"<td>{_e(decision_name(e.action, lang))}</td><td>{_e(e.subject)}</td>"
        f"<td>{_e(e.details_dict().get('resolution') or '')}</td>"
        f"<td><code>{_e(e.hash[:16])}</code></td></tr>" for e in shown)
    if state.intact:
        found = state.text(lang)
        chain = f"<p class=ok>{_e(found[:1].upper() + found[1:])}.</p>"
    else:
        chain = f"<p class=bad>{_e(t['chain_bad'].format(text=state.text(lang)))}</p>"
    discrepancies = [d for d in audit(ws) if not soum or d.request_id in shown_ids]
    if discrepancies:
        chain += (f"<p class=bad>{_e(t['queue_bad'])}</p><ul>"
                  + "".join(f"<li{'' if d.serious else ' class=small'}>{_e(d.text(lang))}</li>"
                            for d in discrepancies) + "</ul>")
    else:
        chain += f"<p class=ok>{_e(t['queue_ok'])}</p>"
    last_hash = log[-1].hash if log else decisions.GENESIS
    method = AREA_METHOD_MN if lang == "mn" else AREA_METHOD
    witness = _e(t["witness"].format(count=len(log), hash="\0")).replace(
        "\0", f"<code>{_e(last_hash)}</code>")
    sign = "".join(f"<td><span>{_e(t[k])}</span></td>"
                   for k in ("sign_name", "sign_position", "sign_signature", "sign_date"))
    log_part = (
        (f"<p class=small>{_e(t['log_some'].format(shown=len(shown), total=len(log)))}</p>"
         if soum else "")
        + ("<table><colgroup><col style='width:5%'><col style='width:12%'>"
           "<col style='width:15%'><col style='width:20%'><col style='width:14%'>"
           "<col style='width:16%'><col style='width:18%'></colgroup>"
           f"<thead><tr><th>{_e(t['seq'])}</th><th>{_e(t['at'])}</th>"
           f"<th>{_e(t['user'])}</th><th>{_e(t['what'])}</th><th>{_e(t['subject'])}</th>"
           f"<th>{_e(t['doc'])}</th><th>{_e(t['hash'])}</th></tr></thead>"
           f"<tbody>{entries}</tbody></table>" if shown else f"<p>{_e(t['log_empty'])}</p>"))
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{_e(t['title'])}</title>
<style>{_STYLE}</style></head><body>
<h1>{_e(t['title'])}</h1>
<p class=sub>{_e(place + ' · ' if place else '')}{_e(t['workspace'])}: {_e(ws.path.name)}</p>
<p class=small>{_e(t['printed'].format(when=printed, user=who))}</p>
<p>{_e(t['order'])}</p>
<table><colgroup><col style="width:4%"><col style="width:12%"><col style="width:11%">
<col style="width:17%"><col style="width:6%"><col style="width:25%"><col style="width:25%">
</colgroup><thead><tr><th>{_e(t['no'])}</th><th>{_e(t['submitted'])}</th>
<th>{_e(t['request'])}</th><th>{_e(t['applicant'])}</th><th>{_e(t['area'])}</th>
<th>{_e(t['check'])}</th><th>{_e(t['decision'])}</th></tr></thead>
<tbody>{queue}</tbody></table>
<p class=small>{_e(t['areas'].format(method=method))}</p>
<h2>{_e(t['log'])}</h2>
<p class=small>{_e(t['log_intro'])}</p>
{log_part}
<div class=keep><h2>{_e(t['chain'])}</h2>
{chain}
<p>{witness}</p>
<p class=small>{_e(t['witness_json'])}<br><code>{_e(json.dumps(seen, ensure_ascii=False,
                                                            sort_keys=True))}</code></p></div>
<div class=keep><h2>{_e(t['sign'])}</h2>
<table class=sign><tr>{sign}</tr></table></div>
</body></html>
"""


def write_register(ws, out: str | Path, *, soum: str | None = None, lang: str = "mn",
                   overwrite: bool = False, user: str | None = None) -> Path:
    """Write :func:`register_html` to ``out`` (an .html file), all at once: an existing file
    is refused unless ``overwrite``, and an interrupted write leaves nothing half-written."""
    from landtool.io.formats import atomic_path, check_writable

    out = Path(out)
    check_writable(out, overwrite=overwrite)
    page = register_html(ws, soum=soum, lang=lang, user=user)
    with atomic_path(out) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return out
