-- Deploy proof:account_email to pg
-- requires: accounts

BEGIN;

CREATE INDEX account_email_idx ON account (email);
ALTER TABLE account ADD COLUMN nickname text;

COMMIT;
