-- Every transaction that changes a tile layer bumps that layer's row in tile_layer, so concurrent writers commit one
-- after the other. For users that is the point (the version order is the commit order); for the city loader, which
-- loads subdistricts side by side, one transaction each, it made the parallel load a serial one: the second
-- subdistrict waited on the first's row lock until it committed. A bulk loader sets gridatlas.tile_bump = 'off'
-- in its own transactions and bumps every layer once when it is done (refreshTileLayers); nothing else sets it.
create or replace function tile_bump(layers text[]) returns void language sql as $$
  update tile_layer set version = version + 1, changed_at = now()
  where layer = any(layers) and coalesce(current_setting('gridatlas.tile_bump', true), '') <> 'off'
$$;
