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
