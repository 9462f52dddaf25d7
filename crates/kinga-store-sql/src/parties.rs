use crate::change::Change;
use crate::columns::{qualified, renamed};
use crate::marks::placeholders;
use crate::records::{
    self, ACT_COLUMNS, CITATION_COLUMNS, INVOLVEMENT_COLUMNS, PARTY_COLUMNS, SOURCE_COLUMNS,
};
use crate::scope::visible;
use crate::value::Args;
use crate::{Chain, Engine, SqlStore, Tx};
use kinga_domain::ids::{ActId, CitationId, IncidentId, InvolvementId, PartyId, SourceId};
use kinga_domain::incident::Incident;
use kinga_domain::party::{Act, Involvement, NewAct, NewInvolvement, NewParty, Party};
use kinga_domain::source::{Citation, NewCitation, NewSource, Source};
use kinga_store::{Actor, Result, Scope, StoreError};
use kinga_store::{CitedSource, PartyInvolvement};

fn owner(actor: &Actor) -> Result<(kinga_domain::ids::OrgId, kinga_domain::org::Slug)> {
    match (actor.organisation_id, actor.organisation.clone()) {
        (Some(id), Some(slug)) => Ok((id, slug)),
        _ => Err(StoreError::Rule(
            "records are created on behalf of an organisation".into(),
        )),
    }
}

/// Coding an incident is for the organisation that owns it; others may read what is shared.
async fn editable(
    tx: &mut dyn Tx,
    actor: &Actor,
    scope: &Scope,
    id: IncidentId,
) -> Result<Incident> {
    let incident = crate::incidents::load_visible(tx, scope, id).await?;
    if actor.organisation_id != Some(incident.organisation_id) {
        return Err(StoreError::Rule(
            "only the organisation that owns an incident may code it".into(),
        ));
    }
    Ok(incident)
}

pub async fn add_act<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    scope: &Scope,
    incident: IncidentId,
    new: NewAct,
) -> Result<Act> {
    let (actor, scope) = (actor.clone(), scope.clone());
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                let inc = editable(tx, &actor, &scope, incident).await?;
                let act = Act {
                    id: ActId::new(),
                    incident_id: inc.id,
                    provision: new.provision,
                    crime: new.crime,
                    victim_description: new.victim_description,
                    victim_count: new.victim_count,
                    description: new.description,
                };
                tx.execute(
                    &format!(
                        "INSERT INTO acts (country, {ACT_COLUMNS}) VALUES ({})",
                        placeholders(1, 8)
                    ),
                    vec![
                        inc.country.code().into(),
                        act.id.to_string().into(),
                        act.incident_id.to_string().into(),
                        act.provision.clone().into(),
                        act.crime.as_str().into(),
                        act.victim_description.clone().into(),
                        act.victim_count.into(),
                        act.description.clone().into(),
                    ],
                )
                .await?;
                chain.record(tx, &actor, Change::created(&act)).await?;
                Ok(act)
            })
        })
        .await
}

async fn insert_party(
    tx: &mut dyn Tx,
    chain: &mut Chain,
    actor: &Actor,
    new: NewParty,
) -> Result<Party> {
    let (org_id, org) = owner(actor)?;
    let party = Party {
        id: PartyId::new(),
        organisation_id: org_id,
        organisation: org,
        visibility: new.visibility,
        kind: new.kind,
        name: new.name,
        description: new.description,
        acled_inter: new.acled_inter,
        external_ref: new.external_ref,
    };
    tx.execute(
        &format!(
            "INSERT INTO parties ({PARTY_COLUMNS}) VALUES ({})",
            placeholders(1, 9)
        ),
        vec![
            party.id.to_string().into(),
            party.organisation_id.to_string().into(),
            party.organisation.as_str().into(),
            party.visibility.as_str().into(),
            party.kind.as_str().into(),
            party.name.clone().into(),
            party.description.clone().into(),
            party.acled_inter.into(),
            party.external_ref.clone().into(),
        ],
    )
    .await?;
    chain.record(tx, actor, Change::created(&party)).await?;
    Ok(party)
}

