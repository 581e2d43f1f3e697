-- plan_grid_figures() returns each grid's band status too (R__grids.sql), as grid_figure does: a function's result
-- columns cannot change in place, so the old one goes here and the repeatable file makes the new one.
drop function if exists plan_grid_figures(integer, integer[]);
