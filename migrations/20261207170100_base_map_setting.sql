-- An optional raster base map under the app's own vector map (issue 17): 天地图 with the office's own key, or an
-- intranet tile server, given as a URL template. One row for the deployment, set by an admin; none (the default)
-- means the offline base map drawn from our own tiles, and the page's CSP then allows no other origin.
create table base_map_setting (
  id boolean primary key default true check (id),
  -- e.g. https://t0.tianditu.gov.cn/img_w/wmts?...&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=<key>
  raster_url text check (raster_url is null or (length(raster_url) <= 1000 and raster_url ~ '^https?://[^/?#]+')),
  attribution text not null default '' check (length(attribution) <= 200),
  updated_by text,
  updated_at timestamptz
);
insert into base_map_setting (id) values (true);
