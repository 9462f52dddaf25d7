//! The reader's scope as one SQL condition, applied in the database before paging so that a
//! page never comes back short and a count never includes what the reader may not see.
use crate::value::Args;
use kinga_domain::Visibility;
use kinga_store::Scope;

fn class_list(classes: &[Visibility]) -> String {
    // Visibility names come from a closed enum, so inlining them is safe.
    classes
        .iter()
        .map(|c| format!("'{}'", c.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Condition over a table with `organisation_id` and `visibility` columns (with an optional
/// alias prefix such as `i.`).
pub fn visible(scope: &Scope, prefix: &str, args: &mut Args) -> String {
    if scope.everything {
        return "1 = 1".into();
    }
    let mut parts = vec![format!("{prefix}visibility = 'public'")];
    if let Some(org) = scope.organisation_id {
        let p = args.push(org.to_string());
        parts.push(format!(
            "({prefix}organisation_id = {p} AND {prefix}visibility IN ({}))",
            class_list(&scope.own_org_classes())
        ));
        let peers: Vec<String> = scope
            .network_peers
            .iter()
            .filter(|o| **o != org)
            .map(|o| args.push(o.to_string()))
            .collect();
        if !peers.is_empty() {
            parts.push(format!(
                "({prefix}visibility = 'network' AND {prefix}organisation_id IN ({}))",
                peers.join(", ")
            ));
        }
    }
    format!("({})", parts.join(" OR "))
}

/// Reports add one rule: monitors see only their own submissions.
pub fn visible_reports(scope: &Scope, prefix: &str, args: &mut Args) -> String {
    let base = visible(scope, prefix, args);
    if scope.everything || !scope.own_reports_only {
        return base;
    }
    match scope.user_id {
        Some(u) => {
            let p = args.push(u.to_string());
            format!("({base} AND {prefix}submitted_by = {p})")
        }
        None => "1 = 0".into(),
    }
}

/// Workflow and coding change a record only from inside its owning organisation: reading a
/// shared record is not a right to decide its fate. Kinga's own tasks (no organisation) pass.
pub fn owned_by_actor(
    actor: &kinga_store::Actor,
    owner: kinga_domain::ids::OrgId,
    what: &str,
) -> kinga_store::Result<()> {
    match actor.organisation_id {
        Some(org) if org != owner => Err(kinga_store::StoreError::Rule(format!(
            "only the organisation that owns {what} may change it"
        ))),
        _ => Ok(()),
    }
}
