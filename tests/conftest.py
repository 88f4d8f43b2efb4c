"""Shared fixtures: the sample workspace, built once per test session in a temporary folder."""

from __future__ import annotations

import os

import pyogrio
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def sample_ws(tmp_path_factory):
    """A freshly built sample workspace (real layers + synthetic Mandal layers)."""
    from landtool.sample_workspace import build_sample_workspace

    return build_sample_workspace(tmp_path_factory.mktemp("sample") / "sample.gpkg")


@pytest.fixture(scope="module")
def frames(sample_ws):
    """The sample workspace's layers and their map graphics (one set per test module: the
    canvas tests change the graphics they are given)."""
    from gui.layer_graphics import build_workspace_graphics
    from landtool.workspace import Workspace

    ws = Workspace(sample_ws)
    frames = {n: ws.read(n) for n in ws.layer_names()}
    return frames, build_workspace_graphics(ws.layers(), frames)


@pytest.fixture
def fail_writes(monkeypatch):
    """A function that, once called, makes every writer write part of its output (the first
    feature or half the text) where it was told to, then fail as a full disk would; it returns
    the list of paths written to."""

    def apply() -> list:
        from pathlib import Path

        import pandas as pd

        written = []
        real_write, real_csv = pyogrio.write_dataframe, pd.DataFrame.to_csv

        def partial_write(df, path, *args, **kwargs):
            real_write(df.iloc[:1], path, *args, **kwargs)
            written.append(Path(path))
            raise RuntimeError("No space left on device (simulated)")

        def partial_csv(self, path, *args, **kwargs):
            real_csv(self.iloc[:1], path, *args, **kwargs)
            written.append(Path(path))
            raise OSError(28, "No space left on device (simulated)")

        def partial_text(self, text, *args, **kwargs):
            with open(self, "w", encoding="utf-8") as fh:
                fh.write(text[: len(text) // 2])
            written.append(Path(self))
            raise OSError(28, "No space left on device (simulated)")

        monkeypatch.setattr(pyogrio, "write_dataframe", partial_write)
        monkeypatch.setattr(pd.DataFrame, "to_csv", partial_csv)
        monkeypatch.setattr(Path, "write_text", partial_text)
        return written

    return apply
