DROP INDEX outbox_delivered_at_idx;
