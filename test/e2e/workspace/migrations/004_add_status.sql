-- Account status, filled in by the app.
ALTER TABLE users ADD COLUMN status text;
