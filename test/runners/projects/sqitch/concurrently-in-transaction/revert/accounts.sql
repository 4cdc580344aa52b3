-- Revert proof:accounts from pg

BEGIN;

DROP TABLE account;

COMMIT;
