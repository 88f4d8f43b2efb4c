"""One exception hierarchy for landtool.

Every error the library raises on purpose is a :class:`LandtoolError`. Each carries the file
(``path``), the feature (``feature``) and a hint saying what to do, so the CLI and the GUI can
show one clear message without ever matching on message text.
"""

from __future__ import annotations

from pathlib import Path

from landtool.location import DatabaseLocation, as_location


class LandtoolError(Exception):
    """Base class of every error landtool raises on purpose.

    Parameters
    ----------
    message
        What went wrong, in one sentence.
    path
        The file (or shared workspace database) concerned, if any.
    feature
        The feature concerned (an id, a row number or a point number), if any.
    hint
        What the user can do about it.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | DatabaseLocation | None = None,
        feature: str | int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        # a file, or a shared workspace's database (printed without its password)
        self.path = as_location(path) if path is not None else None
        self.feature = feature
        self.hint = hint

    def __str__(self) -> str:
        parts = []
        if self.path is not None:
            parts.append(f"{self.path}")
        if self.feature is not None:
            parts.append(f"feature {self.feature}")
        where = ": ".join(parts)
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n  What to do: {self.hint}"
        return text


class LayerLoadError(LandtoolError):
    """A layer file cannot be read: missing, empty, corrupt, or of an unknown format."""


class EmptyLayerError(LayerLoadError):
    """A file or layer holds no features."""


class FieldMappingError(LayerLoadError):
    """A required catalog field is missing, or a field mapping names a field that does not exist."""


class CoordinateListError(LayerLoadError):
    """A corner coordinate list cannot be parsed (a typo, a missing value, too few corners)."""


class CRSError(LandtoolError):
    """A coordinate reference system is missing, unknown, or does not fit the coordinates."""


class SwappedAxesError(CRSError):
    """Latitude and longitude appear to be swapped."""


class OutsideMongoliaError(CRSError):
    """The coordinates fall outside Mongolia."""


class GeometryError(LandtoolError):
    """A geometry is unusable even after repair."""


class CatalogError(LandtoolError):
    """A layer definition or field-mapping file is malformed."""


class WorkspaceError(LandtoolError):
    """A workspace cannot be created, opened or changed."""


class StaleSaveError(WorkspaceError):
    """A shared workspace's layer was saved by another client since this one read it: saving
    would overwrite their changes unseen, so nothing was saved."""

    def __init__(self, message: str, *, layer: str, by: str, when: str, **kw) -> None:
        super().__init__(message, **kw)
        self.layer, self.by, self.when = layer, by, when


class RuleConfigError(LandtoolError):
    """A ruleset file is malformed: the message names the file, the rule and the key."""


class CheckError(LandtoolError):
    """A check cannot run: a layer the rules need is missing, or the requests are unusable."""


class RehabStatusError(LandtoolError):
    """An impossible rehabilitation status or status change (a step skipped, dates backwards)."""


class OutputError(LandtoolError):
    """An output file cannot be written where the user asked."""


class RateConfigError(LandtoolError):
    """A rate file is malformed: the message names the file, the task and the key."""


class CostInputError(LandtoolError):
    """The quantities or options given to a cost estimate are unusable."""


class RegisterError(LandtoolError):
    """A request cannot be registered (unknown, or registered already)."""
