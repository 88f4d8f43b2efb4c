"""Photographs as evidence: JPEGs attached to rehabilitation parcels and requests.

A photo's EXIF is read once, when it is attached: its GPS position (latitude and longitude
with their N/S and E/W references), the time it was taken (``DateTimeOriginal`` with
``OffsetTimeOriginal`` when the camera wrote one, else the GPS UTC time), the direction the
camera looked (``GPSImgDirection``, true or magnetic north, where recorded) and the camera's
make and model. A photo without GPS is placed by hand (``at=(lon, lat)``). The file is kept
inside the workspace byte for byte (:mod:`landtool.workspace.photos_gpkg`: the GeoPackage
Related Tables Extension; :mod:`landtool.workspace.photos_pg`: bytea), with a small
thumbnail for the app and the package.

A photo whose position lies more than ``tolerance_m`` outside the polygon it belongs to is
flagged, with the distance: :data:`DISTANCE_METHOD` says how it is measured.

Pillow reads the EXIF. The thumbnail is the camera's own (EXIF IFD1) when the file is whole
(ends with the end-of-image marker); otherwise the picture is decoded at 1/8 scale to make
one, which also refuses a file cut short. A file that is not a JPEG, whose header or picture
cannot be read, is refused with a message naming it, and the other files are attached. (A
camera file that is whole but damaged inside its picture data is not detected on the fast
path; decoders show such damage as a smear rather than fail, too.)
"""

from __future__ import annotations

import getpass
import hashlib
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from landtool.errors import LandtoolError
from landtool.workspace.base import _now
from landtool.workspace.photo_rows import COLUMNS, SUBJECT_KINDS, Photo

__all__ = ["COLUMNS", "SUBJECT_KINDS", "Photo", "PhotoError", "PhotoInfo", "attach", "photos",
           "photo_bytes", "read_jpeg"]

DEFAULT_TOLERANCE_M = 50.0
THUMB_PX = 320
#: the largest picture accepted (pixels): a phone's 200-megapixel photo is a photo, not a
#: decompression bomb (Pillow's own guard refuses 179 MP); the picture is decoded at 1/8 scale
MAX_PHOTO_PIXELS = 400_000_000
CONTENT_TYPE = "image/jpeg"
#: how far (relative) the shape of the camera's thumbnail may differ from the picture's and
#: still be used (a 160 × 120 thumbnail of a 4000 × 3000 photo differs by 0; rounding to whole
#: pixels of a 3:2 photo's 160 × 107 by 0.3 %)
ASPECT_TOLERANCE = 0.02
DISTANCE_METHOD = (
    "geodesic distance on the WGS 84 ellipsoid (pyproj Geod) from the photo's position to the "
    "nearest point of the polygon, that point found in an azimuthal equidistant projection "
    "centred on the two; 0 inside the polygon")
DISTANCE_METHOD_MN = (
    "WGS 84 эллипсоид дээрх геодезийн зай (pyproj Geod): зургийн байршлаас олон өнцөгтийн "
    "хамгийн ойр цэг хүртэл; олон өнцөгт дотор 0")

# EXIF tags (the EXIF 2.32 standard's numbers)
_MAKE, _MODEL = 0x010F, 0x0110
_DATETIME_ORIGINAL, _OFFSET_TIME_ORIGINAL = 0x9003, 0x9011
_GPS_LAT_REF, _GPS_LAT, _GPS_LON_REF, _GPS_LON = 1, 2, 3, 4
_GPS_TIME, _GPS_DIR_REF, _GPS_DIR, _GPS_DATE = 7, 16, 17, 29


class PhotoError(LandtoolError):
    """A photo that cannot be read or attached (not a JPEG, damaged, no position)."""


@dataclass(frozen=True)
class PhotoInfo:
    """What a JPEG says about itself."""

    lon: float | None
    lat: float | None
    taken_at: str | None  # ISO 8601, with its UTC offset when known
    direction_deg: float | None
    direction_ref: str | None  # 'T' true north, 'M' magnetic north
    camera: str
    width: int
    height: int
    thumbnail: bytes  # a JPEG at most THUMB_PX on its longer side, turned upright


@dataclass
class AttachResult:
    added: list[Photo] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, message)
    #: files already attached to the same feature (same bytes), with the photo id they have
    duplicates: list[tuple[str, int]] = field(default_factory=list)
    #: of the failed files, those refused only for having no position (to place by hand)
    no_position: list[str] = field(default_factory=list)


