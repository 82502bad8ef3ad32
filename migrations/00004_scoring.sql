-- +goose Up
-- The score of a finished attempt, written in the same transaction that finishes
-- it and rewritten (set-based) when an objection voids or re-keys a question.
ALTER TABLE attempts
    ADD COLUMN score           numeric,
    ADD COLUMN max_score       numeric,
    ADD COLUMN percent         numeric,
    ADD COLUMN passed          boolean,
    ADD COLUMN section_scores  jsonb,
    ADD COLUMN scored_at       timestamptz;
CREATE INDEX attempts_exam_finished ON attempts (exam_id) WHERE finish_reason IS NOT NULL;

-- Decisions on objections that change scoring for one exam: a voided question
-- counts for no one; a re-keyed one has a new correct key.
CREATE TABLE question_overrides (
    exam_id      uuid NOT NULL REFERENCES exams (id),
    question_id  uuid NOT NULL REFERENCES questions (id),
    voided       boolean NOT NULL DEFAULT false,
    correct      text,
    decided_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (exam_id, question_id)
);

CREATE TABLE objections (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    exam_id       uuid NOT NULL REFERENCES exams (id),
    attempt_id    uuid NOT NULL REFERENCES attempts (id),
    candidate_id  uuid NOT NULL REFERENCES candidates (id),
    question_id   uuid NOT NULL REFERENCES questions (id),
    text          text NOT NULL,
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'rejected', 'voided', 'rekeyed')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    resolved_at   timestamptz,
    resolved_by   uuid REFERENCES officials (id),
    new_correct   text,
    note          text,
    UNIQUE (attempt_id, question_id)
);
CREATE INDEX objections_exam ON objections (exam_id, status);

-- +goose Down
DROP TABLE objections;
DROP TABLE question_overrides;
DROP INDEX attempts_exam_finished;
ALTER TABLE attempts DROP COLUMN score, DROP COLUMN max_score, DROP COLUMN percent, DROP COLUMN passed,
    DROP COLUMN section_scores, DROP COLUMN scored_at;
