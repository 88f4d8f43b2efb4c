"""The ruleset editor, driven offscreen with pytest-qt over the sample workspace.

The expected counts come from two separate ``check_requests`` runs (each with a context of its
own from the workspace file), compared here by hand; never from ``impact()``, which the editor
calls.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import types  # noqa: E402
from datetime import date  # noqa: E402
from typing import Literal, Union, get_args, get_origin  # noqa: E402

import pytest  # noqa: E402
from annotated_types import Ge, Gt  # noqa: E402
from PySide6.QtWidgets import QLabel, QMessageBox  # noqa: E402

from gui.i18n import STRINGS  # noqa: E402
from gui.ruleset_editor import RulesetEditorDialog  # noqa: E402
from gui.ruleset_form import ChoiceEditor, FloatEditor, ModelEditor, TextEditor  # noqa: E402
from gui.state import AppState  # noqa: E402
from landtool.check.context import CheckContext  # noqa: E402
from landtool.check.engine import check_requests  # noqa: E402
from landtool.check.ruleset import PARAMS, Ruleset, list_rulesets, load_ruleset  # noqa: E402
from landtool.workspace import Workspace  # noqa: E402

pytestmark = pytest.mark.gui

AS_OF = date(2026, 11, 23)  # the sample workspace's saved check
WAIT_MS = 20_000


@pytest.fixture(autouse=True)
def own_folders(monkeypatch, tmp_path):
    """Drafts and settings in a temporary folder, never the user's."""
    monkeypatch.setenv("LANDTOOL_RULESETS_DIR", str(tmp_path / "drafts"))
    monkeypatch.setenv("LANDTOOL_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: QMessageBox.StandardButton.Discard))
    return tmp_path / "drafts"


@pytest.fixture(scope="module")
def workspace_frames(sample_ws):
    ws = Workspace(sample_ws)
    return ws, {n: ws.read(n) for n in ws.layer_names()}


@pytest.fixture
def editor(qtbot, workspace_frames):
    ws, frames = workspace_frames
    state = AppState(lang="en")
    state.as_of = AS_OF
    state.set_workspace(ws, frames)
    dialog = RulesetEditorDialog(state)
    qtbot.addWidget(dialog)
    shown = []
    dialog.impactShown.connect(shown.append)
    dialog.show()
    try:
        qtbot.waitUntil(lambda: bool(shown), timeout=WAIT_MS)
    except Exception as exc:  # say what the dialog says (a failed comparison shows why)
        raise AssertionError(f"no comparison shown; the dialog says: {dialog.status.text()!r}, "
                             f"{dialog.counts.text()!r}; task running: "
                             f"{dialog._task is not None and dialog._task.is_running()}\n"
                             + _all_stacks()) from exc
    return dialog


def _all_stacks() -> str:
    """Where every thread of the process is (for a comparison that never comes)."""
    import sys
    import threading
    import traceback

    names = {t.ident: t.name for t in threading.enumerate()}
    return "\n".join(f"--- thread {names.get(ident, ident)}\n" + "".join(traceback.format_stack(f))
                     for ident, f in sys._current_frames().items())


def _form(dialog, rule_id):
    return next(f for f in dialog.forms if f.rule.id == rule_id)


def _change(qtbot, dialog, fn):
    """Apply ``fn`` to the form and wait for the counts of the result."""
    with qtbot.waitSignal(dialog.impactShown, timeout=WAIT_MS) as blocker:
        fn()
    return blocker.args[0]


def _with(rs: Ruleset, rule_id: str, **changes) -> Ruleset:
    """``rs`` with one rule changed (``params`` a dict of parameters to change)."""
    rules = []
    for r in rs.rules:
        if r.id == rule_id:
            params = changes.pop("params", {})
            r = r.model_copy(update={**changes, "params": r.params.model_copy(update=params)})
        rules.append(r)
    return rs.model_copy(update={"rules": tuple(rules)})


def _expected(sample_ws, before: Ruleset, after: Ruleset) -> dict:
    """Two separate checks of the workspace's requests, compared by hand."""
    ws = Workspace(sample_ws)
    reqs = ws.read(ws.layers_of_kind("requests")[0])
    a = check_requests(reqs, before, CheckContext.from_workspace(ws, before, AS_OF))
    b = check_requests(reqs, after, CheckContext.from_workspace(ws, after, AS_OF))
    out = {"requests": len(a.requests), "eligible_before": 0, "eligible_after": 0,
           "became_eligible": 0, "became_refused": 0, "ha_before": 0.0, "ha_after": 0.0,
           "changes": {}}
    for ra, rb in zip(a.requests, b.requests, strict=True):
        assert ra.id == rb.id
        out["eligible_before"] += ra.eligible
        out["eligible_after"] += rb.eligible
        out["ha_before"] += ra.eligible_area_ha if ra.eligible else 0.0
        out["ha_after"] += rb.eligible_area_ha if rb.eligible else 0.0
        if ra.eligible != rb.eligible:
            out["became_eligible" if rb.eligible else "became_refused"] += 1
            fa = {x.rule for x in ra.results if x.status == "fail"}
            fb = {x.rule for x in rb.results if x.status == "fail"}
            out["changes"][ra.id] = (ra.eligible, rb.eligible, sorted(fb - fa), sorted(fa - fb))
    return out


def _assert_shown(dialog, result, expected) -> None:
    t = result.totals()
    for key in ("requests", "eligible_before", "eligible_after", "became_eligible",
                "became_refused"):
        assert t[key] == expected[key], key
    assert t["allocatable_ha_before"] == pytest.approx(expected["ha_before"], abs=1e-4)
    assert t["allocatable_ha_after"] == pytest.approx(expected["ha_after"], abs=1e-4)
    text = dialog.counts.text()
    assert f"Eligible: <b>{expected['eligible_before']} → {expected['eligible_after']}</b>" \
        in text
    assert f"became refused: <b>{expected['became_refused']}</b>" in text
    assert f"{expected['ha_after']:,.2f} ha" in text
    rows = {dialog.changes.topLevelItem(i).text(0): dialog.changes.topLevelItem(i)
            for i in range(dialog.changes.topLevelItemCount())}
    assert set(rows) == set(expected["changes"])
    for rid, (before, after, refusing, released) in expected["changes"].items():
        item = rows[rid]
        assert item.text(1) == ("refused → eligible" if after else "eligible → refused")
        for rule in refusing:
            assert rule in item.text(2)
        for rule in released:
            assert rule in item.text(2)
        assert before != after


# -- the form ------------------------------------------------------------------------------------
def test_one_typed_field_per_parameter_with_the_models_bounds(editor):
    rs = load_ruleset("mn-asm-2022")
    assert [f.rule.id for f in editor.forms] == [r.id for r in rs.rules]
    for form, rule in zip(editor.forms, rs.rules, strict=True):
        model = PARAMS[rule.type]
        assert set(form.params.editors) == set(model.model_fields), rule.id
        for name, info in model.model_fields.items():
            e = form.params.editors[name]
            union = get_origin(info.annotation) in (Union, types.UnionType)
            args = [a for a in get_args(info.annotation) if a is not type(None)] \
                if union else [info.annotation]
            if args == [float]:
                assert isinstance(e, FloatEditor), (rule.id, name)
                for bound in info.metadata:
                    if isinstance(bound, Ge):
                        assert e.spin.minimum() == bound.ge
                    if isinstance(bound, Gt):
                        assert e.spin.minimum() > bound.gt
                unit = {"_m2": " m²", "_ha": " ha", "_m": " m"}
                suffix = next((u for end, u in unit.items() if name.endswith(end)), "")
                assert e.spin.suffix() == suffix, (rule.id, name)
                assert (e.no_limit is not None) == (type(None) in get_args(info.annotation))
                value = getattr(rule.params, name)
                assert e.value() == pytest.approx(value) if value is not None else \
                    e.no_limit.isChecked()
            elif get_origin(args[0]) is Literal:
                assert isinstance(e, ChoiceEditor)
                values = [e.combo.itemData(i) for i in range(e.combo.count())]
                assert values == list(get_args(args[0]))
                assert e.value() == getattr(rule.params, name)
            elif get_origin(args[0]) is tuple:
                assert isinstance(e, TextEditor) and e.kind == "list"
                assert e.value() == getattr(rule.params, name)
            elif len(args) == 1 and hasattr(args[0], "model_fields"):
                assert isinstance(e, ModelEditor)
            else:
                assert isinstance(e, TextEditor)
        assert form.enabled.isChecked() == rule.enabled
        assert form.severity.value() == rule.severity
        assert form.confidence.value() == rule.confidence
        sev = [form.severity.combo.itemData(i) for i in range(form.severity.combo.count())]
        assert sev == ["fail", "warn"]
    distance = _form(editor, "water_regular_zone").params.editors["distance_m"]
    assert distance.spin.minimum() > 0 and distance.value() == 200.0
    area = _form(editor, "max_area").params.editors
    assert area["min_ha"].no_limit.isChecked() and not area["max_ha"].no_limit.isChecked()
    assert area["max_ha"].spin.minimum() > 0 and area["min_ha"].spin.minimum() == 0
    # an unchanged form is the ruleset itself: nothing changes
    assert editor.edited.model_dump() == rs.model_dump()
    assert editor.shown.totals()["became_refused"] == 0 == editor.changes.topLevelItemCount()


# -- the live impact ---------------------------------------------------------------------------
def test_a_wider_water_zone_changes_the_counts_as_two_checks_say(editor, qtbot, sample_ws):
    distance = _form(editor, "water_regular_zone").params.editors["distance_m"]
    result = _change(qtbot, editor, lambda: distance.spin.setValue(1000.0))
    rs = load_ruleset("mn-asm-2022")
    expected = _expected(sample_ws, rs, _with(rs, "water_regular_zone",
                                              params={"distance_m": 1000.0}))
    assert expected["became_refused"] > 0  # the change matters on the sample
    _assert_shown(editor, result, expected)
    assert "water_regular_zone: params.distance_m 200.0 → 1000.0" in editor.diff.text()


def test_max_area_failing_refuses_the_large_requests_as_two_checks_say(editor, qtbot,
                                                                      sample_ws):
    severity = _form(editor, "max_area").severity
    result = _change(qtbot, editor, lambda: severity.combo.setCurrentIndex(
        severity.combo.findData("fail")))
    rs = load_ruleset("mn-asm-2022")
    expected = _expected(sample_ws, rs, _with(rs, "max_area", severity="fail"))
    assert expected["became_refused"] >= 1
    _assert_shown(editor, result, expected)
    for rid in expected["changes"]:
        assert "max_area" in result.changes[[c.id for c in result.changes].index(rid)] \
            .responsible["after"]


def test_only_the_latest_change_is_shown(editor, qtbot, sample_ws):
    distance = _form(editor, "water_regular_zone").params.editors["distance_m"]
    for value in (300.0, 600.0, 900.0, 250.0):  # a burst: earlier results are dropped
        distance.spin.setValue(value)
    qtbot.waitUntil(lambda: editor.shown.after.ruleset is editor.edited
                    and editor._task is None, timeout=WAIT_MS)
    rs = load_ruleset("mn-asm-2022")
    expected = _expected(sample_ws, rs, _with(rs, "water_regular_zone",
                                              params={"distance_m": 250.0}))
    _assert_shown(editor, editor.shown, expected)


def test_reset_and_undo_bring_the_opened_values_back(editor, qtbot):
    distance = _form(editor, "water_regular_zone").params.editors["distance_m"]
    severity = _form(editor, "max_area").severity
    _change(qtbot, editor, lambda: distance.spin.setValue(700.0))
    water = _form(editor, "water_regular_zone")
    assert water.title().endswith("— changed") and distance.styleSheet()
    assert not _form(editor, "max_area").title().endswith("— changed")
    qtbot.wait(1100)  # another field, later: its own undo step
    _change(qtbot, editor, lambda: severity.combo.setCurrentIndex(0))
    assert severity.value() == "fail"
    editor.undo()
    assert severity.value() == "warn" and distance.value() == 700.0
    editor.reset()
    assert distance.value() == 200.0
    assert not water.title().endswith("— changed") and not distance.styleSheet()
    assert editor.edited.model_dump() == load_ruleset("mn-asm-2022").model_dump()
    editor.undo()  # the reset itself is undone
    assert distance.value() == 700.0


# -- invalid values ------------------------------------------------------------------------------
def test_an_invalid_value_shows_the_models_message_and_disables_saving(editor, qtbot):
    editor.note.setPlainText("members as text")
    members = _form(editor, "min_members")
    members.params.editors["value"].edit.setText("five")
    members.params.editors["value"].edit.textEdited.emit("five")
    assert editor.edited is None
    assert members.problem.isVisible()
    assert "compares numbers" in members.problem.text()
    assert editor.problem.isVisible() and not editor.save_button.isEnabled()
    texts = [w.text() for w in editor.findChildren(QLabel)]
    assert not any("Traceback" in t for t in texts)
    # an empty list of layer kinds: the model's minimum length
    layers = _form(editor, "no_forest").params.editors["layers"]
    layers.edit.setText("")
    layers.edit.textEdited.emit("")
    assert "at least 1 item" in _form(editor, "no_forest").problem.text()
    # fixed again: computed and savable
    members.params.editors["value"].edit.setText("7")
    layers.edit.setText("forest")
    _change(qtbot, editor, lambda: layers.edit.textEdited.emit("forest"))
    assert editor.edited is not None and editor.save_button.isEnabled()
    assert not members.problem.isVisible()


# -- saving --------------------------------------------------------------------------------------
def test_an_empty_note_disables_save(editor):
    assert not editor.save_button.isEnabled()
    assert "note is required" in editor.hint.text()
    editor.note.setPlainText("   \n ")
    assert not editor.save_button.isEnabled()
    editor.note.setPlainText("Water zone 200 → 300 m (draft amendment)")
    assert editor.save_button.isEnabled() and editor.hint.text() == ""


def test_saving_writes_a_draft_that_load_ruleset_finds(editor, qtbot, own_folders):
    distance = _form(editor, "water_regular_zone").params.editors["distance_m"]
    _change(qtbot, editor, lambda: distance.spin.setValue(300.0))
    editor.new_id.setText("mn-asm-2022-water300")
    editor.new_version.setText("1.1.0")
    editor.note.setPlainText("Water protection zone 200 m → 300 m (draft amendment)")
    with qtbot.waitSignal(editor.saved) as blocker:
        editor.save_button.click()
    path, draft = blocker.args
    assert path.is_relative_to(own_folders) and path.exists()
    loaded = load_ruleset("mn-asm-2022-water300")
    assert loaded.is_draft and loaded.version == "1.1.0"
    assert loaded.based_on.id == "mn-asm-2022" and loaded.based_on.version == "1.0.0"
    assert loaded.change_note.startswith("Water protection zone")
    rule = next(r for r in loaded.rules if r.id == "water_regular_zone")
    assert rule.params.distance_m == 300.0
    assert Ruleset.model_validate(loaded.model_dump()) == loaded  # the CLI's model
    assert "mn-asm-2022-water300" in [r.id for r in list_rulesets()]
    items = [editor.chooser.itemText(i) for i in range(editor.chooser.count())]
    assert any("(mn-asm-2022-water300) 1.1.0 — DRAFT" in t for t in items)
    assert "Saved" in editor.hint.text()
    # the same id and version again: refused, the first file kept
    before = path.read_bytes()
    editor.save_button.click()
    assert "exists already" in editor.hint.text() and path.read_bytes() == before


def test_a_shipped_id_is_refused_and_nothing_is_written(editor, own_folders):
    editor.new_id.setText("mn-asm-2022")
    editor.new_version.setText("9.9.9")
    editor.note.setPlainText("try to replace the shipped file")
    shipped = (load_ruleset("mn-asm-2022"), sorted(p.name for p in own_folders.parent.iterdir()))
    assert editor.save() is None
    assert "released ruleset" in editor.hint.text()
    assert not own_folders.exists() or not any(own_folders.rglob("*"))
    assert load_ruleset("mn-asm-2022") == shipped[0]


def test_a_draft_opens_in_the_editor_with_its_next_version(editor, qtbot):
    from landtool.check.ruleset import save_draft

    base = load_ruleset("mn-asm-2022")
    save_draft(base, id="mn-asm-2022-test", version="1.0.0", change_note="a test draft")
    editor._fill_chooser()
    index = next(i for i in range(editor.chooser.count())
                 if editor.chooser.itemData(i).id == "mn-asm-2022-test")
    assert editor.chooser.itemText(index).endswith("DRAFT")
    with qtbot.waitSignal(editor.impactShown, timeout=WAIT_MS):
        editor.chooser.activated.emit(index)
    assert editor.opened.is_draft and editor.new_id.text() == "mn-asm-2022-test"
    assert editor.new_version.text() == "1.0.1"


# -- the window ----------------------------------------------------------------------------------
def test_the_menu_opens_the_editor_and_a_saved_draft_is_listed_as_draft(qtbot, sample_ws):
    from gui.main_window import MainWindow

    win = MainWindow(lang="en")
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.workspaceLoaded, timeout=60_000):
        win.open_workspace(sample_ws)
    action = win.act["edit_ruleset"]
    assert action.text() == "&Edit a ruleset…"
    tools = next(m for m, key in win.menu_titles if key == "menu.tools")
    assert action in tools.actions()
    action.trigger()
    dialog = win.findChild(RulesetEditorDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.shown is not None, timeout=WAIT_MS)
    dialog.new_id.setText("mn-asm-2022-menu")
    dialog.note.setPlainText("listed in the menu")
    dialog.save()
    texts = [a.text() for a in win.rulesets.actions()]
    draft = [t for t in texts if "mn-asm-2022-menu" in t]
    assert len(draft) == 1 and draft[0].endswith("— DRAFT")
    dialog.close()
    chosen = next(a for a in win.rulesets.actions() if "mn-asm-2022-menu" in a.text())
    chosen.trigger()
    assert win.state.ruleset.id == "mn-asm-2022-menu" and win.state.ruleset.is_draft
    assert "(DRAFT)" in win.ruleset_label.text()


def test_every_key_the_editor_makes_exists_in_both_languages():
    keys = {f"editor.col.{c}" for c in ("request", "verdict", "rules")}
    keys |= {"unit.m", "unit.m2", "unit.ha"}
    keys |= {f"param.{n}" for model in PARAMS.values() for n in model.model_fields}
    from landtool.check.ruleset import Filter

    keys |= {f"param.{n}" for n in Filter.model_fields}
    missing = keys - set(STRINGS)
    assert not missing
    for key in keys:
        assert all(s.strip() for s in STRINGS[key])


def test_without_a_workspace_the_editor_says_so_and_still_saves(qtbot, own_folders):
    state = AppState(lang="en")
    dialog = RulesetEditorDialog(state)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: "no requests" in dialog.counts.text(), timeout=WAIT_MS)
    assert dialog.shown is None
    dialog.note.setPlainText("saved with no workspace open")
    path = dialog.save()
    assert path is not None and load_ruleset("mn-asm-2022-draft").is_draft
