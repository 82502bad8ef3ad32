-- +goose Up
-- audit_append_many writes many rows to one chain in one call: it takes the
-- chain's head lock once, then hashes and links each row onto the one before it
-- exactly as a single append does (same id sequence, same clock, same
-- audit_hash_chained), and moves the head to the last. A batch of starts in a
-- start storm appends its attempts' rows this way: one statement, one lock.
-- +goose StatementBegin
CREATE FUNCTION audit_append_many(p_chain integer, p_actor_kind text[], p_actor_id text[], p_actor_name text[],
                                  p_action text[], p_object_type text[], p_object_id text[], p_details jsonb[])
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    prev  bytea;
    n     integer := coalesce(array_length(p_action, 1), 0);
    v_id  bigint;
    v_at  timestamptz;
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
    FOR i IN 1 .. n LOOP
        v_id := nextval('audit_log_id_seq');
        v_at := date_trunc('microseconds', clock_timestamp());
        INSERT INTO audit_log (id, at, actor_kind, actor_id, actor_name, action, object_type, object_id, details, prev_hash, chain, hash)
        VALUES (v_id, v_at, p_actor_kind[i], p_actor_id[i], p_actor_name[i], p_action[i], p_object_type[i], p_object_id[i],
                p_details[i], prev, p_chain,
                audit_hash_chained(p_chain, v_id, v_at, p_actor_kind[i], p_actor_id[i], p_actor_name[i], p_action[i],
                                   p_object_type[i], p_object_id[i], p_details[i], prev))
        RETURNING hash INTO prev;
    END LOOP;
    UPDATE audit_head SET last_id = v_id, last_hash = prev WHERE id = p_chain + 1;
    RETURN n;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION audit_append_many(integer, text[], text[], text[], text[], text[], text[], jsonb[]);
