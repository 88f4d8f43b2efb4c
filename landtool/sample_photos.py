"""Synthetic field photographs (JPEGs with EXIF GPS, time, direction and camera) for the
sample, the tests and the benchmark. They are made here, with Pillow's EXIF writer, and are
plainly synthetic: a sky, a ground and a grain of noise, with the photo's number written on it.
"""

from __future__ import annotations

import io
from datetime import datetime
from fractions import Fraction
from pathlib import Path


def _rational(value: float, denominator: int = 10_000):
    from PIL.TiffImagePlugin import IFDRational

    f = Fraction(value).limit_denominator(denominator)
    return IFDRational(f.numerator, f.denominator)


def dms(value: float) -> tuple:
    """abs(value) as EXIF's (degrees, minutes, seconds) rationals (seconds to 1/10000)."""
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = (value - d - m / 60) * 3600
    return (_rational(d, 1), _rational(m, 1), _rational(round(s, 4)))


def exif_bytes(*, lon: float | None = None, lat: float | None = None,
               taken: datetime | None = None, offset: str | None = "+08:00",
               direction: float | None = None, direction_ref: str = "T",
               make: str = "landtool", model: str = "synthetic camera",
               thumbnail: bytes | None = None) -> bytes:
    """An EXIF block (for ``Image.save(exif=...)``) with the given GPS position, time,
    direction and camera, and ``thumbnail`` (a small JPEG) in IFD1 as cameras write it;
    fields given as None are left out."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = make
    exif[0x0110] = model
    if taken is not None:
        sub = {0x9003: taken.strftime("%Y:%m:%d %H:%M:%S")}
        if offset:
            sub[0x9011] = offset
        exif[0x8769] = sub
    gps = {}
    if lat is not None and lon is not None:
        gps.update({0: b"\x02\x03\x00\x00", 1: "N" if lat >= 0 else "S", 2: dms(lat),
                    3: "E" if lon >= 0 else "W", 4: dms(lon)})
    if direction is not None:
        gps.update({16: direction_ref, 17: _rational(direction, 100)})
    if gps:
        exif[0x8825] = gps
    blob = exif.tobytes()
    return _with_ifd1(blob, thumbnail) if thumbnail else blob


def _with_ifd1(blob: bytes, thumb: bytes) -> bytes:
    """``blob`` (b"Exif\\0\\0" + a TIFF structure, as Pillow writes it) with an IFD1 after
    IFD0 holding ``thumb``: Compression 6 (JPEG), JPEGInterchangeFormat (its offset) and
    JPEGInterchangeFormatLength, the thumbnail's bytes after it (EXIF 2.32, 4.5.4)."""
    import struct

    tiff = blob[6:]
    e = "<" if tiff[:2] == b"II" else ">"
    ifd0 = struct.unpack_from(e + "I", tiff, 4)[0]
    next_at = ifd0 + 2 + 12 * struct.unpack_from(e + "H", tiff, ifd0)[0]
    at = len(tiff) + len(tiff) % 2  # IFDs start on a word boundary
    body = bytearray(tiff + b"\0" * (at - len(tiff)))
    struct.pack_into(e + "I", body, next_at, at)
    data_at = at + 2 + 3 * 12 + 4
    ifd1 = (struct.pack(e + "H", 3) + struct.pack(e + "HHIHH", 0x0103, 3, 1, 6, 0)
            + struct.pack(e + "HHII", 0x0201, 4, 1, data_at)
            + struct.pack(e + "HHII", 0x0202, 4, 1, len(thumb)) + struct.pack(e + "I", 0))
    return blob[:6] + bytes(body) + ifd1 + thumb


def thumbnail_of(im, size: tuple[int, int] = (160, 120)) -> bytes:
    """A camera-style EXIF thumbnail of the picture ``im``: 160 × 120 JPEG."""
    small = im.copy()
    small.thumbnail(size)
    buf = io.BytesIO()
    small.save(buf, "JPEG", quality=75)
    return buf.getvalue()


def picture(width: int, height: int, label: str = "", *, seed: int = 0,
            grain: int = 24):
    """A synthetic landscape: sky, hills, ground and noise (noise makes the JPEG as large as
    a camera's of the same size)."""
    import numpy as np
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    y = np.linspace(0, 1, height)[:, None]
    sky = np.array([150, 185, 225]) * (1 - y[..., None] * 0.3)
    ground = np.array([150, 125, 85]) * (0.7 + 0.3 * y[..., None])
    x = np.linspace(0, 6.28, width)[None, :]
    horizon = 0.45 + 0.05 * np.sin(x * 1.3 + seed) + 0.03 * np.sin(x * 3.1)
    img = np.where((y < horizon)[..., None], sky, ground)
    if grain:
        img = img + rng.normal(0, grain, img.shape)
    im = Image.fromarray(np.clip(img, 0, 255).astype("uint8"), "RGB")
    if label:
        from PIL import ImageFont

        draw = ImageDraw.Draw(im)
        font = ImageFont.load_default(size=max(12, height // 10))
        draw.text((width // 20, height // 20), label, fill=(20, 20, 20), font=font)
    return im


def make_jpeg(path: str | Path | None = None, *, width: int = 800, height: int = 600,
              label: str = "", seed: int = 0, quality: int = 90, grain: int = 24,
              camera_thumbnail: bool = False, **exif) -> bytes:
    """A JPEG with the EXIF of :func:`exif_bytes` (keyword arguments), and a 160 × 120
    thumbnail in it as cameras write one if ``camera_thumbnail``; written to ``path`` when
    given; returns its bytes."""
    buf = io.BytesIO()
    im = picture(width, height, label, seed=seed, grain=grain)
    if camera_thumbnail:
        exif["thumbnail"] = thumbnail_of(im)
    im.save(buf, "JPEG", quality=quality, exif=exif_bytes(**exif))
    data = buf.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def with_exif(jpeg: bytes, **exif) -> bytes:
    """The JPEG ``jpeg`` (written without EXIF) with an EXIF block of :func:`exif_bytes`
    spliced in after its start marker, the picture's bytes untouched: many photos of one
    picture, fast (the benchmark)."""
    block = exif_bytes(**exif)  # b"Exif\0\0" + the TIFF structure, as Pillow writes it
    app1 = b"\xff\xe1" + (len(block) + 2).to_bytes(2, "big") + block
    return jpeg[:2] + app1 + jpeg[2:]
