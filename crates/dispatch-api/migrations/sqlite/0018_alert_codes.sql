-- Every alert carries a stable code and its parameters (JSON: ids, times, limits), so the
-- pages write it in their own language; alerts stored before have neither and read as their
-- kind with no parameters.
ALTER TABLE alerts ADD COLUMN code TEXT;
ALTER TABLE alerts ADD COLUMN params TEXT;
