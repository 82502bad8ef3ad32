-- +goose Up
-- The audit hash functions, unchanged in what they compute, without STRICT: a
-- STRICT SQL function whose body is a CASE cannot be inlined, so every row
-- appended set up and planned both functions afresh (about half the time of a
-- start storm's audit rows). Every argument is NOT NULL in audit_log, and every
-- operator in the bodies is strict, so a NULL argument still gives NULL.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_hash(id bigint, at timestamptz, actor_kind text, actor_id text, actor_name text,
                                      action text, object_type text, object_id text, details jsonb, prev_hash bytea)
RETURNS bytea LANGUAGE sql STABLE AS $$
    SELECT sha256(convert_to(
        id::text || E'\n' ||
        to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || E'\n' ||
        actor_kind || E'\n' || actor_id || E'\n' || actor_name || E'\n' ||
        action || E'\n' || object_type || E'\n' || object_id || E'\n' ||
        details::text, 'UTF8') || prev_hash)
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_hash_chained(chain integer, id bigint, at timestamptz, actor_kind text, actor_id text,
                                              actor_name text, action text, object_type text, object_id text,
                                              details jsonb, prev_hash bytea)
RETURNS bytea LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN chain = 0
        THEN audit_hash(id, at, actor_kind, actor_id, actor_name, action, object_type, object_id, details, prev_hash)
        ELSE sha256(convert_to('chain ' || chain::text || E'\n', 'UTF8') ||
            audit_hash(id, at, actor_kind, actor_id, actor_name, action, object_type, object_id, details, prev_hash))
    END
$$;
-- +goose StatementEnd

-- audit_append_many as before (one chain, its head locked once, each row hashed
-- onto the one before exactly as a single append hashes it), but the rows are
-- hashed in a loop of plain assignments and written by one INSERT, not one
-- INSERT per row; the rows of one call share one time.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_append_many(p_chain integer, p_actor_kind text[], p_actor_id text[], p_actor_name text[],
                                             p_action text[], p_object_type text[], p_object_id text[], p_details jsonb[])
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    prev   bytea;
    n      integer := coalesce(array_length(p_action, 1), 0);
    ids    bigint[];
    prevs  bytea[];
    hashes bytea[];
    v_at   timestamptz;
BEGIN
    IF p_chain < 1 THEN
        RAISE EXCEPTION 'audit_append_many is for candidates'' chains (1–16), not chain %', p_chain;
    END IF;
    IF n = 0 THEN
        RETURN 0;
    END IF;
    SELECT last_hash INTO prev FROM audit_head WHERE id = p_chain + 1 FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audit chain % has no head', p_chain;
    END IF;
    -- Ids and time are taken after the head's lock, so ids grow along the chain.
    ids := ARRAY(SELECT nextval('audit_log_id_seq') FROM generate_series(1, n));
    v_at := date_trunc('microseconds', clock_timestamp());
    FOR i IN 1 .. n LOOP
        prevs[i] := prev;
        prev := audit_hash_chained(p_chain, ids[i], v_at, p_actor_kind[i], p_actor_id[i], p_actor_name[i], p_action[i],
                                   p_object_type[i], p_object_id[i], p_details[i], prev);
        hashes[i] := prev;
    END LOOP;
    INSERT INTO audit_log (id, at, actor_kind, actor_id, actor_name, action, object_type, object_id, details, prev_hash, chain, hash)
    SELECT u.id, v_at, u.actor_kind, u.actor_id, u.actor_name, u.action, u.object_type, u.object_id, u.details, u.prev_hash,
           p_chain, u.hash
    FROM unnest(ids, p_actor_kind, p_actor_id, p_actor_name, p_action, p_object_type, p_object_id, p_details, prevs, hashes)
        AS u(id, actor_kind, actor_id, actor_name, action, object_type, object_id, details, prev_hash, hash);
    UPDATE audit_head SET last_id = ids[n], last_hash = prev WHERE id = p_chain + 1;
    RETURN n;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- The hash functions STRICT again. audit_append_many keeps this body: it writes
-- the same rows as 00006's (up to one time for all of a call's rows).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_hash(id bigint, at timestamptz, actor_kind text, actor_id text, actor_name text,
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
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_hash_chained(chain integer, id bigint, at timestamptz, actor_kind text, actor_id text,
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
