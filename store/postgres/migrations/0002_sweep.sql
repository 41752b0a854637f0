-- Format 2: what the periodic sweep of expired rows needs. An index on expires_at per table with expiring rows,
-- so that a bounded sweep reads only what it removes; and the lease table, whose rows one instance at a time
-- holds (taken with a conditional upsert, which CockroachDB honours as PostgreSQL does).

CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX consents_expires ON consents (expires_at);
CREATE INDEX grants_expires ON grants (expires_at);
CREATE INDEX tokens_expires ON tokens (expires_at);
CREATE INDEX codes_expires ON codes (expires_at);
CREATE INDEX device_codes_expires ON device_codes (expires_at);
CREATE INDEX keys_expires ON keys (expires_at);
CREATE INDEX interactions_expires ON interactions (expires_at);
CREATE INDEX admin_tokens_expires ON admin_tokens (expires_at);

CREATE TABLE assentry_leases (
    name   text        NOT NULL PRIMARY KEY,
    holder text        NOT NULL,
    until  timestamptz NOT NULL
);
