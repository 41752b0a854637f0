-- Format 4: the jti records of accepted DPoP proofs (RFC 9449 §11.1), shared by every instance of a host so
-- that a proof is accepted once. A row lives as long as a proof with its iat would be accepted; the sweep
-- removes it after that (expires_at is indexed for it). Rows are small and many: no data column.

CREATE TABLE dpop_jtis (
    host       text        NOT NULL,
    jti        text        NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (host, jti)
);
CREATE INDEX dpop_jtis_expires ON dpop_jtis (expires_at);
