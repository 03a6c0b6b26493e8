-- Runs for a month: reads that do not grow with the table, counts that survive retention, one identity per claim.

-- One identity per claim. attempts counts the attempts that count (a retry resets it, a release gives one back), so
-- it cannot tell two claims apart; claim is raised by every claim and never lowered, so (id, lease_owner, claim)
-- names exactly one claim. Claims held while this runs keep their identity: their claim is their attempts.
ALTER TABLE tasks ADD COLUMN claim integer NOT NULL DEFAULT 0;
UPDATE tasks SET claim = attempts WHERE state = 'processing';

-- Listing newest first by state (and type) walks this index instead of the whole table. Processing tasks are left
-- out: they are bounded by the Consumers' queues, and every claim and lease renewal would otherwise add an entry.
CREATE INDEX tasks_state_id_idx ON tasks (state, id) WHERE state <> 'processing';

-- Retention deletes the oldest finished tasks of a state first, reading only what it deletes.
CREATE INDEX tasks_ended_age_idx ON tasks (state, done_at) WHERE done_at IS NOT NULL;

-- The outbox sweep reads only due tasks: new tasks that were never swept (redispatch_at NULL) by age, and tasks handed
-- back or already swept by redispatch_at. One index over both kept the not-yet-due rows in every scan's path.
DROP INDEX tasks_received_fifo_idx;
CREATE INDEX tasks_received_new_idx ON tasks (created_at, id) WHERE state = 'received' AND redispatch_at IS NULL;
CREATE INDEX tasks_received_due_idx ON tasks (redispatch_at) WHERE state = 'received' AND redispatch_at IS NOT NULL;

-- Counts per state and type without counting the table. Statement triggers append what each statement changed to
-- task_count_deltas (append-only: concurrent statements never wait on one counter row); the Producer folds the
-- deltas into task_counts every second, and readers add both. Rows removed (retention, or by hand) move to the
-- removed columns, so all-time figures (done per type and their value sum) survive deletion. Processing tasks are
-- counted per lease owner too (owner is '' for every other state), which says how many Consumers hold work.
CREATE TABLE task_counts (
    state             task_state NOT NULL,
    type              smallint   NOT NULL,
    owner             text       NOT NULL DEFAULT '',
    tasks             bigint     NOT NULL DEFAULT 0,
    value_sum         bigint     NOT NULL DEFAULT 0,
    removed           bigint     NOT NULL DEFAULT 0,
    removed_value_sum bigint     NOT NULL DEFAULT 0,
    PRIMARY KEY (state, type, owner)
);

CREATE TABLE task_count_deltas (
    state             task_state NOT NULL,
    type              smallint   NOT NULL,
    owner             text       NOT NULL DEFAULT '',
    tasks             bigint     NOT NULL DEFAULT 0,
    value_sum         bigint     NOT NULL DEFAULT 0,
    removed           bigint     NOT NULL DEFAULT 0,
    removed_value_sum bigint     NOT NULL DEFAULT 0
);

CREATE FUNCTION task_count_owner(state task_state, lease_owner text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN state = 'processing' THEN coalesce(lease_owner, '') ELSE '' END;

INSERT INTO task_counts (state, type, owner, tasks, value_sum)
SELECT state, type, task_count_owner(state, lease_owner), count(*), sum(value) FROM tasks GROUP BY 1, 2, 3;

CREATE FUNCTION count_inserted_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_count_deltas (state, type, owner, tasks, value_sum)
    SELECT state, type, task_count_owner(state, lease_owner), count(*), sum(value) FROM inserted_tasks GROUP BY 1, 2, 3;
    RETURN NULL;
END
$$;

-- type and value never change, so only a change of state (or of a processing task's owner) moves counts; a
-- statement that changes neither (a lease renewal, a sweep) nets to nothing and writes nothing.
CREATE FUNCTION count_updated_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_count_deltas (state, type, owner, tasks, value_sum)
    SELECT state, type, owner, sum(tasks), sum(value_sum)
    FROM (SELECT state, type, task_count_owner(state, lease_owner) AS owner, count(*) AS tasks, sum(value) AS value_sum
          FROM updated_new GROUP BY 1, 2, 3
          UNION ALL
          SELECT state, type, task_count_owner(state, lease_owner), -count(*), -sum(value)
          FROM updated_old GROUP BY 1, 2, 3) AS moved
    GROUP BY state, type, owner
    HAVING sum(tasks) <> 0;
    RETURN NULL;
END
$$;

CREATE FUNCTION count_deleted_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_count_deltas (state, type, owner, tasks, value_sum, removed, removed_value_sum)
    SELECT state, type, task_count_owner(state, lease_owner), -count(*), -sum(value), count(*), sum(value)
    FROM deleted_tasks GROUP BY 1, 2, 3;
    RETURN NULL;
END
$$;

-- TRUNCATE starts over: nothing is left to count.
CREATE FUNCTION count_truncated_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM task_count_deltas;
    DELETE FROM task_counts;
    RETURN NULL;
END
$$;

CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS inserted_tasks FOR EACH STATEMENT EXECUTE FUNCTION count_inserted_tasks();
CREATE TRIGGER tasks_count_update AFTER UPDATE ON tasks
    REFERENCING OLD TABLE AS updated_old NEW TABLE AS updated_new FOR EACH STATEMENT EXECUTE FUNCTION count_updated_tasks();
CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS deleted_tasks FOR EACH STATEMENT EXECUTE FUNCTION count_deleted_tasks();
CREATE TRIGGER tasks_count_truncate AFTER TRUNCATE ON tasks
    FOR EACH STATEMENT EXECUTE FUNCTION count_truncated_tasks();

-- The tasks table churns by design: every task is written four times (stored, claimed, finished, deleted), so at full
-- speed it makes hundreds of thousands of dead rows a second. Vacuum it early and unthrottled, or it falls behind and
-- the table grows with dead rows though the live rows stay flat. The deltas table is rewritten every second.
ALTER TABLE tasks SET (
    autovacuum_vacuum_cost_delay = 0,
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_vacuum_insert_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE task_count_deltas SET (autovacuum_vacuum_cost_delay = 0, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000);
