"""landtool never opens a network connection while reading a file.

A file can ask GDAL to fetch something: a GeoJSON ``crs`` member of type ``link`` or ``url``
(GDAL downloads the definition), a KML NetworkLink or a style referenced by URL, a GML schema,
a ``/vsicurl/`` source in a file that is really a VRT. :func:`install` (run once, at import of
:mod:`landtool.io`, and again by the code that imports rasterio) shuts every one of those doors:

* GDAL configuration options that keep its drivers and PROJ off the network
  (:data:`GDAL_OPTIONS`), set with :func:`pyogrio.set_gdal_config_options` and, for rasterio's
  own copy of GDAL, :func:`rasterio.env.set_gdal_config`;
* PROJ's network (grid downloads from cdn.proj.org) switched off in pyproj and, through
  ``PROJ_NETWORK=OFF`` in the environment, in every PROJ in the process;
* a replacement for GDAL's HTTP client (``CPLHTTPSetFetchCallback``) in every copy of GDAL in
  the process (pyogrio's and rasterio's): it records the address and answers "refused" without
  connecting, so whatever driver asks, nothing leaves the machine. The readers in
  :mod:`landtool.io.formats` note each address refused while a file was read
  (:func:`refused_since`).

GDAL has no single switch that turns its network access off, hence the three layers; the
options alone do not stop the GeoJSON driver fetching a ``crs`` link (it calls GDAL's HTTP
client directly), the callback does.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from pathlib import Path

#: GDAL configuration options set for the whole process.
GDAL_OPTIONS = {
    # /vsicurl/ treats every file whose name does not end so as absent, without asking a server
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".landtool-never-fetch",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "LIBKML_RESOLVE_STYLE": "NO",  # styles referenced by a URL in a KML file
    "GML_SKIP_RESOLVE_ELEMS": "ALL",  # xlink:href to other documents
    "GML_DOWNLOAD_SCHEMA": "NO",
    "GML_DOWNLOAD_WFS_SCHEMA": "NO",
    "PROJ_NETWORK": "OFF",  # grids from cdn.proj.org
}

_lock = threading.Lock()
_refused: list[str] = []
_installed_in: list[str] = []
_keep: list[object] = []  # the callbacks must outlive every call GDAL makes to them


class _HTTPResult(ctypes.Structure):
    """GDAL's ``CPLHTTPResult`` (port/cpl_http.h); fields after these are left zero."""

    _fields_ = [("nStatus", ctypes.c_int), ("pszContentType", ctypes.c_void_p),
                ("pszErrBuf", ctypes.c_void_p), ("nDataLen", ctypes.c_int),
                ("nDataAlloc", ctypes.c_int), ("pabyData", ctypes.c_void_p),
                ("papszHeaders", ctypes.c_void_p), ("nMimePartCount", ctypes.c_int),
                ("pasMimePart", ctypes.c_void_p)]


_FETCH = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_char_p, *[ctypes.c_void_p] * 6)
_MESSAGE = b"landtool does not open network connections while reading files"


def refused() -> int:
    """How many network requests have been refused so far (a mark for :func:`refused_since`)."""
    with _lock:
        return len(_refused)


def refused_since(mark: int) -> list[str]:
    """The addresses refused since :func:`refused` returned ``mark``."""
    with _lock:
        return list(_refused[mark:])


def guarded() -> list[str]:
    """The GDAL libraries whose HTTP client is replaced (empty if none could be found)."""
    return list(_installed_in)


def _gdal_libraries() -> list[str]:
    """Paths of the GDAL libraries loaded in this process."""
    found: list[str] = []
    maps = Path("/proc/self/maps")
    if maps.exists():
        for line in maps.read_text(errors="replace").splitlines():
            path = line.split(maxsplit=5)[-1] if line.count(" ") >= 5 else ""
            if "libgdal" in Path(path).name and path not in found:
                found.append(path)
        return found
    import importlib.util

    for package in ("pyogrio", "rasterio"):  # wheels keep GDAL beside the package
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.origin:
            continue
        site = Path(spec.origin).parent
        for folder in (site.parent / f"{package}.libs", site / ".dylibs"):
            pattern = "*gdal*.dll" if sys.platform == "win32" else "libgdal*"
            found += [str(p) for p in sorted(folder.glob(pattern))]
    return found


def _install_fetch_callback(path: str) -> None:
    lib = ctypes.CDLL(path)  # the copy already loaded: the same handle, not a second GDAL
    calloc, strdup = lib.CPLCalloc, lib.CPLStrdup
    calloc.restype, calloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t, ctypes.c_size_t]
    strdup.restype, strdup.argtypes = ctypes.c_void_p, [ctypes.c_char_p]

    def refuse(url, *_):
        # GDAL frees the result with CPLHTTPDestroyResult, so GDAL allocates it
        res = calloc(1, max(ctypes.sizeof(_HTTPResult), 256))
        result = _HTTPResult.from_address(res)
        result.nStatus = 1
        result.pszErrBuf = strdup(_MESSAGE)
        try:  # never raise into GDAL: the answer matters, the record is a courtesy
            with _lock:
                _refused.append((url or b"").decode("utf-8", "replace"))
        except Exception:  # noqa: BLE001
            pass
        return res

    callback = _FETCH(refuse)
    lib.CPLHTTPSetFetchCallback.argtypes = [_FETCH, ctypes.c_void_p]
    lib.CPLHTTPSetFetchCallback.restype = None
    lib.CPLHTTPSetFetchCallback(callback, None)
    _keep.append(callback)
    _installed_in.append(path)


def install() -> None:
    """Keep GDAL and PROJ off the network for the rest of the process (idempotent; call it
    again after importing rasterio, whose GDAL is a copy of its own)."""
    import pyogrio  # loads pyogrio's GDAL
    import pyproj.network

    os.environ["PROJ_NETWORK"] = "OFF"  # read by every PROJ when it makes a context
    pyogrio.set_gdal_config_options(GDAL_OPTIONS)
    pyproj.network.set_network_enabled(False)
    if "rasterio" in sys.modules:  # only if already loaded: never load it for this
        from rasterio.env import set_gdal_config

        for key, value in GDAL_OPTIONS.items():
            set_gdal_config(key, value)
    for path in _gdal_libraries():
        if path in _installed_in:
            continue
        try:
            _install_fetch_callback(path)
        except (OSError, AttributeError):  # a GDAL without the callback API (before 3.2)
            continue
