-- The apps keep a session alive while it is used in them (sso::SessionReader::user), without
-- being able to write the session table: their role may call this function, which runs with
-- the portal's rights and can only move a live session's idle deadline later, to at most 30
-- days from now. An UPDATE never inserts: a session deleted by a sign-out stays deleted.
create function tower_sessions.extend_session(session_id text, idle_seconds integer)
returns boolean
language sql
security definer
set search_path = pg_catalog, pg_temp
as $$
    update tower_sessions.session
       set expiry_date = now() + make_interval(secs => least(greatest(idle_seconds, 0), 2592000))
     where id = session_id
       and expiry_date > now()
       and expiry_date < now() + make_interval(secs => least(greatest(idle_seconds, 0), 2592000))
    returning true
$$;
