-- The grid and community summaries are read by tiles only, and tiles are drawn in Web Mercator: they now keep
-- their geometry in EPSG:3857, transformed once when a summary is refreshed instead of on every tile. A grid tile
-- at zoom 12 over the middle of the city holds some 1,400 grids; transforming their outlines and label points
-- on each render was a quarter of its time (35 → 27 ms warm on this machine), and the first transform a
-- connection makes pays for setting PROJ up (about 40 ms). Same coordinates, same tiles.

alter table tile_grid
  alter column geom type geometry(MultiPolygon, 3857) using ST_Transform(geom, 3857),
  alter column geom_simple type geometry(Geometry, 3857) using ST_Transform(geom_simple, 3857),
  alter column label type geometry(Point, 3857) using ST_Transform(label, 3857);

alter table tile_community
  alter column geom_simple type geometry(Geometry, 3857) using ST_Transform(geom_simple, 3857),
  alter column label type geometry(Point, 3857) using ST_Transform(label, 3857);
