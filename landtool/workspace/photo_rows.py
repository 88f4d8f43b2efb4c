"""A photo as the workspace keeps it (:mod:`landtool.workspace.photos_gpkg`,
:mod:`landtool.workspace.photos_pg`): its stored columns and what it can be attached to.
Defined here, below the storage modules, so that they need nothing of :mod:`landtool.photos`
(reading JPEGs, attaching) and the storage stays in layers."""

from __future__ import annotations

from dataclasses import dataclass, field

#: what a photo can be attached to: a layer kind, and the field naming its features
SUBJECT_KINDS = {"rehab_parcels": "parcel_id", "requests": "request_id"}

@dataclass(frozen=True)
class Photo:
    """A photo kept in a workspace (without its bytes: :func:`landtool.photos.photo_bytes` reads
    those)."""

    photo_id: int
    subject_kind: str
    subject_id: str
    layer: str
    file_name: str
    sha256: str
    size_bytes: int
    content_type: str
    taken_at: str | None
    lon: float
    lat: float
    position_source: str  # 'exif' or 'by hand'
    direction_deg: float | None
    direction_ref: str | None
    camera: str
    added_at: str
    added_by: str
    distance_m: float  # from the polygon (0 inside), DISTANCE_METHOD
    outside: bool  # distance_m > tolerance_m
    tolerance_m: float
    thumbnail: bytes = field(repr=False, default=b"")

    def to_json(self) -> dict:
        out = {k: getattr(self, k) for k in COLUMNS}
        out["outside"] = bool(self.outside)
        return out


#: the stored columns of a photo, in order (both backends), besides its thumbnail and bytes
COLUMNS = ("photo_id", "subject_kind", "subject_id", "layer", "file_name", "sha256",
           "size_bytes", "content_type", "taken_at", "lon", "lat", "position_source",
           "direction_deg", "direction_ref", "camera", "added_at", "added_by", "distance_m",
           "outside", "tolerance_m")
