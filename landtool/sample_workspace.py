"""Build the bundled sample workspace: real national layers plus synthetic Mandal-soum layers.

The real layers come from ``sample_data/real`` (see its PROVENANCE.md); the synthetic ones are
generated deterministically by :mod:`landtool.sample`. Every layer goes through the same loader
as a user's file, so the sample workspace is also an end-to-end test of loading.

The build is all or nothing: the workspace is built in a temporary file beside the target and
moved into place only when complete, so a build failing part-way leaves the previous workspace
(or none) exactly as it was. The workspace records a fingerprint of what generated it
(:func:`generator_fingerprint`), and :func:`ensure_sample_workspace` rebuilds it when the
generator has changed since.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from landtool.errors import WorkspaceError
from landtool.io.load import load_layer
from landtool.paths import REPO_ROOT, layers_dir, sample_data_dir, sample_workspace_path
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
#: the synthetic background imagery beside the workspace (landtool/sample_imagery.py)
IMAGERY_NAME = "mandal_imagery.tif"

#: the info-table key holding :func:`generator_fingerprint`
GENERATOR_KEY = "generator"


def generator_fingerprint() -> str:
    """A SHA-256 of what the sample workspace is built from: the code (landtool/sample.py and
    this module), the layer catalog (layers/catalog/*.toml), the default ruleset (the build
    saves a check made with it) and the names and sizes of the
    files in sample_data/real (sizes, not contents: those files are large and replaced whole)."""
    digest = hashlib.sha256()
    code = [REPO_ROOT / "landtool" / "sample.py", REPO_ROOT / "landtool" / "sample_workspace.py",
            REPO_ROOT / "landtool" / "sample_imagery.py"]
    data = [*sorted((layers_dir() / "catalog").glob("*.toml")),
            layers_dir() / "rulesets" / "mn-asm-2022.toml"]  # the saved check uses it
    for path in [*code, *data]:
        digest.update(f"{path.name}\0".encode())
        digest.update(path.read_bytes())
        digest.update(b"\0")
    real = sample_data_dir() / "real"
    for path in sorted(p for p in real.iterdir() if p.is_file()):
        digest.update(f"{path.name}\0{path.stat().st_size}\0".encode())
    return digest.hexdigest()


def _temp_beside(path: Path, suffix: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-build-", suffix=suffix, dir=path.parent)
    os.close(fd)
    os.unlink(tmp)  # the writers create the file themselves
    return Path(tmp)


def build_sample_workspace(
    path: str | Path | None = None,
    *,
    overwrite: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Create the sample workspace (and its DEM and synthetic imagery beside it); return the
    workspace path.

    Built in a temporary file beside ``path`` and moved into place at the end, so a failure
    leaves an existing workspace unchanged (and leaves no partial file).
    """
    from landtool.sample import REFERENCE_DATE, synthetic_layers, write_sample_dem

    path = Path(path) if path is not None else sample_workspace_path()
    say = progress or (lambda _msg: None)
    Workspace.check_new_path(path, overwrite=overwrite)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(f"cannot create the folder ({exc.strerror or exc})",
                             path=path) from exc
    real = sample_data_dir() / "real"
    tmp_ws, tmp_dem = _temp_beside(path, ".gpkg"), _temp_beside(path, ".tif")
    tmp_img = _temp_beside(path, ".tif")
    try:
        ws = Workspace.init(tmp_ws, title="Mandal soum, Selenge (sample)",
                            extra={GENERATOR_KEY: generator_fingerprint(),
                                   "dem": DEM_NAME, "background": IMAGERY_NAME})
        for name, kind, filename in REAL_LAYERS:
            say(f"adding {name} (real: {filename})")
            layer = load_layer(real / filename, kind)
            if name == "soums":
                layer.gdf = _with_cyrillic_soum_names(layer.gdf, real / "licenses_eiti.gpkg")
            ws.add(layer, name=name)
        synthetic = synthetic_layers(real)
        with tempfile.TemporaryDirectory() as tmp:
            for kind, gdf in synthetic.items():
                name = SYNTHETIC_NAMES[kind]
                say(f"adding {name} (synthetic)")
                file = Path(tmp) / f"{name}.gpkg"
                if kind == "requests":  # numbered below, through the register
                    queue = gdf[["request_id", "submitted_at", "queue_no"]].copy()
                    gdf = gdf.drop(columns=["queue_no", "submitted_at"])
                gdf.to_file(file, driver="GPKG")
                ws.add(load_layer(file, kind), name=name)
        say("registering the requests in their order, through the register (logged)")
        _register(ws, queue)
        say("writing the sample DEM")
        write_sample_dem(tmp_dem, synthetic["rehab_parcels"])
        say("writing the sample background imagery (synthetic)")
        from landtool.sample_imagery import write_sample_imagery

        write_sample_imagery(tmp_img, synthetic)
        say(f"checking the requests (mn-asm-2022, as of {REFERENCE_DATE}) and saving the results")
        _check_and_save(ws)
        # The DEM and imagery first: a workspace in place always has them beside it.
        os.replace(tmp_dem, path.parent / DEM_NAME)
        os.replace(tmp_img, path.parent / IMAGERY_NAME)
        os.replace(tmp_ws, path)
    finally:
        tmp_ws.unlink(missing_ok=True)
        tmp_dem.unlink(missing_ok=True)
        tmp_img.unlink(missing_ok=True)
    return path


def _with_cyrillic_soum_names(soums, licences_file: Path):
    """Fill the soums' missing Mongolian names from the EITI licences' portal soum names.

    The COD-AB v3 soum layer lost its Cyrillic names (``????`` in the source); the licence
    records carry the portal's Cyrillic soum name with the same 4-digit code. Where a licence's
    portal code equals its spatially assigned soum (so the two agree on which soum it is), that
    name is taken: 262 of 339 soums, with no soum given two different names.
    """
    import pyogrio

    lic = pyogrio.read_dataframe(licences_file, columns=["soum_code", "soum_pcode", "soum_mn"],
                                 read_geometry=False)
    lic = lic[(lic["soum_code"] == lic["soum_pcode"]) & lic["soum_mn"].notna()]
    names = lic.groupby("soum_pcode")["soum_mn"].agg(lambda x: x.value_counts().index[0])
    out = soums.copy()
    known = out["pcode"].map(names)
    if "name_mn" not in out.columns:
        out["name_mn"] = None
    out["name_mn"] = out["name_mn"].where(out["name_mn"].notna(), known)
    return out


def _register(ws: Workspace, queue) -> None:
    """Register the sample requests one by one in order of submission, as an officer would:
    each gets the next queue number and its submission time, and a 'registered' log entry
    made at that time (so the sample's queue is backed by its log, deterministically)."""
    from datetime import datetime

    from landtool.register import register

    for row in queue.sort_values("queue_no").itertuples():
        when = datetime.fromisoformat(str(row.submitted_at))
        register(ws, str(row.request_id), user="officer (sample)", when=when, at=when)


def _check_and_save(ws: Workspace) -> None:
    """Run the default check on the sample requests, as of the sample's reference date, and keep
    the results, so the app and the submission package have them from the start."""
    from datetime import date

    from landtool.check.context import CheckContext
    from landtool.check.engine import check_requests
    from landtool.check.ruleset import load_ruleset
    from landtool.check.store import save_report
    from landtool.sample import REFERENCE_DATE

    ruleset = load_ruleset("mn-asm-2022")
    ctx = CheckContext.from_workspace(ws, ruleset, date.fromisoformat(REFERENCE_DATE))
    save_report(ws, check_requests(ws.read("requests"), ruleset, ctx))


def _is_current(path: Path) -> bool:
    if not path.exists() or not all((path.parent / n).exists() for n in (DEM_NAME, IMAGERY_NAME)):
        return False
    try:
        built_by = Workspace(path).info_values().get(GENERATOR_KEY)
    except WorkspaceError:
        return False
    return built_by == generator_fingerprint()


def ensure_sample_workspace(progress: Callable[[str], None] | None = None) -> Path:
    """The sample workspace, built first if it does not exist yet, or rebuilt if it (or its
    DEM) is missing or unreadable or was built by another version of its generator."""
    path = sample_workspace_path()
    if not _is_current(path):
        build_sample_workspace(path, overwrite=True, progress=progress)
    return path
