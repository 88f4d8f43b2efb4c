"""The landtool desktop application (PySide6). It only calls into ``landtool``; no domain logic."""

try:
    import PySide6  # noqa: F401
except ImportError as exc:  # the core library installs without Qt
    raise ImportError(
        "the landtool desktop application needs PySide6: pip install 'landtool[gui]'"
    ) from exc
