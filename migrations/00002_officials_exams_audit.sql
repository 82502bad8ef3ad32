-- +goose Up
CREATE TABLE officials (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    username       text NOT NULL,
    display_name   text NOT NULL,
    role           text NOT NULL CHECK (role IN ('admin', 'reviewer')),
    password_hash  text NOT NULL,
    disabled       boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX officials_username ON officials (lower(username));

-- The question bank. A question's content never changes once a published exam may
-- draw it; an edit then makes a new question that names the one it replaces.
CREATE TABLE questions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    section     text NOT NULL,
    stem        text NOT NULL,
    stem_key    text NOT NULL,
    options     jsonb NOT NULL,
    correct     text NOT NULL,
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    replaces    uuid REFERENCES questions (id),
    created_by  uuid REFERENCES officials (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- No two active questions of a section share a stem (compared after normalising).
CREATE UNIQUE INDEX questions_active_stem ON questions (section, stem_key) WHERE status = 'active';
CREATE INDEX questions_section ON questions (section, status);

CREATE TABLE exams (
    id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title                     text NOT NULL,
    duration_seconds          integer NOT NULL CHECK (duration_seconds > 0),
    opens_at                  timestamptz NOT NULL,
    closes_at                 timestamptz NOT NULL CHECK (closes_at > opens_at),
    grace_seconds             integer NOT NULL CHECK (grace_seconds >= 0),
    shuffle_questions         boolean NOT NULL,
    shuffle_options           boolean NOT NULL,
    points_correct            numeric NOT NULL CHECK (points_correct > 0),
    penalty_num               bigint NOT NULL CHECK (penalty_num >= 0),
    penalty_den               bigint NOT NULL CHECK (penalty_den > 0),
    pass_percent              numeric NOT NULL CHECK (pass_percent BETWEEN 0 AND 100),
    max_attempts              integer NOT NULL CHECK (max_attempts > 0),
    objection_window_seconds  integer NOT NULL CHECK (objection_window_seconds >= 0),
    status                    text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'closed')),
    results_published         boolean NOT NULL DEFAULT false,
    created_by                uuid REFERENCES officials (id),
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    published_at              timestamptz,
    closed_at                 timestamptz
);

CREATE TABLE exam_sections (
    exam_id      uuid NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    position     integer NOT NULL,
    key          text NOT NULL,
    title        text NOT NULL,
    draw         integer NOT NULL CHECK (draw > 0),
    min_percent  numeric NOT NULL CHECK (min_percent BETWEEN 0 AND 100),
    PRIMARY KEY (exam_id, key),
    UNIQUE (exam_id, position)
);

-- The frozen pool: the questions a published exam may draw, fixed at publication.
CREATE TABLE exam_pool (
    exam_id      uuid NOT NULL REFERENCES exams (id),
    section_key  text NOT NULL,
    question_id  uuid NOT NULL REFERENCES questions (id),
    PRIMARY KEY (exam_id, question_id),
    FOREIGN KEY (exam_id, section_key) REFERENCES exam_sections (exam_id, key)
);
CREATE INDEX exam_pool_question ON exam_pool (question_id);

CREATE TABLE accommodations (
    exam_id        uuid NOT NULL REFERENCES exams (id),
    candidate_id   uuid NOT NULL REFERENCES candidates (id),
    extra_seconds  integer NOT NULL CHECK (extra_seconds > 0),
    reason         text NOT NULL,
    granted_by     uuid REFERENCES officials (id),
    granted_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (exam_id, candidate_id)
);

-- The audit log: append-only and hash-chained. Each row's hash is SHA-256 over its
-- canonical content, which includes the previous row's hash; audit_head holds the
-- last link so that writers serialise on it and a deleted tail is noticed.
CREATE TABLE audit_log (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL,
    actor_kind   text NOT NULL,
    actor_id     text NOT NULL,
    actor_name   text NOT NULL,
    action       text NOT NULL,
    object_type  text NOT NULL,
    object_id    text NOT NULL,
    details      jsonb NOT NULL,
    prev_hash    bytea NOT NULL,
    hash         bytea NOT NULL
);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);
CREATE INDEX audit_log_action ON audit_log (action);

CREATE TABLE audit_head (
    id         integer PRIMARY KEY CHECK (id = 1),
    last_id    bigint NOT NULL,
    last_hash  bytea NOT NULL
);
INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, '\x0000000000000000000000000000000000000000000000000000000000000000');

-- audit_hash is the one definition of a row's canonical content and its hash; the
-- writer and the verifier both use it.
-- +goose StatementBegin
CREATE FUNCTION audit_hash(id bigint, at timestamptz, actor_kind text, actor_id text, actor_name text,
                           action text, object_type text, object_id text, details jsonb, prev_hash bytea)
RETURNS bytea LANGUAGE sql STABLE STRICT AS $$
    SELECT sha256(convert_to(
        id::text || E'\n' ||
        to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || E'\n' ||
        actor_kind || E'\n' || actor_id || E'\n' || actor_name || E'\n' ||
        action || E'\n' || object_type || E'\n' || object_id || E'\n' ||
        details::text, 'UTF8') || prev_hash)
$$;
-- +goose StatementEnd

-- Nobody rewrites the log through the application's own connection: updates and
-- deletes are refused. (A superuser can still switch this off; the hash chain is
-- what catches that.)
-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- A question in the frozen pool of an exam keeps its content forever; only its
-- status may change. The application makes a new question instead.
-- +goose StatementBegin
CREATE FUNCTION questions_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.section, NEW.stem, NEW.options, NEW.correct) IS DISTINCT FROM (OLD.section, OLD.stem, OLD.options, OLD.correct)
       AND EXISTS (SELECT 1 FROM exam_pool WHERE question_id = OLD.id) THEN
        RAISE EXCEPTION 'question % is used by a published exam and cannot change', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER questions_frozen BEFORE UPDATE ON questions FOR EACH ROW EXECUTE FUNCTION questions_frozen();

-- +goose Down
DROP TABLE audit_head;
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP FUNCTION audit_hash(bigint, timestamptz, text, text, text, text, text, text, jsonb, bytea);
DROP TABLE accommodations;
DROP TABLE exam_pool;
DROP TABLE exam_sections;
DROP TABLE exams;
DROP TABLE questions;
DROP FUNCTION questions_frozen();
DROP TABLE officials;
