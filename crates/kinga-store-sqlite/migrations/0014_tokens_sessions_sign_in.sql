-- API tokens expire and can be revoked; a token issued against the holder's second factor
-- carries the rights that need one. Rows from before keep NULL/0 and their recorded digest.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT;
ALTER TABLE api_tokens ADD COLUMN second_factor BIGINT NOT NULL DEFAULT 0;
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Sessions join the audit chain from now on: sessions opened before have no entry and so no
-- longer open anything; their holders sign in again.
DELETE FROM sessions;
-- Edit locks too (they last 30 minutes): whoever held one takes it again.
DELETE FROM incident_locks;

-- Failed sign-ins per account, kept across restarts.
CREATE TABLE sign_in_failures (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    since TEXT NOT NULL
);
