-- Time-stamped checkpoints of the audit chain head. Each row holds an RFC 3161 token (DER, as
-- hex) over the hash of audit entry `seq`; verification checks the token and that the chain
-- still holds that hash at that entry. Each row is audited like any other record.
CREATE TABLE audit_checkpoints (
    id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    head_hash TEXT NOT NULL,
    token TEXT NOT NULL,
    gen_time TEXT NOT NULL,
    tsa TEXT NOT NULL,
    created_at TEXT NOT NULL
);
-- Verification reads checkpoints in chain order.
CREATE INDEX audit_checkpoints_seq ON audit_checkpoints (seq);
