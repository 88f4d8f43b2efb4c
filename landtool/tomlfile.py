"""Reading the TOML data files (catalog, field mappings, rulesets, rate files) with one message
style: the file, what it is, and where the syntax breaks."""

from __future__ import annotations

import tomllib
from pathlib import Path

from landtool.errors import LandtoolError


def read_toml(path: str | Path, error: type[LandtoolError], what: str) -> dict:
    """The parsed TOML of ``path``, or ``error`` naming the file and what it is (``what``)."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise error(f"cannot read the {what} ({exc.strerror or exc})", path=path,
                    hint="check the file name and that it is readable") from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(f"the {what} is not valid TOML: {exc}", path=path,
                    hint="fix the syntax at the line named") from exc
