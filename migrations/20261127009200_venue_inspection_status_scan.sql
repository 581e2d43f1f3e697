-- venue_inspection_status read every venue's last inspection through a lateral probe per venue: right for one
-- venue, slow for the whole map (36,800 venues of the stress set: 0.65 s). The last inspection of every venue now
-- comes from one ordered pass over an index that already holds the order (DISTINCT ON); a query for one venue or
-- one community still reaches only its rows, since the planner pushes a condition on venue_id into it
-- (R__venues.sql).

create index inspection_venue_last_idx on inspection (venue_id, inspected_on desc, id desc) include (result);
