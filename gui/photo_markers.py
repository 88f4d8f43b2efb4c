"""The workspace's photographs as points on the map: a small round marker where each photo was
taken, with a short stroke the way the camera looked (where it recorded a direction); red when
the photo lies outside its parcel (or request) by more than its tolerance, ringed when it is
one of the photos of the parcel selected in the rehabilitation view or of the request selected
in the map view."""

from __future__ import annotations

import math

from PySide6.QtCore import QObject, QPointF, Signal
from PySide6.QtGui import QColor, QPainter, QPen

from gui.map_view import MapView
from gui.photo_panel import OUTSIDE_COLOR, photo_store

PHOTO_COLOR = QColor("#7b1fa2")  # purple: unlike the parcels, water and selection
_RADIUS = 4.5
_STROKE = 13.0


class PhotoMarkers(QObject):
    """Draws the photos of ``state``'s workspace; :attr:`changed` asks for a repaint."""

    changed = Signal()

    def __init__(self, state, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = photo_store(state)
        self.store.changed.connect(self.changed)

    def paint(self, painter: QPainter, view: MapView) -> None:
        photos = self.store.photos
        if not photos:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        white = QPen(QColor(255, 255, 255), 1.5)
        for p in photos:
            x, y = view.to_screen(p.lon, p.lat)
            if not (-20 <= x <= view.width + 20 and -20 <= y <= view.height + 20):
                continue
            colour = OUTSIDE_COLOR if p.outside else PHOTO_COLOR
            at = QPointF(x, y)
            if p.direction_deg is not None:  # bearing clockwise from north
                a = math.radians(p.direction_deg)
                painter.setPen(QPen(colour.darker(120), 2.0))
                painter.drawLine(at, QPointF(x + _STROKE * math.sin(a),
                                             y - _STROKE * math.cos(a)))
            mine = self.store.is_selected(p)
            painter.setPen(white)
            painter.setBrush(colour)
            painter.drawEllipse(at, _RADIUS + (1.5 if mine else 0), _RADIUS + (1.5 if mine else 0))
            if mine:
                painter.setPen(QPen(QColor(20, 20, 20), 1.2))
                painter.setBrush(QColor(0, 0, 0, 0))
                painter.drawEllipse(at, _RADIUS + 4, _RADIUS + 4)
        painter.restore()
