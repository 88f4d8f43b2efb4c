"""Draft rulesets (issue 16): an edit of a shipped ruleset saved as a new file, usable wherever a
ruleset is, and flagged wherever it is named: the check's output and JSON, the GeoPackage, and
every page of a submission package's report.

The draft of these tests is mn-asm-2022 with its regular water protection zone widened from
200 m to 300 m (the rule ``water_regular_zone``), as a pending amendment might do."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import subprocess
import tomllib
from pathlib import Path

import geopandas as gpd
import jsonschema
import pytest
from click.testing import CliRunner

from landtool import sample
from landtool.check import compact
from landtool.check.ruleset import (
    DRAFTS_ENV,
    Ruleset,
    list_rulesets,
    load_ruleset,
    rulesets_dir,
    save_draft,
)
from landtool.cli import main
from landtool.errors import RuleConfigError

DRAFT_ID, NOTE = "mn-asm-2022-water300", "Regular water protection zone 200 m -> 300 m (draft)"
FLAG_EN, FLAG_MN = "DRAFT RULESET — NOT A RELEASED REGULATION", "ТӨСӨЛ ДҮРЭМ"


@pytest.fixture(autouse=True)
def drafts(tmp_path, monkeypatch) -> Path:
    """A temporary drafts folder (and home) for each test."""
    folder = tmp_path / "drafts"
    monkeypatch.setenv(DRAFTS_ENV, str(folder))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return folder


def widened(distance_m: float = 300.0) -> Ruleset:
    """mn-asm-2022 with water_regular_zone's distance changed, as an editor would."""
    base = load_ruleset("mn-asm-2022")
    rules = tuple(r.model_copy(update={"params": r.params.model_copy(
        update={"distance_m": distance_m})}) if r.id == "water_regular_zone" else r
        for r in base.rules)
    return base.model_copy(update={"rules": rules})


def save(version: str = "1.1.0", **kw) -> Path:
    return save_draft(widened(), id=kw.pop("id", DRAFT_ID), version=version,
                      change_note=kw.pop("change_note", NOTE), user="officer", **kw)


def test_a_draft_saves_loads_by_id_and_validates(drafts):
    path = save()
    assert path == drafts / DRAFT_ID / "1.1.0.toml"
    # the file alone validates with the model the CLI loads rulesets with
    with open(path, "rb") as fh:
        from_file = Ruleset.model_validate(tomllib.load(fh))
    draft = load_ruleset(DRAFT_ID)
    assert draft == from_file
    assert (draft.id, draft.version, draft.status, draft.is_draft) == \
        (DRAFT_ID, "1.1.0", "draft", True)
    assert (draft.based_on.id, draft.based_on.version) == ("mn-asm-2022", "1.0.0")
    assert (draft.change_note, draft.created_by) == (NOTE, "officer")
    assert draft.created_at is not None and draft.created_at.utcoffset().total_seconds() == 0
    assert draft.label() == f"{DRAFT_ID} 1.1.0 (DRAFT)"
    # only the one parameter differs from the ruleset it was made from
    base = load_ruleset("mn-asm-2022")
    assert not base.is_draft and base.label() == "mn-asm-2022 1.0.0"
    changed = {r.id: (a.params, r.params) for a, r in zip(base.rules, draft.rules, strict=True)
               if a != r}
    assert list(changed) == ["water_regular_zone"]
    before, after = changed["water_regular_zone"]
    assert (before.distance_m, after.distance_m) == (200.0, 300.0)
    assert before.model_copy(update={"distance_m": 300.0}) == after
    assert [r.label() for r in list_rulesets() if r.is_draft] == [f"{DRAFT_ID} 1.1.0 (DRAFT)"]
    assert all(r.status == "released" for r in list_rulesets(drafts=False))


def test_the_shipped_rulesets_are_released():
    for path in sorted(rulesets_dir().glob("*.toml")):
        rs = load_ruleset(path)
        assert rs.status == "released" and not rs.is_draft and "(DRAFT)" not in rs.label()


def test_a_new_version_is_a_new_file_and_the_newest_loads_by_id(drafts):
    first = save("1.1.0")
    text = first.read_text(encoding="utf-8")
    save_draft(widened(350.0), id=DRAFT_ID, version="1.10.0", change_note="350 m")
    save_draft(widened(320.0), id=DRAFT_ID, version="1.9.0", change_note="320 m")
    assert first.read_text(encoding="utf-8") == text
    assert load_ruleset(DRAFT_ID).version == "1.10.0"  # 1.10 after 1.9: numbers, not text
    assert load_ruleset(DRAFT_ID, version="1.1.0").change_note == NOTE
    with pytest.raises(RuleConfigError, match="unknown ruleset"):
        load_ruleset(DRAFT_ID, version="9.9.9")


