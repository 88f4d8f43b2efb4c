"""landtool: land-access planning for artisanal and small-scale gold mining in Mongolia.

The core library and command line. It never imports Qt: the desktop application lives in
the separate ``gui`` package and only calls into this one.
"""

__version__ = "0.1.0"
