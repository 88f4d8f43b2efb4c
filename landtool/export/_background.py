"""The background imagery on a printed map: under the features, at the sheet's scale.

The map frame is a rectangle of a UTM zone at a round scale; the imagery is rendered for that
rectangle (:meth:`landtool.imagery.Imagery.render`, reprojected into the zone) at
:data:`PRINT_DPI` dots per inch of the printed frame, and drawn as the frame's lowest layer.
"""

from __future__ import annotations

from pathlib import Path

from landtool.errors import LandtoolError

#: the imagery's resolution on paper (the features stay vector in a PDF)
PRINT_DPI = 200
_MAX_PX = 4000  # a side of the rendered picture, at most (an A3 frame at 200 dpi is ~3000)
_SOURCE = {"en": "Background imagery: {name}", "mn": "Дэвсгэр зураг: {name}"}
_UNAVAILABLE = {"en": " (not drawn: {why})", "mn": " (зураагүй: {why})"}
_SYNTHETIC = {"en": " (SYNTHETIC, not a real image)", "mn": " (ЖИШЭЭ, бодит зураг биш)"}


class Unavailable:
    """The workspace's background imagery, which could not be opened: the map is made without
    it and its sources line says so (a missing DEM is skipped the same way)."""

    def __init__(self, path: Path, error: LandtoolError) -> None:
        self.path, self.error = path, error


def background_imagery(ws, background=None):
    """The imagery to draw under a workspace's maps.

    ``background`` is a file or tile folder (used instead of the workspace's: one that cannot
    be used raises a :class:`~landtool.errors.LandtoolError` saying what to do), False
    (none), or None: the workspace's own background, if it has one; if that one cannot be
    opened (moved, a drive not connected), an :class:`Unavailable` the map names.
    """
    if background is False:
        return None
    from landtool.imagery import open_imagery

    if background is not None:
        return open_imagery(Path(background))
    from landtool.workspace.background import workspace_background

    path = workspace_background(ws) if ws is not None else None
    if path is None:
        return None
    try:
        return open_imagery(path)
    except LandtoolError as exc:
        return Unavailable(path, exc)


def draw_background(ax, view, imagery) -> None:
    """Draw ``imagery`` under everything in the map axes ``ax`` showing ``view``."""
    if imagery is None or isinstance(imagery, Unavailable):
        return
    mm_w = view.width * 1000 / view.scale
    mm_h = (view.y1 - view.y0) * 1000 / view.scale
    w = min(_MAX_PX, max(1, round(mm_w / 25.4 * PRINT_DPI)))
    h = min(_MAX_PX, max(1, round(mm_h / 25.4 * PRINT_DPI)))
    rgba = imagery.render((view.x0, view.y0, view.x1, view.y1), w, h,
                          crs=f"EPSG:{view.epsg}")
    if not rgba[..., 3].any():
        return
    ax.imshow(rgba, extent=(view.x0, view.x1, view.y0, view.y1), origin="upper",
              interpolation="nearest", aspect="auto", zorder=0.1)
    ax.set_xlim(view.x0, view.x1)
    ax.set_ylim(view.y0, view.y1)


def source_line(imagery, lang: str) -> str | None:
    """The sources' line naming the imagery (and saying it is synthetic when it is, or that
    it could not be drawn)."""
    if imagery is None:
        return None
    text = _SOURCE.get(lang, _SOURCE["en"]).format(name=imagery.path.name)
    if isinstance(imagery, Unavailable):
        return text + _UNAVAILABLE.get(lang, _UNAVAILABLE["en"]).format(
            why=imagery.error.message)
    return text + (_SYNTHETIC.get(lang, _SYNTHETIC["en"]) if imagery.synthetic else "")
