"""The window's actions, menus and toolbar: built once on the window (``window.act``, the
menus, ``window.toolbar``, ``window.recent_menu``, ``window.rulesets``), retitled when the
language changes and enabled as the workspace and the selection change. The actions only call
the window and its flows (:mod:`gui.workspace_loader`, :mod:`gui.export_dialog`, ...).
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QStyle, QToolBar

from gui import check_panel, decision_dialog, dialogs
from gui.attributes_dialog import edit_selected, register_selected
from gui.i18n import ruleset_name, tr
from landtool.location import as_location


def install(window) -> None:
    """Give ``window`` its actions, menus and toolbar, and keep them enabled as they apply."""
    build_actions(window)
    build_menus(window)
    window.state.workspaceChanged.connect(lambda: enable_actions(window))
    window.state.selectionChanged.connect(lambda _rid: enable_actions(window))
    window.state.workspaceRenamed.connect(lambda _path: enable_actions(window))


def build_actions(window) -> None:
    K, P = QKeySequence.StandardKey, QStyle.StandardPixmap
    canvas = window.canvas
    spec = [  # key, what it does, shortcut, icon
        ("new", window.new_workspace, K.New, P.SP_FileIcon),
        ("open", lambda: window.files.choose(), K.Open, P.SP_DialogOpenButton),
        ("open_sample", window.open_sample_workspace, None, None),
        ("open_shared", lambda: window.open_shared_workspace(), None, None),
        ("connected", lambda: window.shared_status.show_connected(), None, None),
        ("save", window.save, K.Save, P.SP_DialogSaveButton),
        ("save_as", window.save_as, K.SaveAs, None),
        ("import", lambda: window.importer.choose_file(), "Ctrl+I", None),
        ("export_map", lambda: window.exporter.start("map"), K.Print, None),
        ("export_package", lambda: window.exporter.start("package"), "Ctrl+E", None),
        ("export_gpx", lambda: _export_gpx(window), None, None),
        ("quit", window.close, "Ctrl+Q", None),
        ("clear_recent", lambda: clear_recent(window), None, None),
        ("attributes", lambda: edit_selected(window, window.state), "F2", None),
        ("register", lambda: register_selected(window, window.state), "Ctrl+R", None),
        ("decide", lambda: decision_dialog.decide_selected(window, window.state), "Ctrl+D",
         None),
        ("print_register", lambda: decision_dialog.print_register(window, window.state), None,
         None),
        ("print_receipt", lambda: decision_dialog.print_receipt(window, window.state), None,
         None),
        ("view_map", lambda: window.set_view("map"), "F5", None),
        ("view_rehab", lambda: window.set_view("rehab"), "F6", None),
        ("zoom_all", canvas.zoom_to_all, "Ctrl+0", None),
        ("zoom_selection", canvas.zoom_to_selection, "Ctrl+J", None),
        ("check_all", lambda: check_panel.check_all(window), "F9", None),
        ("check_date", lambda: check_panel.ask_check_date(window), None, None),
        ("edit_ruleset", lambda: _edit_ruleset(window), None, None),
        ("find_land", lambda: _find_land(window), None, None),
        ("about", lambda: dialogs.show_about(window, window.lang), None, None),
    ]
    window.act = {}
    for key, slot, shortcut, icon in spec:
        action = QAction(window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            action.setIcon(window.style().standardIcon(icon))
        action.triggered.connect(lambda _checked=False, fn=slot: fn())
        window.act[key] = action
    window.addActions(list(window.act.values()))
    window.open_action, window.quit_action = window.act["open"], window.act["quit"]
    window.zoom_all_action, window.about_action = window.act["zoom_all"], window.act["about"]
    views, langs = QActionGroup(window), QActionGroup(window)
    for key in ("view_map", "view_rehab"):
        window.act[key].setCheckable(True)
        views.addAction(window.act[key])
    for lang, name in (("en", "English"), ("mn", "Монгол")):
        action = QAction(name, window, checkable=True)
        action.triggered.connect(lambda _checked=False, code=lang: window.set_language(code))
        langs.addAction(action)
        window.act[f"lang_{lang}"] = action
    window.rulesets = QActionGroup(window)
    _list_rulesets(window)
    for key in ("save", "save_as", "import", "export_map", "export_package", "export_gpx",
                "check_all", "connected", "print_register"):
        window.act[key].setEnabled(False)
    for key in ("attributes", "register", "decide", "print_receipt", "export_package",
                "zoom_selection"):
        window.act[key].setEnabled(False)


def build_menus(window) -> None:
    a, tools = window.act, window.editing.actions()
    arrows = (QStyle.StandardPixmap.SP_ArrowBack, QStyle.StandardPixmap.SP_ArrowForward)
    for action, icon in zip(tools[5:7], arrows, strict=True):  # undo and redo
        if action.icon().isNull():
            action.setIcon(window.style().standardIcon(icon))
    window.menu_titles = []

    def menu(key: str, parent=None) -> QMenu:
        m = (parent or window.menuBar()).addMenu("")
        window.menu_titles.append((m, key))
        return m

    def fill(m: QMenu, *items) -> None:
        for item in items:
            m.addSeparator() if item is None else m.addAction(item)

    file = menu("menu.file")
    fill(file, a["new"], a["open"], a["open_sample"], a["open_shared"])
    window.recent_menu = menu("menu.recent", file)
    fill(file, a["connected"], None, a["save"], a["save_as"], None, a["import"], None,
         a["export_map"], a["export_package"], a["export_gpx"], a["print_register"], None,
         a["quit"])
    fill(menu("menu.edit"), *tools[5:], None, *tools[:5], None, a["attributes"],
         a["register"], a["print_receipt"], a["decide"])
    view = menu("menu.view")
    fill(view, a["view_map"], a["view_rehab"], None, a["zoom_all"], a["zoom_selection"], None)
    window.toolbar = QToolBar(window)
    window.toolbar.setObjectName("main_toolbar")
    view.addActions([d.toggleViewAction() for d in window.docks.values()])
    view.addAction(window.toolbar.toggleViewAction())
    view.addSeparator()
    fill(menu("menu.language", view), a["lang_en"], a["lang_mn"])
    tools_menu = menu("menu.tools")
    window.ruleset_menu = menu("menu.ruleset", tools_menu)
    window.ruleset_menu.addActions(window.rulesets.actions())
    fill(tools_menu, a["edit_ruleset"], None, a["check_date"], a["check_all"], None,
         a["find_land"])
    fill(menu("menu.help"), a["about"])
    window.addToolBar(window.toolbar)
    fill(window.toolbar, a["new"], a["open"], a["save"], None, *tools[5:], None, *tools[:5],
         None, a["zoom_all"], None, a["register"], a["export_package"])
    rebuild_recent(window)


def retranslate_menus(window) -> None:
    lang = window.lang
    for key, action in window.act.items():
        if not key.startswith("lang_"):
            action.setText(tr(f"action.{key}", lang))
    for m, key in window.menu_titles:
        m.setTitle(tr(key, lang))
    window.toolbar.setWindowTitle(tr("menu.toolbar", lang))
    window.act[f"lang_{lang}"].setChecked(True)
    for rs, action in zip(window._ruleset_list, window.rulesets.actions(), strict=True):
        action.setText(ruleset_name(rs, lang))
        action.setChecked(rs.label() == window.state.ruleset.label())
    rebuild_recent(window)


def _export_gpx(window) -> None:
    from gui.gpx_export import export_gpx

    export_gpx(window)


def _find_land(window) -> None:
    from gui.find_land_panel import open_find_land  # propose's imports, when first asked

    open_find_land(window)


def _edit_ruleset(window) -> None:
    from gui.ruleset_editor import edit_ruleset  # the comparison's imports, when first asked

    edit_ruleset(window)


def _list_rulesets(window) -> None:
    """An action per ruleset, shipped or draft, in ``window.rulesets`` (one checked)."""
    from landtool.check.ruleset import list_rulesets

    window._ruleset_list = list_rulesets()
    for rs in window._ruleset_list:
        action = QAction(window, checkable=True)
        action.triggered.connect(lambda _c=False, rid=rs.id, v=rs.version:
                                 check_panel.set_ruleset(window, rid, v))
        window.rulesets.addAction(action)


def rebuild_rulesets(window) -> None:
    """List the rulesets again (a draft was saved): Tools ▸ Ruleset shows it, marked DRAFT."""
    for action in window.rulesets.actions():
        window.rulesets.removeAction(action)
        window.ruleset_menu.removeAction(action)
        action.deleteLater()
    _list_rulesets(window)
    window.ruleset_menu.addActions(window.rulesets.actions())
    retranslate_menus(window)


def rebuild_recent(window) -> None:
    window.recent_menu.clear()
    for k, path in enumerate(window.settings.recent(), start=1):
        action = window.recent_menu.addAction(f"&{k} {as_location(path).name} — {path}")
        action.triggered.connect(lambda _c=False, p=path: window.open_workspace(p))
    window.recent_menu.addSeparator()
    window.recent_menu.addAction(window.act["clear_recent"])
    window.recent_menu.setEnabled(bool(window.settings.recent()))


def clear_recent(window) -> None:
    window.settings.clear_recent()
    rebuild_recent(window)


def enable_actions(window, *_args) -> None:
    """Enable what applies to the workspace and the selection; on a shared workspace only
    what the user's role allows (a viewer reads, exports and copies; only the owner adds
    layers)."""
    state = window.state
    has_ws, selected = state.workspace is not None, state.selected is not None
    writable = has_ws and not state.read_only
    for key in ("save_as", "export_map", "export_gpx", "check_all", "print_register"):
        window.act[key].setEnabled(has_ws)
    window.act["save"].setEnabled(writable)
    window.act["import"].setEnabled(writable and state.may_add_layers)
    window.act["connected"].setEnabled(has_ws and state.workspace.shared)
    for key in ("attributes", "register", "decide", "print_receipt"):
        window.act[key].setEnabled(writable and selected)
    for key in ("export_package", "zoom_selection"):
        window.act[key].setEnabled(has_ws and selected)
