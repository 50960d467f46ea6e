-- Why a caregiver checked in at a visit other than the next one on their route (the phone
-- asks; the dispatcher sees it). Empty for check-ins in route order and those from before.
ALTER TABLE visit_progress ADD COLUMN check_in_reason TEXT;
