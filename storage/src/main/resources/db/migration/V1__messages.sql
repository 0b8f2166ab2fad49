-- The guestbook: one row per message posted to foobar.com.
-- ID is given by the database (an identity column, SQL:2003), so the application never picks keys.
CREATE TABLE MESSAGES (
    ID BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    AUTHOR VARCHAR(64) NOT NULL,
    BODY VARCHAR(2000) NOT NULL,
    CREATED_AT TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
);
