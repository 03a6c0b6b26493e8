-- Scheduling like the job systems people already use: delayed tasks, priorities, idempotent creates, and the history
-- of done and failed tasks per second. One script: every part of it lands or none does.

-- A delayed task waits as 'scheduled' until run_at, then the Producer's scheduler makes it 'received' and sends it like
-- any other. Sorted before 'received': scheduled → received → processing → done.
ALTER TYPE task_state ADD VALUE IF NOT EXISTS 'scheduled' BEFORE 'received';

-- run_at: when a delayed task is due (NULL for a task that runs at once); kept once it ran, so a reader sees when it
-- was due. priority: 0 (lowest) to 9, 5 unless the creator says otherwise; a constant default adds the column without
-- rewriting the table, and the check holds every existing row by that default, so it is not checked by reading them
-- all (NOT VALID: every row written from now on is checked).
ALTER TABLE tasks
    ADD COLUMN run_at timestamptz,
    ADD COLUMN priority smallint NOT NULL DEFAULT $DefaultPriority$;
ALTER TABLE tasks
    ADD CONSTRAINT tasks_priority_check CHECK (priority BETWEEN $MinPriority$ AND $MaxPriority$) NOT VALID;

-- The scheduler's one read: the earliest due scheduled tasks, and the earliest due time to sleep until. Only scheduled
-- rows are in it, so its size is what waits, never the table's history.
-- The predicate says "state < 'received'" (only 'scheduled' sorts before it) because a value added by ALTER TYPE
-- cannot be named in the transaction that adds it; PostgreSQL proves "state = 'scheduled'" implies it, so statements
-- say what they mean and still use this index.
CREATE INDEX tasks_scheduled_due_idx ON tasks (run_at, id) WHERE state < 'received';

-- Idempotent creates: a client's key names one task for a day. The key is the client's (API key name or token
-- subject) so two clients never meet on a key; the request's hash tells a repeat from another request under the same
-- key; the response is the create's own answer, returned as it was to a repeat even after the task moved on or was
-- deleted by retention. Expired keys are replaced by a new create and deleted by retention, oldest first.
CREATE TABLE task_idempotency_keys (
    client       text        NOT NULL,
    key          text        NOT NULL,
    request_hash bytea       NOT NULL,
    task_id      uuid        NOT NULL,
    response     text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (client, key)
);

CREATE INDEX task_idempotency_keys_expiry_idx ON task_idempotency_keys (expires_at);

-- Done and failed tasks per second, for the dashboards' history (the last hour). The counters' deltas learn when they
-- were written (their transaction's time), and the fold that moves them into task_counts every second adds the tasks
-- that reached done or failed to their second here: one small row per busy second, none while idle, no read of the
-- tasks table. Retention deletes seconds older than an hour.
ALTER TABLE task_count_deltas ADD COLUMN at timestamptz NOT NULL DEFAULT now();

CREATE TABLE task_throughput (
    second timestamptz PRIMARY KEY,
    done   bigint      NOT NULL DEFAULT 0,
    failed bigint      NOT NULL DEFAULT 0
);

-- TRUNCATE of tasks starts the history over too.
CREATE OR REPLACE FUNCTION count_truncated_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM task_count_deltas;
    DELETE FROM task_counts;
    DELETE FROM task_throughput;
    RETURN NULL;
END
$$;
