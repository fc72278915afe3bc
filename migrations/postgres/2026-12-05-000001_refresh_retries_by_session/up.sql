-- Each rotation erases the retries kept on the session's other tokens
-- (`session_id = ? AND retry_until IS NOT NULL`). Through the plain
-- session index that read visits every token the session ever had (one
-- more per refresh); this index holds only the few rows with a retry.
CREATE INDEX refresh_tokens_session_retries_idx
    ON refresh_tokens (session_id) WHERE retry_until IS NOT NULL;
