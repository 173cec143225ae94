-- Session rows are keyed by the SHA-256 of the session id from now on (sso::stored_id), and
-- their data no longer carries the id. Rows written before held the ids themselves, readable by
-- every app's session-reader role: they go (everyone signs in once more).
delete from tower_sessions.session;
