-- Format 3: the announcements of the instances serving from the database. Each row is one process (a random id
-- per start) with the ids of the static clients its configuration declares, by host, as a JSON object
-- ({"host": ["client", ...]}); the row is renewed by the instance's heartbeat and lapses at expires_at. A
-- config-declared client is deleted only while no live row declares it (store.InstanceRegistry). Plain rows and
-- conditional statements, no advisory locks: portable to CockroachDB.

CREATE TABLE assentry_instances (
    id         text        NOT NULL PRIMARY KEY,
    started_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    clients    jsonb       NOT NULL
);
