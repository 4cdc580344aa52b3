-- +migrate Up
CREATE INDEX account_email_idx ON account (email);
ALTER TABLE account ADD COLUMN nickname text;

-- +migrate Down
ALTER TABLE account DROP COLUMN nickname;
DROP INDEX account_email_idx;
