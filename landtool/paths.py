"""Where landtool finds its data files (``layers/``) and the sample workspace.

The repository layout is the source of truth: ``layers/`` and ``sample_data/`` sit beside the
``landtool`` package. ``LANDTOOL_LAYERS_DIR`` overrides the layers folder (an office can keep its
own rulesets and rates elsewhere).
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def layers_dir() -> Path:
    """The folder holding the layer catalog, rulesets and rate files."""
    env = os.environ.get("LANDTOOL_LAYERS_DIR")
    return Path(env) if env else REPO_ROOT / "layers"


def sample_data_dir() -> Path:
    """The folder holding the bundled real layers and the sample-workspace generator."""
    return REPO_ROOT / "sample_data"


def sample_workspace_path() -> Path:
    """Where the generated sample workspace GeoPackage lives."""
    return sample_data_dir() / "workspace" / "mandal_sample.gpkg"
