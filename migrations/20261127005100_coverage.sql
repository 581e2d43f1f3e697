-- Which stretches of road each grid of the published plan holds, for coverage figures and blind spots. A road's
-- centre line usually runs along the edge between two grids (blocks are faces of the road network), and then it
-- serves both: a stretch belongs to every grid within half a metre of it. Computed by the server on first use of a
-- grid and kept while the grid's geometry is unchanged (a published grid never changes; a new plan brings new
-- grids); a change to the roads forgets them all.

create table coverage_grid (
  grid_id integer primary key references grid (id) on delete cascade,
  -- md5 of the grid's geometry when this was computed: a grid whose geometry changed is computed again.
  geom_key text not null,
  -- The grid in its subdistrict's metric CRS (so no SRID constraint: it is configurable per subdistrict).
  geom_m geometry not null
);
create index coverage_grid_geom_m_idx on coverage_grid using gist (geom_m);

create table coverage_grid_road (
  grid_id integer not null references coverage_grid (grid_id) on delete cascade,
  road_id integer not null references road (id) on delete cascade,
  -- In metres from the road's start, measured in the metric CRS, as camera_view_road.seen.
  along float8multirange not null,
  primary key (grid_id, road_id)
);
create index coverage_grid_road_road_idx on coverage_grid_road (road_id);
