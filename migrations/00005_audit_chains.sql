-- +goose Up
-- The audit log in several chains: officials' actions stay on chain 0; the events
-- of candidates' attempts, logins and objections are spread over chains 1–16 by
-- their object, so that thousands of candidates starting at once do not all wait
-- for one chain head. Each chain is hash-linked and fork-free on its own.
ALTER TABLE audit_log ADD COLUMN chain integer NOT NULL DEFAULT 0 CHECK (chain BETWEEN 0 AND 16);
CREATE INDEX audit_log_chain ON audit_log (chain, id);

ALTER TABLE audit_head DROP CONSTRAINT audit_head_id_check;
ALTER TABLE audit_head ADD CONSTRAINT audit_head_id_check CHECK (id BETWEEN 1 AND 17);
-- Chain c's head is the row with id c + 1.
INSERT INTO audit_head (id, last_id, last_hash)
SELECT c + 1, 0, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea
FROM generate_series(1, 16) AS c;

-- A row of chain c > 0 hashes its chain number with its content; chain 0 rows keep
-- the original definition, so the rows written before chains existed still verify.
-- +goose StatementBegin
CREATE FUNCTION audit_hash_chained(chain integer, id bigint, at timestamptz, actor_kind text, actor_id text,
                                   actor_name text, action text, object_type text, object_id text,
                                   details jsonb, prev_hash bytea)
RETURNS bytea LANGUAGE sql STABLE STRICT AS $$
    SELECT CASE WHEN chain = 0
        THEN audit_hash(id, at, actor_kind, actor_id, actor_name, action, object_type, object_id, details, prev_hash)
        ELSE sha256(convert_to('chain ' || chain::text || E'\n', 'UTF8') ||
            audit_hash(id, at, actor_kind, actor_id, actor_name, action, object_type, object_id, details, prev_hash))
    END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION audit_hash_chained(integer, bigint, timestamptz, text, text, text, text, text, text, jsonb, bytea);
DELETE FROM audit_head WHERE id > 1;
ALTER TABLE audit_head DROP CONSTRAINT audit_head_id_check;
ALTER TABLE audit_head ADD CONSTRAINT audit_head_id_check CHECK (id = 1);
DROP INDEX audit_log_chain;
ALTER TABLE audit_log DROP COLUMN chain;