# -- reading a JPEG -----------------------------------------------------------------------------
def _ratio(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def _degrees(dms, ref, positive: str, negative: str) -> float:
    """Decimal degrees from EXIF's (degrees, minutes, seconds) rationals and its reference."""
    parts = [_ratio(v) for v in (dms if isinstance(dms, tuple | list) else (dms,))]
    if not parts or len(parts) > 3:
        raise ValueError("expected degrees, minutes and seconds")
    parts += [0.0] * (3 - len(parts))
    value = parts[0] + parts[1] / 60.0 + parts[2] / 3600.0
    ref = (ref.decode("ascii", "replace") if isinstance(ref, bytes) else str(ref or "")).strip()
    ref = ref.rstrip("\x00").upper()
    if ref == negative:
        return -value
    if ref == positive:
        return value
    raise ValueError(f"the reference is {ref!r}, not {positive} or {negative}")


def _text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value or "").replace("\x00", "").strip()


def _taken_at(exif, gps) -> str | None:
    sub = exif.get_ifd(0x8769)
    raw = _text(sub.get(_DATETIME_ORIGINAL))
    if raw:
        try:
            when = datetime.strptime(raw, "%Y:%m:%d %H:%M:%S")
        except ValueError:
            when = None
        if when is not None:
            offset = _text(sub.get(_OFFSET_TIME_ORIGINAL))
            text = when.isoformat()
            if len(offset) == 6 and offset[0] in "+-" and offset[3] == ":":
                text += offset
            return text
    day, hms = _text(gps.get(_GPS_DATE)), gps.get(_GPS_TIME)
    if day and hms:
        try:
            h, m, s = (_ratio(v) for v in hms)
            when = datetime.strptime(day, "%Y:%m:%d").replace(
                hour=int(h), minute=int(m), second=int(s), tzinfo=UTC)
            return when.isoformat()
        except (ValueError, TypeError):
            return None
    return None


#: EXIF Orientation -> the turn that makes the picture upright (as ImageOps.exif_transpose)
_UPRIGHT = {2: 0, 3: 3, 4: 1, 5: 5, 6: 4, 7: 6, 8: 2}  # PIL.Image.Transpose values


def _camera_thumbnail(img, exif, data: bytes):
    """The camera's own thumbnail (EXIF IFD1, which cameras write), upright, when the file
    is whole — it ends with the JPEG end-of-image marker — and the thumbnail has the
    picture's shape (within ASPECT_TOLERANCE); None otherwise, and then the picture itself is
    decoded (which also tells a file cut short). Decoding a 12-megapixel
    photo even at 1/8 scale costs 40–80 ms on this project's machine, the thumbnail 1 ms."""
    from PIL import ExifTags, Image

    if not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        return None
    ifd1 = exif.get_ifd(ExifTags.IFD.IFD1)
    start, length = ifd1.get(0x0201), ifd1.get(0x0202)
    raw = img.info.get("exif", b"")
    if not start or not length or not raw.startswith(b"Exif\x00\x00"):
        return None
    try:
        with Image.open(io.BytesIO(raw[6 + start:6 + start + length])) as small:
            if small.format != "JPEG" or min(small.size) < 64:
                return None
            if abs(small.width * img.height / (small.height * img.width) - 1) > ASPECT_TOLERANCE:
                # not this picture's shape: a photo cropped by a program that left the
                # camera's thumbnail as it was, or one letterboxed to 160 × 120 (black bars)
                return None
            small.load()
            thumb = small.convert("RGB")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None  # a damaged thumbnail: the picture is decoded instead
    turn = _UPRIGHT.get(exif.get(0x0112))
    return thumb.transpose(Image.Transpose(turn)) if turn is not None else thumb


def _decode_small(img, data: bytes):
    """The picture of ``img`` (opened on ``data``) decoded at 1/2..1/8 scale (THUMB_PX), as
    RGB; a picture cut short or damaged raises here.

    The whole file goes to the decoder in one call, which runs without the GIL: Pillow's
    default hands it 64 KB at a time and takes the GIL back between them (57 times for a
    3.7 MB photo), and while attach()'s other threads run Python each of those waits its
    turn — with one thread busy in Python that halved a decoding thread's rate. Same bytes,
    same decoder: the same picture. Only the byte count in Pillow's message for a file cut
    short depends on the block size, so a picture that fails is decoded again Pillow's usual
    way, and fails (rarely it might not) exactly as it always did."""
    from PIL import Image

    img.draft("RGB", (THUMB_PX, THUMB_PX))
    img.decodermaxblock = max(img.decodermaxblock, len(data))
    try:
        img.load()
        return img.convert("RGB")
    except (OSError, SyntaxError, ValueError):
        pass
    with Image.open(io.BytesIO(data)) as again:
        again.draft("RGB", (THUMB_PX, THUMB_PX))
        again.load()
        return again.convert("RGB")


