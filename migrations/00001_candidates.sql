-- +goose Up
-- Constituencies of the council elections. A city is measured by its population, a
-- village by its households; the eligibility tiers below refer to those measures.
CREATE TABLE constituencies (
    id          integer PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    name_fa     text NOT NULL,
    name_en     text NOT NULL,
    province    text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('city', 'village')),
    population  integer NOT NULL CHECK (population >= 0),
    households  integer NOT NULL CHECK (households >= 0),
    seats       integer NOT NULL CHECK (seats > 0)
);

-- The eligibility policy is data: one active policy row, and its education tiers.
CREATE TABLE eligibility_policies (
    id                 integer PRIMARY KEY,
    name               text NOT NULL,
    min_age            integer NOT NULL CHECK (min_age >= 0),
    max_age            integer CHECK (max_age IS NULL OR max_age >= min_age),
    military_required  boolean NOT NULL,
    active             boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX eligibility_policies_one_active ON eligibility_policies (active) WHERE active;

-- A tier applies to constituencies of its kind whose measure (population for a city,
-- households for a village) is at most max_measure; NULL means no upper bound. The
-- tier with the smallest bound that fits wins.
CREATE TABLE education_tiers (
    policy_id      integer NOT NULL REFERENCES eligibility_policies (id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('city', 'village')),
    max_measure    integer CHECK (max_measure IS NULL OR max_measure >= 0),
    min_education  text NOT NULL CHECK (min_education IN ('literacy','diploma','associate','bachelor','master','doctorate'))
);
CREATE UNIQUE INDEX education_tiers_unique ON education_tiers (policy_id, kind, coalesce(max_measure, -1));

CREATE TABLE candidates (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    national_id            char(10) NOT NULL UNIQUE,
    first_name             text NOT NULL,
    last_name              text NOT NULL,
    father_name            text NOT NULL,
    birth_date             date NOT NULL,
    gender                 text NOT NULL CHECK (gender IN ('male', 'female')),
    military_service       text CHECK (military_service IN ('completed', 'exempt', 'none')),
    mobile                 char(11) NOT NULL,
    email                  text,
    education              text NOT NULL CHECK (education IN ('literacy','diploma','associate','bachelor','master','doctorate')),
    constituency_id        integer NOT NULL REFERENCES constituencies (id),
    password_hash          text NOT NULL,
    eligible               boolean NOT NULL,
    ineligibility_reasons  text[] NOT NULL DEFAULT '{}',
    registered_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX candidates_constituency ON candidates (constituency_id);

-- Sessions of candidates and officials. Only a SHA-256 of the token is stored.
CREATE TABLE sessions (
    token_hash    bytea PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('candidate', 'official')),
    subject_id    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz,
    user_agent    text NOT NULL DEFAULT '',
    ip            text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_subject ON sessions (kind, subject_id) WHERE revoked_at IS NULL;

-- Failed logins, counted per account and per client address over a window, so the
-- limit holds across server instances.
CREATE TABLE login_failures (
    id         bigserial PRIMARY KEY,
    scope      text NOT NULL CHECK (scope IN ('account', 'ip')),
    key        text NOT NULL,
    failed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key ON login_failures (scope, key, failed_at);

-- +goose Down
DROP TABLE login_failures;
DROP TABLE sessions;
DROP TABLE candidates;
DROP TABLE education_tiers;
DROP TABLE eligibility_policies;
DROP TABLE constituencies;
