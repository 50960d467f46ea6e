-- A check-in without a position (the phone refused it, or had none) is still recorded, as
-- unverified: its coordinates are empty.
ALTER TABLE visit_progress ALTER COLUMN check_in_lon DROP NOT NULL;
ALTER TABLE visit_progress ALTER COLUMN check_in_lat DROP NOT NULL;
