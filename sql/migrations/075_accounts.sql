-- Account administration (npm run admin, /admin): when each account last signed in and who
-- changed it last. Accounts are never deleted (their names stay in history and the audit log);
-- they are disabled.
ALTER TABLE users
  ADD COLUMN last_login_at timestamptz,
  ADD COLUMN changed_at    timestamptz,
  ADD COLUMN changed_by    text;
