-- A building's code in the office's own survey (楼栋编码), where the territory came from the office's layers: a
-- corrected buildings layer imported later is matched to the buildings already there by it, so that a building
-- keeps its entrances, their visits and their grids (geodata/src/territory/reimport.ts). Null for buildings from
-- the demo, OpenStreetMap or a layer without codes. Not unique: a multi-part footprint is one building a part.
alter table building add column code text check (length(code) between 1 and 50);
create index building_code_idx on building (community_code, code) where code is not null;
