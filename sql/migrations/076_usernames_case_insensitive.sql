-- Usernames differing only in case (Admin, admin) are one name to people: only one may exist.
-- Sign-in still matches the name exactly.
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));
