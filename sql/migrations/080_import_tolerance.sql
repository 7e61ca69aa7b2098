-- A unit layer's source keeps the tolerance its last import was checked with (m² of gap or
-- overlap that pass), so its next file, or a restore, is checked as it was.
ALTER TABLE import_sources ADD COLUMN tolerance_m2 float8;
