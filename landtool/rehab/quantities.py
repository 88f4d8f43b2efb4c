"""Quantities of each parcel, derived from its geometry and the terrain: geodesic area and
perimeter, and the pit volume from a DEM or from a depth attribute (the method per parcel)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from landtool.geodesy import areas_ha, perimeter_m
from landtool.rehab.costs import ParcelQuantities
from landtool.rehab.volume import parcel_volumes


def parcel_quantities(parcels: gpd.GeoDataFrame, *,
                      dem_path: str | Path | None = None) -> list[ParcelQuantities]:
    """One :class:`ParcelQuantities` per parcel (EPSG:4326, kind rehab_parcels).

    Topsoil is left for the rate file's thickness to set (area × thickness, when priced).
    """
    volumes = parcel_volumes(parcels, dem_path)
    hectares = areas_ha(parcels.geometry.to_numpy())
    out = []
    for k, (row, vol) in enumerate(zip(parcels.to_dict("records"), volumes, strict=True)):
        partnership = row.get("partnership")
        out.append(ParcelQuantities(
            parcel_id=str(row.get("parcel_id", f"row {k + 1}")),
            status=row["status"],
            area_ha=float(hectares[k]),
            perimeter_m=float(perimeter_m(parcels.geometry.iloc[k])),
            volume_m3=vol.volume_m3 if vol.method_code != "none" else None,
            volume_method=vol.method,
            topsoil_m3=None,
            partnership=None if partnership is None or pd.isna(partnership) else str(partnership),
        ))
    return out
