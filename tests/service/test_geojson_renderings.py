"""Renderings kept as arrays (service/geojson.py): what callers get is what shapely's own
orientation of the rendered polygon gives, in new lists every time."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pydantic import TypeAdapter

from deconfliction.engine.geodesy import rendering
from deconfliction.engine.geodesy.rendering import shape_polygon, shape_rings
from deconfliction.engine.model import Outline
from deconfliction.service.geojson import drawn_outline_geometry, outline_geometry

OUTLINES = [
    {"type": "circle", "center": "33.1N 35.8E", "radius": "2 km"},
    {"type": "circle", "center": "0.0001S 0.0002W", "radius": "250 m"},
    {
        "type": "corridor",
        "route": [[35.7, 33.0], [35.9, 33.1], [36.2, 33.05]],
        "half_width": "3 km",
    },
    {"type": "polygon", "vertices": [[35.7, 33.0], [36.0, 33.0], [36.0, 33.2], [35.7, 33.25]]},
]


@pytest.mark.parametrize("body", OUTLINES)
def test_an_outline_is_rendered_as_shapely_orients_it(body: dict[str, object]) -> None:
    outline = TypeAdapter(Outline).validate_python(body)
    (rings,) = shape_polygon(outline.shape)
    reference = shapely.geometry.polygon.orient(shapely.Polygon(rings[0], rings[1:]), sign=1.0)
    for geometry in (outline_geometry(outline), outline_geometry(outline)):  # rendered, kept
        assert geometry["type"] == "Polygon"
        assert geometry["coordinates"][0] == [list(p) for p in reference.exterior.coords]


def test_a_kept_rendering_is_not_changed_by_what_a_caller_does_with_it() -> None:
    outline = TypeAdapter(Outline).validate_python(OUTLINES[0])
    for render in (outline_geometry, drawn_outline_geometry):
        first = render(outline)
        expected = [list(p) for p in first["coordinates"][0]]
        first["coordinates"][0][0][0] = 999.0
        first["coordinates"][0].pop()
        again = render(outline)
        assert again["coordinates"][0] == expected
        assert isinstance(again["coordinates"][0][0], list)


def test_the_arrays_are_the_numbers_of_the_lists() -> None:
    for body in OUTLINES:
        shape = TypeAdapter(Outline).validate_python(body).shape
        arrays = shape_rings(shape)
        assert [[ring.tolist() for ring in polygon] for polygon in arrays] == shape_polygon(shape)


def test_a_circle_is_rendered_at_the_azimuths_linspace_gives() -> None:
    """The azimuths kept per vertex count are bit for bit ``np.linspace``'s (the renderings,
    and so the answers, stay the bytes they were)."""
    for n in range(16, 2049):
        assert np.array_equal(rendering._azimuths(n), np.linspace(0.0, 360.0, n, endpoint=False)), n
