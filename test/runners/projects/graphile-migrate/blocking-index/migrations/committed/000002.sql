--! Previous: sha1:0af2206b8f147b4eb1d02398909af3948c74d9fa
--! Hash: sha1:bab53d2ebdffc2770539dd9898ec4596fb1ac1e9

CREATE INDEX account_email_idx ON account (email);
ALTER TABLE account ADD COLUMN nickname text;