/// Imports name the same armed group in thousands of events: it becomes one party.
pub(crate) async fn find_or_insert_party(
    tx: &mut dyn Tx,
    chain: &mut Chain,
    actor: &Actor,
    new: NewParty,
) -> Result<Party> {
    let (org_id, _) = owner(actor)?;
    if let Some(r) = &new.external_ref {
        let rows = tx
            .fetch(
                &format!("SELECT {PARTY_COLUMNS} FROM parties WHERE organisation_id = $1 AND external_ref = $2"),
                vec![org_id.to_string().into(), r.clone().into()],
            )
            .await?;
        if let Some(p) = rows.first() {
            return records::party(p);
        }
    }
    insert_party(tx, chain, actor, new).await
}

pub async fn add_party<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    new: NewParty,
) -> Result<Party> {
    let actor = actor.clone();
    store
        .write(move |tx, chain| Box::pin(async move { insert_party(tx, chain, &actor, new).await }))
        .await
}

pub async fn list_parties<E: Engine>(store: &SqlStore<E>, scope: &Scope) -> Result<Vec<Party>> {
    let mut args = Args::new();
    let vis = visible(scope, "", &mut args);
    let rows = store
        .engine
        .fetch(
            &format!("SELECT {PARTY_COLUMNS} FROM parties WHERE {vis} ORDER BY name LIMIT 2000"),
            args.0,
        )
        .await?;
    rows.iter().map(records::party).collect()
}

pub(crate) async fn insert_involvement(
    tx: &mut dyn Tx,
    chain: &mut Chain,
    actor: &Actor,
    incident: &Incident,
    new: NewInvolvement,
) -> Result<Involvement> {
    let inv = Involvement {
        id: InvolvementId::new(),
        incident_id: incident.id,
        act_id: new.act_id,
        party_id: new.party_id,
        role: new.role,
        degree: new.degree,
    };
    tx.execute(
        &format!(
            "INSERT INTO involvements (country, {INVOLVEMENT_COLUMNS}) VALUES ({})",
            placeholders(1, 7)
        ),
        vec![
            incident.country.code().into(),
            inv.id.to_string().into(),
            inv.incident_id.to_string().into(),
            inv.act_id.map(|a| a.to_string()).into(),
            inv.party_id.to_string().into(),
            inv.role.as_str().into(),
            inv.degree.clone().into(),
        ],
    )
    .await?;
    chain.record(tx, actor, Change::created(&inv)).await?;
    Ok(inv)
}

pub async fn add_involvement<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    scope: &Scope,
    incident: IncidentId,
    new: NewInvolvement,
) -> Result<Involvement> {
    let (actor, scope) = (actor.clone(), scope.clone());
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                let inc = editable(tx, &actor, &scope, incident).await?;
                let mut args = Args::new();
                let p = args.push(new.party_id.to_string());
                let vis = visible(&scope, "", &mut args);
                if tx
                    .fetch(
                        &format!("SELECT 1 FROM parties WHERE id = {p} AND {vis}"),
                        args.0,
                    )
                    .await?
                    .is_empty()
                {
                    return Err(StoreError::NotFound);
                }
                if let Some(a) = new.act_id {
                    let rows = tx
                        .fetch(
                            "SELECT 1 FROM acts WHERE id = $1 AND incident_id = $2",
                            vec![a.to_string().into(), inc.id.to_string().into()],
                        )
                        .await?;
                    if rows.is_empty() {
                        return Err(StoreError::Rule(
                            "the act belongs to another incident".into(),
                        ));
                    }
                }
                insert_involvement(tx, chain, &actor, &inc, new).await
            })
        })
        .await
}

pub(crate) async fn insert_source(
    tx: &mut dyn Tx,
    chain: &mut Chain,
    actor: &Actor,
    new: NewSource,
) -> Result<Source> {
    let (org_id, org) = owner(actor)?;
    let s = Source {
        id: SourceId::new(),
        organisation_id: org_id,
        organisation: org,
        visibility: new.visibility,
        title: new.title,
        outlet: new.outlet,
        url: new.url,
        published_on: new.published_on,
        connection: new.connection,
        reliability: new.reliability,
        credibility: new.credibility,
        external_ref: new.external_ref,
    };
    tx.execute(
        &format!(
            "INSERT INTO sources ({SOURCE_COLUMNS}) VALUES ({})",
            placeholders(1, 12)
        ),
        vec![
            s.id.to_string().into(),
            s.organisation_id.to_string().into(),
            s.organisation.as_str().into(),
            s.visibility.as_str().into(),
            s.title.clone().into(),
            s.outlet.clone().into(),
            s.url.clone().into(),
            s.published_on.as_ref().map(records::date).into(),
            s.connection.as_str().into(),
            s.reliability.map(|c| c.to_string()).into(),
            s.credibility.into(),
            s.external_ref.clone().into(),
        ],
    )
    .await?;
    chain.record(tx, actor, Change::created(&s)).await?;
    Ok(s)
}

