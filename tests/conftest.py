"""Shared fixtures: the sample workspace, built once per test session in a temporary folder."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def sample_ws(tmp_path_factory):
    """A freshly built sample workspace (real layers + synthetic Mandal layers)."""
    from landtool.sample_workspace import build_sample_workspace

    return build_sample_workspace(tmp_path_factory.mktemp("sample") / "sample.gpkg")
