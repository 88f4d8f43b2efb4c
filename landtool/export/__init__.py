"""Exports for the Citizens' Representative Khural: printable maps, an interactive map, the
PDF report and the submission package, in Mongolian and English."""
