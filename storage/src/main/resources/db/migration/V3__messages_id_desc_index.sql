-- The guestbook lists messages newest first (ORDER BY ID DESC FETCH FIRST n ROWS ONLY). Derby reads a B-tree
-- index in its own order only, so with just the primary key it reads every row and sorts them. A descending
-- index on ID holds the newest message first: reading a page is then reading its first n entries.
-- (Derby's optimizer does not cost FETCH FIRST, so the app names this index in its query; see app-server README.)
CREATE INDEX MESSAGES_ID_DESC ON MESSAGES (ID DESC);
