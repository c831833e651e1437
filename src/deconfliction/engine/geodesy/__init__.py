"""Geometry on the WGS84 ellipsoid.

Distances are ellipsoidal geodesic distances (GeographicLib, through pyproj's ``Geod``, is the
reference).  Two paths compute them:

* an **exact** path that solves the geodesic problems with ``Geod`` (used for every figure that
  is reported and to settle any case near a threshold);
* a **fast** path in a local Transverse Mercator frame with a scale-factor correction, vectorised
  with NumPy, whose error is bounded and measured (centimetres within 200 km of a compact
  feature).  It serves as a filter: whatever lies within its bound of a decision threshold is
  solved again on the exact path (docs/design/geometry.md lists every such decision).

Modules: :mod:`.ellipsoid` (constants and the ``Geod``), :mod:`.measures` (distance, azimuth,
area, formatting), :mod:`.frames` (local frames), :mod:`.exact` (feet of perpendiculars, sides
and insides on the ellipsoid, to a micrometre), :mod:`.lines` (distance to a geodesic polyline),
:mod:`.shapes` (outlines as a core plus a radius, and separations between them),
:mod:`.extremes` (the largest or smallest distance over an outline, against a threshold),
:mod:`.validity` (what an outline may not be), :mod:`.rendering` (polygons for display).
"""
