"""Reading a workspace into drawable layers (runs in a worker thread)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gui.layer_graphics import LayerGraphics, build_layer_graphics
from landtool.catalog import get_kind
from landtool.workspace import Workspace


@dataclass
class LoadedWorkspace:
    """A workspace's layers, prepared for the canvas, in the order the workspace lists them."""

    path: Path
    layers: list[LayerGraphics]


def load_workspace(path: str | Path,
                   progress: Callable[[str], None] | None = None) -> LoadedWorkspace:
    """Open the workspace at ``path`` and prepare each layer for drawing.

    Raises the :class:`~landtool.errors.LandtoolError` of the library when the file is not a
    workspace or a layer's kind is unknown; nothing is shown until every layer is ready.
    """
    say = progress or (lambda _msg: None)
    ws = Workspace(path)
    layers = []
    for record in ws.layers():
        say(record.name)
        kind = get_kind(record.kind)
        layers.append(build_layer_graphics(record, kind, ws.read(record.name)))
    return LoadedWorkspace(ws.path, layers)


def load_sample_workspace(progress: Callable[[str], None] | None = None) -> LoadedWorkspace:
    """The bundled sample workspace, built first if missing (takes some seconds)."""
    from landtool.sample_workspace import ensure_sample_workspace

    return load_workspace(ensure_sample_workspace(progress=progress), progress)
