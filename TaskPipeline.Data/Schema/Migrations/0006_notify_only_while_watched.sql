-- The completion notification only while someone listens. Every statement that ends tasks notified 'task_events'
-- (0002), which woke every listening backend and the Producer's relay, which then read the table: at 100 tasks/s, where
-- a completion is a statement of its own, that was about a sixth of the whole pipeline's CPU, spent for notification
-- streams that are mostly not open. A Producer now holds a row here while it has streams open (renewed well before
-- "until", and deleted when the last one closes; a crashed Producer's row lapses), and the trigger notifies only while
-- one is current. The table holds a row per Producer at most.
CREATE TABLE task_event_watchers (
    watcher text PRIMARY KEY,
    until timestamptz NOT NULL
);

CREATE OR REPLACE FUNCTION notify_task_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT FROM task_event_watchers WHERE until > now()) THEN
        PERFORM pg_notify('task_events', '');
    END IF;
    RETURN NULL;
END
$$;
