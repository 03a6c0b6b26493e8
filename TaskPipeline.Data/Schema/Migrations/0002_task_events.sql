-- Terminal state changes (done, failed, canceled), numbered in the order they are made: the Producer's notification
-- stream uses the number as its event id and replays what a reconnecting client missed from this column.
-- Every statement that ends a task sets event_seq = nextval('task_event_seq'); one that takes a task out of a terminal
-- state (a retry) clears it.
CREATE SEQUENCE task_event_seq AS bigint;

ALTER TABLE tasks ADD COLUMN event_seq bigint;

CREATE INDEX tasks_event_seq_idx ON tasks (event_seq) WHERE event_seq IS NOT NULL;

-- One notification per statement, not per row: a completion batch of 1000 tasks wakes each listener once, and
-- identical notifications of one transaction are delivered once. The payload is empty; listeners read what is new
-- by event_seq. "UPDATE OF event_seq" keeps claims, lease renewals and outbox sweeps from notifying at all.
CREATE FUNCTION notify_task_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('task_events', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER tasks_task_events_notify
    AFTER UPDATE OF event_seq ON tasks
    FOR EACH STATEMENT EXECUTE FUNCTION notify_task_events();
