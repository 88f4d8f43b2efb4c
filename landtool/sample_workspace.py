"""Build the bundled sample workspace: real national layers plus synthetic Mandal-soum layers.

The real layers come from ``sample_data/real`` (see its PROVENANCE.md); the synthetic ones are
generated deterministically by :mod:`landtool.sample`. Every layer goes through the same loader
as a user's file, so the sample workspace is also an end-to-end test of loading.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from landtool.io.load import load_layer
from landtool.paths import sample_data_dir, sample_workspace_path
from landtool.workspace import Workspace

#: (layer name, kind, file in sample_data/real, source layer filter note)
REAL_LAYERS: list[tuple[str, str, str]] = [
    ("aimags", "aimags", "aimags.gpkg"),
    ("soums", "soums", "soums.gpkg"),
    ("licenses", "licenses", "licenses_eiti.gpkg"),
    ("settlements", "settlements", "soum_centers.gpkg"),
    ("roads", "roads", "roads.gpkg"),
    ("lakes", "water_areas", "lakes_alagac.gpkg"),
    ("rivers", "water_lines", "rivers.gpkg"),
]

#: synthetic kind -> layer name in the workspace
SYNTHETIC_NAMES = {
    "land_conclusions": "land_conclusions",
    "asm_contracts": "asm_contracts",
    "requests": "requests",
    "rehab_parcels": "rehab_parcels",
    "protected_areas": "protected_areas",
    "forest": "forest",
    "water_lines": "streams",
    "water_areas": "ponds",
    "water_points": "springs",
}

DEM_NAME = "mandal_dem.tif"


def build_sample_workspace(
    path: str | Path | None = None,
    *,
    overwrite: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Create the sample workspace (and its DEM beside it); return the workspace path."""
    from landtool.sample import synthetic_layers, write_sample_dem

    path = Path(path) if path is not None else sample_workspace_path()
    say = progress or (lambda _msg: None)
    real = sample_data_dir() / "real"
    ws = Workspace.init(path, title="Mandal soum, Selenge (sample)", overwrite=overwrite)
    for name, kind, filename in REAL_LAYERS:
        say(f"adding {name} (real: {filename})")
        ws.add(load_layer(real / filename, kind), name=name)
    synthetic = synthetic_layers(real)
    with tempfile.TemporaryDirectory() as tmp:
        for kind, gdf in synthetic.items():
            name = SYNTHETIC_NAMES[kind]
            say(f"adding {name} (synthetic)")
            file = Path(tmp) / f"{name}.gpkg"
            gdf.to_file(file, driver="GPKG")
            ws.add(load_layer(file, kind), name=name)
    say("writing the sample DEM")
    write_sample_dem(path.parent / DEM_NAME, synthetic["rehab_parcels"])
    return path


def ensure_sample_workspace(progress: Callable[[str], None] | None = None) -> Path:
    """The sample workspace, built first if it does not exist yet."""
    path = sample_workspace_path()
    if not path.exists():
        build_sample_workspace(path, progress=progress)
    return path
