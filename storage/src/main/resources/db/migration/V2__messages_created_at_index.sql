-- The guestbook page lists the newest messages first: an index on CREATED_AT lets the database read them
-- in that order instead of sorting the whole table.
CREATE INDEX MESSAGES_CREATED_AT ON MESSAGES (CREATED_AT);
