"""The programs users open landtool's output with (GDAL's ogrinfo, poppler's pdftoppm,
LibreOffice, Chromium), for the tests that open it the same way.

``python3 run.py test`` installs them (Debian, as root). A test that needs one which is
missing fails with what to install: it is never skipped, so a green run means the output was
really opened.
"""

from __future__ import annotations

import shutil

import pytest

#: program → the Debian package that has it
PACKAGES = {"ogrinfo": "gdal-bin", "pdftoppm": "poppler-utils", "pdfimages": "poppler-utils",
            "pdftotext": "poppler-utils", "pdfinfo": "poppler-utils",
            "soffice": "libreoffice-calc-nogui", "chromium": "chromium"}


def program(name: str) -> str:
    """The path of ``name``, or the test fails saying what to install."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed (apt-get install {PACKAGES.get(name, name)}, or "
                    "run the tests through `python3 run.py test`, which installs it)")
    return found


def page_rgb(pdf, page: int, folder, dpi: int = 60):
    """Page ``page`` (1-based) of ``pdf`` as poppler's pdftoppm draws it: an RGB array
    (height × width × 3), the PNG written into ``folder``."""
    import subprocess
    from pathlib import Path

    import numpy as np
    from PIL import Image

    prefix = Path(folder) / f"page-{page}-{dpi}"
    subprocess.run([program("pdftoppm"), "-r", str(dpi), "-f", str(page), "-l", str(page),
                    "-singlefile", "-png", str(pdf), str(prefix)], check=True)
    with Image.open(f"{prefix}.png") as im:
        return np.asarray(im.convert("RGB"))


def pdf_images(pdf) -> list[list[str]]:
    """The rows of ``pdfimages -list`` (page, num, type, width, height, color, comp, bpc,
    enc, ...), each split into its columns."""
    import subprocess

    listing = subprocess.run([program("pdfimages"), "-list", str(pdf)], capture_output=True,
                             text=True, check=True).stdout.splitlines()[2:]
    return [row.split() for row in listing]
