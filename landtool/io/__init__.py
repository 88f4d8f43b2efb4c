"""Reading and writing layer files. Importing this package keeps GDAL and PROJ off the network
for the rest of the process (see :mod:`landtool.io.offline`): reading a file never opens a
connection."""

from landtool.io import offline

offline.install()