@pytest.mark.parametrize("shipped", ["mn-asm-2022", "mn-asm-2010", "mn-conclusion-2022"])
def test_a_shipped_id_is_refused(drafts, shipped):
    with pytest.raises(RuleConfigError, match="released ruleset"):
        save(id=shipped)
    assert not drafts.exists() or not any(drafts.rglob("*.toml"))


def test_the_same_id_and_version_is_refused_and_nothing_overwritten(drafts):
    path = save()
    before = path.read_bytes()
    with pytest.raises(RuleConfigError, match="exists already") as err:
        save_draft(widened(999.0), id=DRAFT_ID, version="1.1.0", change_note="other")
    assert err.value.path is not None and Path(str(err.value.path)) == path
    assert path.read_bytes() == before
    assert sorted(p.name for p in (drafts / DRAFT_ID).iterdir()) == ["1.1.0.toml"]


@pytest.mark.parametrize("note", ["", "   \n"])
def test_an_empty_change_note_is_refused(drafts, note):
    with pytest.raises(RuleConfigError, match="what changed and why"):
        save(change_note=note)
    assert not drafts.exists()


@pytest.mark.parametrize("bad_id", ["Mn ASM", "../escape", ""])
def test_an_id_that_is_not_a_plain_name_is_refused(drafts, bad_id):
    with pytest.raises(RuleConfigError, match="cannot be a ruleset id"):
        save(id=bad_id)


def test_an_invalid_edit_is_refused_before_anything_is_written(drafts):
    base = widened()  # model_copy(update=...) validates nothing: save_draft does
    edited = base.model_copy(update={"rules": (
        base.rules[0].model_copy(update={"severity": "maybe"}), *base.rules[1:])})
    with pytest.raises(RuleConfigError, match="severity"):
        save_draft(edited, id=DRAFT_ID, version="1.1.0", change_note=NOTE)
    assert not (drafts / DRAFT_ID / "1.1.0.toml").exists()


def test_a_hand_written_draft_without_a_change_note_names_its_file(drafts):
    path = save()
    text = path.read_text(encoding="utf-8")
    path.write_text("\n".join(line for line in text.splitlines()
                              if not line.startswith("change_note")), encoding="utf-8")
    with pytest.raises(RuleConfigError, match="change_note") as err:
        load_ruleset(DRAFT_ID)
    assert str(path) in str(err.value)
    with pytest.raises(RuleConfigError, match="change_note"):
        load_ruleset(path)
    # a broken draft is left out of the list, not fatal to it
    assert [r.id for r in list_rulesets()] == [r.id for r in list_rulesets(drafts=False)]


def _save_in_process(folder: str, distance: float, barrier, results) -> None:
    barrier.wait()
    try:
        save_draft(widened(distance), id=DRAFT_ID, version="2.0.0", change_note=f"{distance}",
                   folder=folder)
        results.put(("saved", distance))
    except RuleConfigError as exc:
        results.put(("refused", str(exc)))


@pytest.mark.parametrize("attempt", range(3))
def test_two_processes_saving_the_same_version_one_wins(drafts, attempt):
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_save_in_process, args=(str(drafts), d, barrier, results))
             for d in (310.0, 320.0)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    kinds = sorted(k for k, _ in outcomes)
    assert kinds == ["refused", "saved"], outcomes
    assert "exists already" in next(m for k, m in outcomes if k == "refused")
    winner = next(d for k, d in outcomes if k == "saved")
    assert sorted(p.name for p in (drafts / DRAFT_ID).iterdir()) == ["2.0.0.toml"]  # no .part
    saved = load_ruleset(DRAFT_ID)
    assert saved.change_note == f"{winner}"  # the winner's file, whole
    assert next(r for r in saved.rules if r.id == "water_regular_zone").params.distance_m == \
        winner


