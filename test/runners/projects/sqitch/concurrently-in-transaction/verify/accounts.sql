-- Verify proof:accounts on pg

BEGIN;

SELECT id, email, team_id FROM account WHERE false;

ROLLBACK;
