"""Registering requests: the next queue number and a submission time, given once."""

from datetime import datetime

import geopandas as gpd
import pytest
import shapely

from landtool.errors import RegisterError
from landtool.register import MONGOLIA_TZ, next_queue_number, register_request


def _requests(queue):
    return gpd.GeoDataFrame(
        {"request_id": [f"R{i}" for i in range(len(queue))], "queue_no": queue,
         "submitted_at": [None if q is None else "2026-01-01T09:00:00+08:00" for q in queue]},
        geometry=[shapely.box(106 + i, 48, 106.001 + i, 48.001) for i in range(len(queue))],
        crs=4326)


def test_next_number_follows_the_highest_given():
    assert next_queue_number(_requests([None, None])) == 1
    assert next_queue_number(_requests([3, None, 7])) == 8  # by hand: max(3, 7) + 1


def test_register_gives_number_and_time_once():
    when = datetime(2026, 11, 23, 10, 30, tzinfo=MONGOLIA_TZ)
    out, number, stamp = register_request(_requests([3, None]), "R1", when=when)
    assert (number, stamp) == (4, "2026-11-23T10:30:00+08:00")
    assert out.loc[1, "queue_no"] == 4 and out.loc[1, "submitted_at"] == stamp
    with pytest.raises(RegisterError, match="registered already, as number 4"):
        register_request(out, "R1")
    with pytest.raises(RegisterError, match="no request 'R9'"):
        register_request(out, "R9")


def test_a_naive_time_is_mongolian_time():
    _, _, stamp = register_request(_requests([None]), "R0", when=datetime(2026, 3, 1, 9, 0))
    assert stamp == "2026-03-01T09:00:00+08:00"
