-- The incident list filters by country and dates, or by admin1, and counts what matches: these
-- indexes carry every column those conditions and the visibility rule read. (Text search stays
-- ILIKE here; the SQLite driver adds a trigram index in its migration of the same version.)
CREATE INDEX incidents_country_days ON incidents (country, start_day, end_day, visibility, organisation_id);
CREATE INDEX incidents_admin1 ON incidents (LOWER(admin1), visibility, organisation_id);