def read_jpeg(data: bytes, name: str | Path = "photo") -> PhotoInfo:
    """What the JPEG ``data`` (of the file ``name``, for messages) records; PhotoError if it is
    not a JPEG or its picture cannot be decoded. The position is None when it has no GPS."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS < MAX_PHOTO_PIXELS // 2:
        Image.MAX_IMAGE_PIXELS = MAX_PHOTO_PIXELS // 2  # Pillow refuses twice its limit
    if not data.startswith(b"\xff\xd8\xff"):
        raise PhotoError("is not a JPEG photo", path=name,
                         hint="attach the camera's JPEG files (.jpg); convert other pictures "
                         "to JPEG first")
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format != "JPEG":
                raise PhotoError(f"is not a JPEG photo (it is {img.format})", path=name)
            exif = img.getexif()
            width, height = img.size
            thumb = _camera_thumbnail(img, exif, data)
            if thumb is None:
                thumb = ImageOps.exif_transpose(_decode_small(img, data))
    except PhotoError:
        raise
    except Image.DecompressionBombError:
        raise PhotoError(f"is a picture of more than {MAX_PHOTO_PIXELS // 1_000_000} "
                         "megapixels, too large to be a camera's photo", path=name,
                         hint="attach the photo as the camera wrote it, or a smaller copy "
                         "(its GPS position kept)") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PhotoError(f"is a damaged JPEG: its picture cannot be read ({exc})", path=name,
                         hint="copy the photo from the camera again") from None
    thumb.thumbnail((THUMB_PX, THUMB_PX))
    buf = io.BytesIO()
    thumb.save(buf, "JPEG", quality=80)
    gps = exif.get_ifd(0x8825)
    lon = lat = None
    if _GPS_LAT in gps and _GPS_LON in gps:
        try:
            lat = _degrees(gps[_GPS_LAT], gps.get(_GPS_LAT_REF), "N", "S")
            lon = _degrees(gps[_GPS_LON], gps.get(_GPS_LON_REF), "E", "W")
        except ValueError as exc:
            raise PhotoError(f"has a GPS position that cannot be read ({exc})", path=name,
                             hint="place it by hand with --at LON,LAT") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise PhotoError(f"has an impossible GPS position ({lat}, {lon})", path=name,
                             hint="place it by hand with --at LON,LAT")
    direction = ref = None
    if _GPS_DIR in gps:
        try:
            direction = _ratio(gps[_GPS_DIR]) % 360.0
            ref = _text(gps.get(_GPS_DIR_REF)).upper()[:1] or None
        except ValueError:
            direction = ref = None  # an unreadable direction is left out, not fatal
    camera = " ".join(p for p in (_text(exif.get(_MAKE)), _text(exif.get(_MODEL))) if p)
    return PhotoInfo(lon, lat, _taken_at(exif, gps), direction, ref, camera, width, height,
                     buf.getvalue())


# -- attaching --------------------------------------------------------------------------------
def _store(ws):
    if ws.shared:
        from landtool.workspace import photos_pg as store
    else:
        from landtool.workspace import photos_gpkg as store
    return store


def check_kind(kind: str) -> str:
    if kind not in SUBJECT_KINDS:
        raise PhotoError(f"photos are attached to {' or '.join(SUBJECT_KINDS)}, not {kind!r}")
    return kind


def find_subject(ws, kind: str, subject_id: str):
    """(layer name, geometry) of the feature ``subject_id`` of kind ``kind``; PhotoError if
    the workspace has none."""
    check_kind(kind)
    id_field = SUBJECT_KINDS[kind]
    names = ws.layers_of_kind(kind)
    for name in names:
        gdf = ws.read(name)
        if id_field not in gdf.columns:
            continue
        hit = gdf[gdf[id_field].astype(str) == str(subject_id)]
        if len(hit):
            geom = hit.geometry.iloc[0]
            if geom is None or geom.is_empty:  # nothing to measure a photo's place against
                raise PhotoError("has no polygon, so its photos could not be placed on it",
                                 path=ws.path, feature=str(subject_id),
                                 hint=f"draw the feature in layer {name} first; nothing was "
                                 "attached")
            return name, geom
    what = "rehabilitation parcel" if kind == "rehab_parcels" else "request"
    raise PhotoError(f"there is no {what} {subject_id!r} in the workspace", path=ws.path,
                     hint=f"the workspace has no layer of kind {kind} yet" if not names else
                     f"check the id: the {what}s are in layer {', '.join(names)} (field "
                     f"{id_field}); nothing was attached")


def distance_outside_m(lon: float, lat: float, polygon) -> float:
    """How far (m) the point lies outside ``polygon`` (lon/lat): 0 inside; DISTANCE_METHOD."""
    import shapely

    from landtool.geodesy import distance_m

    if polygon is None or polygon.is_empty:
        return float("nan")
    return distance_m(shapely.Point(lon, lat), polygon)


Progress = Callable[[int, int, str], None]


def attach(ws, files: Sequence[str | Path], *, kind: str, subject_id: str,
           at: tuple[float, float] | None = None, tolerance_m: float = DEFAULT_TOLERANCE_M,
           user: str | None = None, progress: Progress | None = None) -> AttachResult:
    """Attach the JPEG ``files`` to feature ``subject_id`` of ``kind`` in ONE change of
    ``ws``: each file that can be read is kept byte for byte; one that cannot (not a JPEG,
    damaged, no GPS and no ``at``) is listed in ``failed`` with the reason, and the others are
    attached all the same. ``at`` (lon, lat) places the photos that have no GPS position.
    ``progress(done, total, file)`` is called before each file (it may raise to cancel: then
    nothing is attached). PhotoError if the feature does not exist (nothing is attached).

    The files are read, hashed and decoded first, with no lock on the workspace (that is the
    slow part: seconds for a commission's visit), so that others can save meanwhile; then, in
    one transaction, the feature is looked up again, what is already attached is read, and
    each file is read again and stored — refused if it changed in between (its size or its
    SHA-256 is not what was read)."""
    import math

    check_kind(kind)
    if not (tolerance_m >= 0 and math.isfinite(tolerance_m)):
        raise PhotoError(f"the tolerance must be a distance of 0 m or more, not {tolerance_m}")
    if at is not None and not (-180 <= at[0] <= 180 and -90 <= at[1] <= 90):
        raise PhotoError(f"--at {at[0]},{at[1]} is not a longitude,latitude in degrees",
                         hint="write it as LON,LAT, e.g. 106.2,48.5")
    store = _store(ws)
    result = AttachResult()
    who = user or getpass.getuser()
    find_subject(ws, kind, subject_id)  # no such feature: said before any file is read
    read = []  # (path, size, sha256, PhotoInfo | PhotoError | OSError), in the files' order
    for i, (path, data, digest, info) in enumerate(_read_ahead(files)):
        if progress is not None:
            progress(i, len(files), str(path))
        read.append((path, len(data), digest, info))
    with ws.transaction(f"attach photos to {subject_id}") as tx:
        layer, geom = find_subject(ws, kind, subject_id)  # decided where it is written
        store.ensure(tx)
        next_id = store.next_id(tx)
        known = store.hashes(tx, kind, str(subject_id))
        # read again, a few ahead of the storing: the files with a picture and a place that
        # are not attached already (a second copy within the files is read and dropped)
        to_store = {k for k, (_, _, digest, info) in enumerate(read)
                    if isinstance(info, PhotoInfo) and (info.lon is not None or at is not None)
                    and digest not in known}
        again = _ahead(_read_again, [read[k][:3] for k in sorted(to_store)], 4)
        try:
            for k, (path, size, digest, info) in enumerate(read):
                data = next(again) if k in to_store else None
                if isinstance(info, OSError):
                    result.failed.append((str(path), f"{path}: cannot be read "
                                          f"({info.strerror or info})"))
                    continue
                if digest in known:
                    result.duplicates.append((str(path), known[digest]))
                    continue
                if isinstance(info, PhotoError):
                    result.failed.append((str(path), str(info)))
                    continue
                if info.lon is not None:
                    lon, lat, source = info.lon, info.lat, "exif"
                elif at is not None:
                    (lon, lat), source = at, "by hand"
                else:
                    result.failed.append((str(path), str(PhotoError(
                        "has no GPS position", path=path,
                        hint="give its position with --at LON,LAT (the app offers to place it "
                        "inside the parcel)"))))
                    result.no_position.append(str(path))
                    continue
                if isinstance(data, str):  # changed or gone since it was read
                    result.failed.append((str(path), data))
                    continue
                distance = distance_outside_m(lon, lat, geom)
                photo = Photo(next_id, kind, str(subject_id), layer, path.name, digest, size,
                              CONTENT_TYPE, info.taken_at, lon, lat, source, info.direction_deg,
                              info.direction_ref, info.camera, _now(), who, distance,
                              bool(distance > tolerance_m), float(tolerance_m), info.thumbnail)
                store.insert(tx, photo, data)
                known[digest] = next_id
                next_id += 1
                result.added.append(photo)
        finally:
            again.close()  # the readers stop, also when storing failed
        if progress is not None:
            progress(len(files), len(files), "")
    return result


def _read_again(item: tuple[Path, int, str]):
    """The bytes of file ``(path, size, sha256)`` read again (hashed without the GIL, in a
    worker thread), or a message when it changed or went since it was first read."""
    path, size, digest = item
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"{path}: cannot be read any more ({exc.strerror or exc})"
    if len(data) != size or hashlib.sha256(data).hexdigest() != digest:
        return str(PhotoError("changed while it was being attached, so it was not",
                              path=path, hint="attach it again"))
    return data


def _read_one(path: Path):
    """(path, bytes, sha256, PhotoInfo) of one file, or the OSError / PhotoError in place of
    the info (run in a worker thread: Pillow decodes and hashlib hashes without the GIL)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return path, b"", "", exc
    digest = hashlib.sha256(data).hexdigest()
    try:
        return path, data, digest, read_jpeg(data, path)
    except PhotoError as exc:
        return path, data, digest, exc


def _read_ahead(files: Sequence[str | Path], ahead: int = 4):
    """:func:`_read_one` of each file, in order, read and decoded by a few threads a few
    files ahead of the caller: at most ``ahead`` files in memory besides the caller's."""
    return _ahead(_read_one, [Path(f) for f in files], ahead)


def _ahead(fn, items: Sequence, ahead: int):
    """``fn(item)`` of each item, in order, computed by a few threads at most ``ahead`` items
    ahead of the caller. Closing the generator (or dropping it) cancels what is queued."""
    import os
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    workers = max(1, min(ahead, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="landtool-photo") as pool:
        pending: deque = deque()
        queued = iter(items)
        try:
            for item in queued:
                pending.append(pool.submit(fn, item))
                if len(pending) >= ahead:
                    break
            while pending:
                done = pending.popleft().result()
                for item in queued:
                    pending.append(pool.submit(fn, item))
                    break
                yield done
        finally:  # cancelled or failed: what is queued is dropped
            for future in pending:
                future.cancel()


def photos(ws, *, kind: str | None = None, subject_id: str | None = None,
           ids: Iterable[int] | None = None) -> list[Photo]:
    """The photos of ``ws`` (of one feature, or with the given ids), by id; thumbnails
    included, not the photos' bytes."""
    wanted = None if ids is None else {int(i) for i in ids}
    out = [p for p in _store(ws).rows(ws)
           if (kind is None or p.subject_kind == kind)
           and (subject_id is None or p.subject_id == str(subject_id))
           and (wanted is None or p.photo_id in wanted)]
    return sorted(out, key=lambda p: p.photo_id)


def photo_bytes(ws, photo_id: int) -> bytes:
    """The photo's file exactly as it was attached; PhotoError if there is none."""
    data = _store(ws).data(ws, int(photo_id))
    if data is None:
        raise PhotoError(f"the workspace has no photo {photo_id}", path=ws.path,
                         hint=f"`landtool photos list {ws.path}` lists them")
    return data


def print_image(data: bytes, px: int = 800) -> bytes:
    """The photo ``data`` as a JPEG at most ``px`` on its longer side, upright, for printing
    (the package report): sharper than the stored thumbnail (a camera's is 160 × 120)."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as img:
        img.draft("RGB", (px, px))
        img.load()
        small = ImageOps.exif_transpose(img.convert("RGB"))
    small.thumbnail((px, px))
    buf = io.BytesIO()
    small.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def check_evidence(ws, ids: Iterable[int], *, kind: str, subject_id: str) -> list[Photo]:
    """The photos ``ids`` cited as evidence for feature ``subject_id``; PhotoError naming any
    that does not exist or belongs to another feature."""
    ids = [int(i) for i in ids]
    found = {p.photo_id: p for p in photos(ws, ids=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise PhotoError(f"no photo {', '.join(map(str, missing))} in the workspace",
                         path=ws.path, hint=f"`landtool photos list {ws.path} --parcel "
                         f"{subject_id}` lists the photos of the parcel")
    other = [p for p in found.values()
             if (p.subject_kind, p.subject_id) != (kind, str(subject_id))]
    if other:
        p = other[0]
        raise PhotoError(f"photo {p.photo_id} belongs to {p.subject_id}, not to {subject_id}",
                         path=ws.path, hint="cite photos attached to this parcel (attach them "
                         "first with `landtool photos add`)")
    return [found[i] for i in ids]
