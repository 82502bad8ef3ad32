-- +goose Up
-- An attempt: one sitting of one exam by one candidate. The drawn questions and
-- their option order are stored, so the attempt reads the same everywhere.
CREATE TABLE attempts (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    exam_id        uuid NOT NULL REFERENCES exams (id),
    candidate_id   uuid NOT NULL REFERENCES candidates (id),
    number         integer NOT NULL CHECK (number > 0),
    seed           bigint NOT NULL,
    -- [{"id": question id, "section": key, "options": [keys in shown order]}]
    questions      jsonb NOT NULL,
    -- {question id: [option keys]}: what a save may name, checked inside the save.
    allowed        jsonb NOT NULL,
    started_at     timestamptz NOT NULL DEFAULT now(),
    deadline_at    timestamptz NOT NULL,
    grace_seconds  integer NOT NULL CHECK (grace_seconds >= 0),
    extra_seconds  integer NOT NULL DEFAULT 0 CHECK (extra_seconds >= 0),
    submitted_at   timestamptz,
    finish_reason  text CHECK (finish_reason IN ('submitted', 'timeout')),
    answers_hash   bytea,
    receipt        text,
    CHECK ((finish_reason IS NULL) = (submitted_at IS NULL)),
    UNIQUE (exam_id, candidate_id, number)
);
-- At most one running attempt per candidate and exam.
CREATE UNIQUE INDEX attempts_one_running ON attempts (exam_id, candidate_id) WHERE finish_reason IS NULL;
-- The sweeper's work list.
CREATE INDEX attempts_running_deadline ON attempts (deadline_at) WHERE finish_reason IS NULL;
CREATE INDEX attempts_candidate ON attempts (candidate_id);

CREATE TABLE answers (
    attempt_id   uuid NOT NULL REFERENCES attempts (id),
    question_id  uuid NOT NULL,
    choice       text,
    flagged      boolean NOT NULL DEFAULT false,
    seq          bigint NOT NULL,
    saved_at     timestamptz NOT NULL,
    PRIMARY KEY (attempt_id, question_id)
);

-- Keys that every server instance must share, such as the receipt signing key when
-- the configuration names none.
CREATE TABLE signing_keys (
    name         text PRIMARY KEY,
    private_key  bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE signing_keys;
DROP TABLE answers;
DROP TABLE attempts;
