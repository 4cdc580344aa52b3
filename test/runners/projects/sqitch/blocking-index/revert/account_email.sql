-- Revert proof:account_email from pg

BEGIN;

ALTER TABLE account DROP COLUMN nickname;
DROP INDEX account_email_idx;

COMMIT;
