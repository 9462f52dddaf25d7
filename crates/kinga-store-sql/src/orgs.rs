use crate::change::Change;
use crate::records::{self, ORG_COLUMNS};
use crate::{Engine, SqlStore};
use kinga_domain::ids::OrgId;
use kinga_domain::org::{NewOrganisation, Organisation, Slug};
use kinga_store::{Actor, Result, StoreError};
use std::collections::HashMap;

pub async fn add<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    new: NewOrganisation,
) -> Result<Organisation> {
    let actor = actor.clone();
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                let exists = tx
                    .fetch(
                        "SELECT 1 FROM organisations WHERE slug = $1",
                        vec![new.slug.as_str().into()],
                    )
                    .await?;
                if !exists.is_empty() {
                    return Err(StoreError::Conflict(format!(
                        "an organisation with slug '{}' already exists",
                        new.slug
                    )));
                }
                let mut networks = new.networks.clone();
                networks.sort();
                networks.dedup();
                let org = Organisation {
                    id: OrgId::new(),
                    slug: new.slug,
                    name: new.name,
                    country: new.country,
                    networks,
                    created_at: kinga_domain::time::now(),
                };
                tx.execute(
                    "INSERT INTO organisations (id, slug, name, country, created_at) VALUES ($1, $2, $3, $4, $5)",
                    vec![
                        org.id.to_string().into(),
                        org.slug.as_str().into(),
                        org.name.clone().into(),
                        org.country.map(|c| c.code().to_string()).into(),
                        records::timestamp(&org.created_at).into(),
                    ],
                )
                .await?;
                for n in &org.networks {
                    tx.execute(
                        "INSERT INTO network_members (network, organisation_id) VALUES ($1, $2)",
                        vec![n.as_str().into(), org.id.to_string().into()],
                    )
                    .await?;
                }
                chain.record(tx, &actor, Change::created(&org))
                    .await?;
                Ok(org)
            })
        })
        .await
}

async fn memberships<E: Engine>(store: &SqlStore<E>) -> Result<HashMap<String, Vec<Slug>>> {
    let rows = store
        .engine
        .fetch(
            "SELECT organisation_id, network FROM network_members ORDER BY network",
            vec![],
        )
        .await?;
    let mut m: HashMap<String, Vec<Slug>> = HashMap::new();
    for r in rows {
        let slug = Slug::parse(&r.text("network")?).map_err(|e| StoreError::Corrupt {
            table: "network_members",
            detail: e.to_string(),
        })?;
        m.entry(r.text("organisation_id")?).or_default().push(slug);
    }
    Ok(m)
}

pub async fn all<E: Engine>(store: &SqlStore<E>) -> Result<Vec<Organisation>> {
    let mut nets = memberships(store).await?;
    let rows = store
        .engine
        .fetch(
            &format!("SELECT {ORG_COLUMNS} FROM organisations ORDER BY slug"),
            vec![],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let n = nets.remove(&r.text("id")?).unwrap_or_default();
            records::organisation(r, n)
        })
        .collect()
}

pub async fn by_slug<E: Engine>(store: &SqlStore<E>, slug: &Slug) -> Result<Option<Organisation>> {
    Ok(all(store).await?.into_iter().find(|o| &o.slug == slug))
}

pub async fn peers<E: Engine>(store: &SqlStore<E>, org: OrgId) -> Result<Vec<OrgId>> {
    let rows = store
        .engine
        .fetch(
            "SELECT DISTINCT b.organisation_id FROM network_members a JOIN network_members b ON a.network = b.network WHERE a.organisation_id = $1",
            vec![org.to_string().into()],
        )
        .await?;
    let mut out = vec![org];
    for r in rows {
        let id = r
            .text("organisation_id")?
            .parse::<OrgId>()
            .map_err(|e| StoreError::Corrupt {
                table: "network_members",
                detail: e.to_string(),
            })?;
        if id != org {
            out.push(id);
        }
    }
    Ok(out)
}
