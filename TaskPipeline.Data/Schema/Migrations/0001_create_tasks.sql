-- The task table is the pipeline's source of truth and the Producer's outbox.
-- $MinType$, $MaxType$, $MinValue$, $MaxValue$ are TaskLimits' constants (DbUp variables).
CREATE TYPE task_state AS ENUM ('received', 'processing', 'done', 'failed', 'canceled');

CREATE TABLE tasks (
    id               uuid        PRIMARY KEY,
    type             smallint    NOT NULL CHECK (type BETWEEN $MinType$ AND $MaxType$),
    value            smallint    NOT NULL CHECK (value BETWEEN $MinValue$ AND $MaxValue$),
    state            task_state  NOT NULL DEFAULT 'received',
    -- Raised by every claim; a claim is identified by (lease_owner, attempts).
    attempts         integer     NOT NULL DEFAULT 0,
    lease_owner      text,
    lease_expires_at timestamptz,
    -- When a received task may be (re)dispatched by a sweep; NULL means created_at plus the Producer's grace period.
    redispatch_at    timestamptz,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    done_at          timestamptz
);

-- The outbox in creation order: dispatch and redispatch are FIFO.
CREATE INDEX tasks_received_fifo_idx ON tasks (created_at, id) WHERE state = 'received';

-- Leases to renew, release or expire.
CREATE INDEX tasks_processing_lease_idx ON tasks (lease_expires_at) WHERE state = 'processing';
