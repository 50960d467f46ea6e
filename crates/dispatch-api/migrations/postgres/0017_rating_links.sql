-- The open rating link itself, so the caregiver's phone shows it again after a reload or on
-- another phone until the visit is rated. It rates one visit once, and is cleared when the
-- rating comes; `link_hash` stays the key the link is found by.
ALTER TABLE ratings ADD COLUMN link TEXT;
