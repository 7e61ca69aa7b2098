-- A community account is its 村里: the villages it speaks for are kept with the account, and its
-- area (what access rules test against) is their union, taken when the account is saved. An
-- account may instead have a drawn area and no villages.
ALTER TABLE users ADD COLUMN village_codes text[];
