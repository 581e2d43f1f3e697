-- PostGIS holds every geometry; the metric CRSs (CGCS2000 Gauss-Krüger zones such as EPSG:4550) come from its spatial_ref_sys.
create extension if not exists postgis;
