-- The counters as they are now: what was folded into task_counts plus the deltas not folded yet. Every read of the
-- counters goes through it, so the rule "add both" is written once. A plain UNION ALL view: filters on state are
-- pushed into both tables.
CREATE VIEW task_counts_now AS
    SELECT state, type, owner, tasks, value_sum, removed, removed_value_sum FROM task_counts
    UNION ALL
    SELECT state, type, owner, tasks, value_sum, removed, removed_value_sum FROM task_count_deltas;
