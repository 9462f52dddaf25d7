-- The incident list filters by country and dates, or by admin1, and counts what matches: these
-- indexes carry every column those conditions and the visibility rule read, so the count is
-- answered from the index alone.
CREATE INDEX incidents_country_days ON incidents (country, start_day, end_day, visibility, organisation_id);
CREATE INDEX incidents_admin1 ON incidents (LOWER(admin1), visibility, organisation_id);

-- Text search (`q`): a trigram index finds substrings without reading every incident's text.
-- It indexes the incidents table's rowids; nothing in Kinga runs VACUUM, which could renumber
-- them (after a manual VACUUM run: INSERT INTO incidents_text(incidents_text) VALUES ('rebuild')).
CREATE VIRTUAL TABLE incidents_text USING fts5(
    title, summary, place_name, code,
    content = 'incidents', content_rowid = 'rowid', tokenize = 'trigram'
);
INSERT INTO incidents_text (incidents_text) VALUES ('rebuild');

CREATE TRIGGER incidents_text_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO incidents_text (rowid, title, summary, place_name, code)
    VALUES (new.rowid, new.title, new.summary, new.place_name, new.code);
END;

CREATE TRIGGER incidents_text_delete AFTER DELETE ON incidents BEGIN
    INSERT INTO incidents_text (incidents_text, rowid, title, summary, place_name, code)
    VALUES ('delete', old.rowid, old.title, old.summary, old.place_name, old.code);
END;

CREATE TRIGGER incidents_text_update AFTER UPDATE OF title, summary, place_name, code ON incidents BEGIN
    INSERT INTO incidents_text (incidents_text, rowid, title, summary, place_name, code)
    VALUES ('delete', old.rowid, old.title, old.summary, old.place_name, old.code);
    INSERT INTO incidents_text (rowid, title, summary, place_name, code)
    VALUES (new.rowid, new.title, new.summary, new.place_name, new.code);
END;
