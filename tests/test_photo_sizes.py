"""Photos as big as today's cameras make them: a 200-megapixel phone photo is read (Pillow's
own guard against decompression bombs refuses anything over 179 megapixels), a bigger
picture is refused with a message, never a traceback."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from landtool.photos import PhotoError, read_jpeg
from landtool.sample_photos import with_exif


def _plain_jpeg(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (120, 110, 90)).save(buf, "JPEG", quality=50)
    return buf.getvalue()


def test_a_200_megapixel_phone_photo_is_read():
    # 16,320 × 12,240 = 199.8 MP, a 200 MP phone sensor at full resolution
    data = with_exif(_plain_jpeg(16_320, 12_240), lon=106.53, lat=48.67)
    info = read_jpeg(data, "big.jpg")
    assert (info.width, info.height) == (16_320, 12_240)
    assert info.lon == pytest.approx(106.53, abs=1e-6)
    assert info.lat == pytest.approx(48.67, abs=1e-6)
    with Image.open(io.BytesIO(info.thumbnail)) as thumb:
        assert max(thumb.size) <= 320


def test_a_picture_beyond_the_limit_is_refused_with_a_message(monkeypatch):
    # the limit lowered for the test (a real 400 MP JPEG would take seconds to make): a
    # 1000 × 1000 picture against a 0.4 MP limit
    import landtool.photos as photos

    monkeypatch.setattr(photos, "MAX_PHOTO_PIXELS", 400_000)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 200_000)
    with pytest.raises(PhotoError, match="too large to be a camera.s photo") as caught:
        read_jpeg(_plain_jpeg(1000, 1000), "huge.jpg")
    assert "huge.jpg" in str(caught.value)