def test_the_file_system_decides_not_a_check_before_writing(drafts, monkeypatch):
    """Even when the look before writing misses the file (the other process wrote it just
    after), the second save is refused: creating the name is what decides."""
    path = save()
    before = path.read_bytes()
    edited = widened(400.0)
    monkeypatch.setattr(Path, "exists", lambda self: False)
    with pytest.raises(RuleConfigError, match="exists already"):
        save_draft(edited, id=DRAFT_ID, version="1.1.0", change_note="race")
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["1.1.0.toml"]


# -- flagged wherever it is named -----------------------------------------------------------

def run(*args) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def test_check_with_a_draft_says_so_in_its_output_json_and_geopackage(sample_ws, tmp_path):
    save()
    out, gpkg = tmp_path / "c.json", tmp_path / "c.gpkg"
    printed = run("check", "requests", "--workspace", sample_ws, "--ruleset", DRAFT_ID,
                  "--as-of", sample.REFERENCE_DATE, "--json", out, "--out", gpkg)
    first = printed.splitlines()[0]
    assert first.startswith("DRAFT ruleset (not a released regulation, made from mn-asm-2022 "
                            f"1.0.0): ruleset {DRAFT_ID} 1.1.0"), first
    doc = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(doc, json.loads(compact.SCHEMA_PATH.read_text(encoding="utf-8")),
                        format_checker=jsonschema.FormatChecker())
    assert doc["ruleset"]["id"] == DRAFT_ID and doc["ruleset"]["status"] == "draft"
    water = next(r for r in doc["rules"] if r["rule"] == "water_regular_zone")
    assert water is not None
    for layer in ("request_status", "check_results", "eligible_parts"):
        assert set(gpd.read_file(gpkg, layer=layer)["ruleset_status"]) == {"draft"}, layer
    # a released ruleset: no flag, and its JSON head as it always was
    printed = run("check", "requests", "--workspace", sample_ws, "--as-of",
                  sample.REFERENCE_DATE, "--json", out, "--force")
    assert printed.splitlines()[0].startswith("ruleset mn-asm-2022 1.0.0 ")
    assert "DRAFT" not in printed
    assert "status" not in json.loads(out.read_text(encoding="utf-8"))["ruleset"]


def page_texts(pdf: Path) -> list[str]:
    """The text of each page, as poppler's pdftotext reads it (pypdf where it is missing)."""
    if shutil.which("pdftotext") is None:
        from pypdf import PdfReader

        return [p.extract_text() for p in PdfReader(pdf).pages]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(next(ln.split()[-1] for ln in info.stdout.splitlines()
                     if ln.startswith("Pages:")))
    return [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
            for n in range(1, pages + 1)]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["mn", "en"])
def test_a_package_made_with_a_draft_says_so_on_every_page(sample_ws, tmp_path, lang):
    save()
    ws = tmp_path / "ws.gpkg"
    shutil.copy(sample_ws, ws)
    run("check", "requests", "--workspace", ws, "--ruleset", DRAFT_ID, "--as-of",
        sample.REFERENCE_DATE, "--save")
    run("export", "package", "--workspace", ws, "--request", "REQ-2026-005", "--lang", lang,
        "--out", tmp_path / "draft")
    pages = page_texts(tmp_path / "draft" / "report.pdf")
    assert len(pages) >= 5
    for n, text in enumerate(pages, 1):
        flat = " ".join(text.split())
        assert FLAG_EN in flat and FLAG_MN in flat, f"page {n} has no draft flag"
    saved = json.loads((tmp_path / "draft" / "check.json").read_text(encoding="utf-8"))
    assert saved["ruleset"]["status"] == "draft"
    # the printed register names the draft flagged beside each request checked with it
    from landtool.check.ruleset import DRAFT_FLAG
    from landtool.export.register_sheet import register_html
    from landtool.workspace import Workspace

    assert register_html(Workspace(ws), lang=lang).count(DRAFT_FLAG[lang]) == 15


@pytest.mark.slow
def test_a_package_made_with_a_released_ruleset_has_no_draft_flag(sample_ws, tmp_path):
    run("export", "package", "--workspace", sample_ws, "--request", "REQ-2026-005",
        "--out", tmp_path / "released")
    pages = page_texts(tmp_path / "released" / "report.pdf")
    assert len(pages) >= 5
    for n, text in enumerate(pages, 1):
        assert "DRAFT" not in text and FLAG_MN not in text, f"page {n}"
    from landtool.export.register_sheet import register_html
    from landtool.workspace import Workspace

    html = register_html(Workspace(sample_ws), lang="en")
    assert FLAG_EN not in html and FLAG_MN not in html
