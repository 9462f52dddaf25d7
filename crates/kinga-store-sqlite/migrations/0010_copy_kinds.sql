-- Working copies say what they are for (stripped, thumbnail, blurred) and how they were made
-- (JSON parameters). Copies recorded before are metadata-stripped ones, hence the default.
ALTER TABLE evidence_copies ADD COLUMN kind TEXT NOT NULL DEFAULT 'stripped';
ALTER TABLE evidence_copies ADD COLUMN params TEXT;
