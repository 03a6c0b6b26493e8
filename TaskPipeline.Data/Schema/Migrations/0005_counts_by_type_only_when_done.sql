-- Fewer counter rows per statement. Only done tasks are read per type (the all-time done count and value sum of each
-- type); every other state is read as one figure (and processing per lease owner). Counting those per type as well
-- made each statement append up to ten delta rows per state it touched: at small batches (a claim or a completion of
-- a few tasks, as at 1,000 tasks/s) that was several delta rows per task, each written, then folded and deleted.
-- Now every state but done is counted under type -1, "all types". Rows already counted per type stay as they are:
-- readers sum a state over its types, so both kinds add up to the same figure.
CREATE FUNCTION task_count_type(state task_state, type smallint) RETURNS smallint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN state = 'done' THEN type ELSE -1 END;

CREATE OR REPLACE FUNCTION count_inserted_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_count_deltas (state, type, owner, tasks, value_sum)
    SELECT state, task_count_type(state, type), task_count_owner(state, lease_owner), count(*), sum(value)
    FROM inserted_tasks GROUP BY 1, 2, 3;
    RETURN NULL;
END
$$;

-- One aggregation over both transition tables, each row counted +1 as it is now and -1 as it was (0003 aggregated each
-- table, then their union: three aggregations per statement, a fixed cost every small statement paid).
CREATE OR REPLACE FUNCTION count_updated_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_count_deltas (state, type, owner, tasks, value_sum)
    SELECT state, task_count_type(state, type), task_count_owner(state, lease_owner), sum(sign), sum(sign * value)
    FROM (SELECT state, type, lease_owner, value, 1 AS sign FROM updated_new
          UNION ALL
          SELECT state, type, lease_owner, value, -1 FROM updated_old) AS moved
    GROUP BY 1, 2, 3
    HAVING sum(sign) <> 0;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION count_deleted_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_count_deltas (state, type, owner, tasks, value_sum, removed, removed_value_sum)
    SELECT state, task_count_type(state, type), task_count_owner(state, lease_owner), -count(*), -sum(value), count(*), sum(value)
    FROM deleted_tasks GROUP BY 1, 2, 3;
    RETURN NULL;
END
$$;
