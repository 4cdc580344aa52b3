-- Unsafe: gen_random_uuid() is volatile, so every row is rewritten under ACCESS EXCLUSIVE.
ALTER TABLE users ADD COLUMN public_id uuid DEFAULT gen_random_uuid();
