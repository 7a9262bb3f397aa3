"""Situation reports and exports: figures computed from records the reader may read, and the
standard formats (ACLED-style CSV, GeoJSON, HXL) other systems take. Pure: the services
gather the records and record who took what."""