pub async fn add_source<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    new: NewSource,
) -> Result<Source> {
    let actor = actor.clone();
    store
        .write(move |tx, chain| {
            Box::pin(async move { insert_source(tx, chain, &actor, new).await })
        })
        .await
}

pub(crate) async fn insert_citation(
    tx: &mut dyn Tx,
    chain: &mut Chain,
    actor: &Actor,
    incident: &Incident,
    new: NewCitation,
) -> Result<Citation> {
    let c = Citation {
        id: CitationId::new(),
        incident_id: incident.id,
        source_id: new.source_id,
        reference: new.reference,
        note: new.note,
    };
    tx.execute(
        &format!(
            "INSERT INTO citations (country, {CITATION_COLUMNS}) VALUES ({})",
            placeholders(1, 6)
        ),
        vec![
            incident.country.code().into(),
            c.id.to_string().into(),
            c.incident_id.to_string().into(),
            c.source_id.to_string().into(),
            c.reference.clone().into(),
            c.note.clone().into(),
        ],
    )
    .await?;
    chain.record(tx, actor, Change::created(&c)).await?;
    Ok(c)
}

pub async fn add_citation<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    scope: &Scope,
    incident: IncidentId,
    new: NewCitation,
) -> Result<Citation> {
    let (actor, scope) = (actor.clone(), scope.clone());
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                let inc = editable(tx, &actor, &scope, incident).await?;
                let mut args = Args::new();
                let p = args.push(new.source_id.to_string());
                let vis = visible(&scope, "", &mut args);
                if tx
                    .fetch(
                        &format!("SELECT 1 FROM sources WHERE id = {p} AND {vis}"),
                        args.0,
                    )
                    .await?
                    .is_empty()
                {
                    return Err(StoreError::NotFound);
                }
                insert_citation(tx, chain, &actor, &inc, new).await
            })
        })
        .await
}

pub async fn acts_of<E: Engine>(store: &SqlStore<E>, incident: IncidentId) -> Result<Vec<Act>> {
    let rows = store
        .engine
        .fetch(
            &format!("SELECT {ACT_COLUMNS} FROM acts WHERE incident_id = $1 ORDER BY id"),
            vec![incident.to_string().into()],
        )
        .await?;
    rows.iter().map(records::act).collect()
}

/// Where a joined row keeps its second record.
const PARTY: &str = "party__";
const SOURCE: &str = "source__";

/// Involvements whose party the reader may see: a sealed witness stays hidden even on a
/// shared incident.
pub async fn involvements_of<E: Engine>(
    store: &SqlStore<E>,
    scope: &Scope,
    incident: IncidentId,
) -> Result<Vec<PartyInvolvement>> {
    let mut args = Args::new();
    let p = args.push(incident.to_string());
    let vis = visible(scope, "p.", &mut args);
    let rows = store
        .engine
        .fetch(
            &format!(
                "SELECT {}, {} FROM involvements v JOIN parties p ON p.id = v.party_id WHERE v.incident_id = {p} AND {vis} ORDER BY v.id",
                qualified(INVOLVEMENT_COLUMNS, "v."),
                renamed(PARTY_COLUMNS, "p.", PARTY)
            ),
            args.0,
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(PartyInvolvement {
                involvement: records::involvement(r)?,
                party: records::party(&r.part(PARTY))?,
            })
        })
        .collect()
}

pub async fn citations_of<E: Engine>(
    store: &SqlStore<E>,
    scope: &Scope,
    incident: IncidentId,
) -> Result<Vec<CitedSource>> {
    let mut args = Args::new();
    let p = args.push(incident.to_string());
    let vis = visible(scope, "s.", &mut args);
    let rows = store
        .engine
        .fetch(
            &format!(
                "SELECT {}, {} FROM citations c JOIN sources s ON s.id = c.source_id WHERE c.incident_id = {p} AND {vis} ORDER BY c.id",
                qualified(CITATION_COLUMNS, "c."),
                renamed(SOURCE_COLUMNS, "s.", SOURCE)
            ),
            args.0,
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(CitedSource {
                citation: records::citation(r)?,
                source: records::source(&r.part(SOURCE))?,
            })
        })
        .collect()
}
