-- Pruning deletes delivered mail oldest first by delivered_at: an index
-- keeps each batch a range scan however large the outbox grows.
CREATE INDEX outbox_delivered_at_idx ON outbox (delivered_at);
