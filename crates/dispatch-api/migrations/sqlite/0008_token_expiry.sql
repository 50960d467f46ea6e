-- Tokens can expire and be revoked: both refuse the token on its next request. A token is
-- named in lists by the first 12 hex digits of its hash (never by the secret).
ALTER TABLE tokens ADD COLUMN expires_ms INTEGER;
ALTER TABLE tokens ADD COLUMN revoked_ms INTEGER;
