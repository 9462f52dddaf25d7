-- The events an incident cites: an analyst of the organisation that owns an incident links it to
-- the rows of published datasets (UCDP, ACLED, national data) that record the same violence.
-- Events and incidents stay separate tables; this is the only bridge between them. An event is
-- named by its key (dataset, owner, external id); `owner` is empty for shared datasets and holds
-- the importing organisation's id for a licensed one, so a citation of an ACLED row shows only
-- to readers who may see that row. `country` is the incident's (and the event's: an incident
-- cites events of its own country), first in the keys so the table can be distributed and
-- co-located with incidents. Each row is audited like any other record.
CREATE TABLE incident_events (
    country TEXT NOT NULL,
    id TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    dataset TEXT NOT NULL,
    event_owner TEXT NOT NULL,
    external_id TEXT NOT NULL,
    note TEXT,
    cited_by TEXT,
    cited_by_label TEXT NOT NULL,
    cited_at TEXT NOT NULL,
    PRIMARY KEY (country, id)
);
-- One citation of an event per incident; also the incident page's list.
CREATE UNIQUE INDEX incident_events_once ON incident_events (country, incident_id, dataset, event_owner, external_id);
-- The incidents that cite one event.
CREATE INDEX incident_events_event ON incident_events (dataset, event_owner, external_id);
