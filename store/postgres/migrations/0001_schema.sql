-- Format 1: one table per entity. Each row keeps the whole record as JSON in data (the entity's own encoding)
-- plus the columns that queries filter, order or lock on. expires_at NULL means never; a row whose expires_at
-- is at or before the backend's clock is absent to every read and is removed by a later sweep.

CREATE TABLE users (
    host     text    NOT NULL,
    id       text    NOT NULL,
    username text    NOT NULL,
    deleted  boolean NOT NULL DEFAULT false,
    data     jsonb   NOT NULL,
    PRIMARY KEY (host, id)
);
CREATE UNIQUE INDEX users_username ON users (host, username) WHERE NOT deleted;

CREATE TABLE sessions (
    host       text        NOT NULL,
    id         text        NOT NULL,
    user_id    text        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz,
    data       jsonb       NOT NULL,
    PRIMARY KEY (host, id)
);
CREATE INDEX sessions_user ON sessions (host, user_id);

CREATE TABLE clients (
    host text  NOT NULL,
    id   text  NOT NULL,
    data jsonb NOT NULL,
    PRIMARY KEY (host, id)
);

CREATE TABLE consents (
    host       text  NOT NULL,
    user_id    text  NOT NULL,
    client_id  text  NOT NULL,
    expires_at timestamptz,
    data       jsonb NOT NULL,
    PRIMARY KEY (host, user_id, client_id)
);

CREATE TABLE grants (
    host       text        NOT NULL,
    id         text        NOT NULL,
    user_id    text        NOT NULL,
    client_id  text        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz,
    revoked    boolean     NOT NULL DEFAULT false,
    data       jsonb       NOT NULL,
    PRIMARY KEY (host, id)
);
CREATE INDEX grants_user ON grants (host, user_id);
CREATE INDEX grants_client ON grants (host, client_id);

CREATE TABLE tokens (
    host       text  NOT NULL,
    id         text  NOT NULL,
    grant_id   text  NOT NULL,
    expires_at timestamptz,
    data       jsonb NOT NULL,
    PRIMARY KEY (host, id)
);

CREATE TABLE codes (
    host       text    NOT NULL,
    id         text    NOT NULL,
    expires_at timestamptz,
    used       boolean NOT NULL DEFAULT false,
    data       jsonb   NOT NULL,
    PRIMARY KEY (host, id)
);

CREATE TABLE device_codes (
    host       text  NOT NULL,
    id         text  NOT NULL,
    user_code  text  NOT NULL,
    expires_at timestamptz,
    data       jsonb NOT NULL,
    PRIMARY KEY (host, id)
);
CREATE UNIQUE INDEX device_codes_user_code ON device_codes (host, user_code);

CREATE TABLE keys (
    host       text        NOT NULL,
    id         text        NOT NULL,
    use        text        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz,
    data       jsonb       NOT NULL,
    PRIMARY KEY (host, id)
);

CREATE TABLE interactions (
    host       text    NOT NULL,
    id         text    NOT NULL,
    expires_at timestamptz,
    used       boolean NOT NULL DEFAULT false,
    data       jsonb   NOT NULL,
    PRIMARY KEY (host, id)
);

CREATE TABLE revoked_clients (
    host       text        NOT NULL,
    id         text        NOT NULL,
    revoked_at timestamptz NOT NULL,
    data       jsonb       NOT NULL,
    PRIMARY KEY (host, id)
);

CREATE TABLE admin_tokens (
    id           text  NOT NULL PRIMARY KEY,
    name         text  NOT NULL,
    expires_at   timestamptz,
    last_used_at timestamptz,
    data         jsonb NOT NULL
);
CREATE UNIQUE INDEX admin_tokens_name ON admin_tokens (name);
