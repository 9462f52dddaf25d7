//! The choices of the coding forms, shown while the visitor holds the edit lock.
use super::sections::crime_label;
use super::view::Forms;
use crate::ui::common::{excerpt, visibilities, words, Choice, Group};
use crate::ui::i18n::Tr;
use crate::ui::session::Page;
use kinga_app::records::IncidentDetail;
use kinga_domain::party::{InvolvementRole, PartyKind};
use kinga_domain::source::SourceConnection;
use kinga_domain::vocab::rome;

/// The options of the coding forms, built only while the visitor holds the edit lock.
#[derive(Default)]
pub(super) struct Options {
    pub provisions: Vec<Group>,
    pub acts: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub roles: Vec<Choice>,
    pub parties: Vec<Choice>,
    pub party_visibilities: Vec<Choice>,
    pub connections: Vec<Choice>,
    pub reliabilities: Vec<Choice>,
    pub credibilities: Vec<Choice>,
    pub source_visibilities: Vec<Choice>,
}

pub(super) async fn options(t: Tr, page: &Page, d: &IncidentDetail, f: &Forms) -> Options {
    let mut provisions: Vec<Group> = Vec::new();
    for a in rome::acts() {
        let label = crime_label(t, a.crime);
        let choice = Choice::new(
            a.provision.clone(),
            format!("{} — {}", a.provision, excerpt(&a.text, 90)),
            f.act.v("provision"),
        );
        match provisions.iter_mut().find(|g| g.label == label) {
            Some(g) => g.items.push(choice),
            None => provisions.push(Group {
                label,
                items: vec![choice],
            }),
        }
    }
    let kinds: Vec<&str> = PartyKind::ALL.iter().map(PartyKind::as_str).collect();
    let roles: Vec<&str> = InvolvementRole::ALL
        .iter()
        .map(InvolvementRole::as_str)
        .collect();
    let connections: Vec<&str> = SourceConnection::ALL
        .iter()
        .map(SourceConnection::as_str)
        .collect();
    // A party list failing to load only hides the shortcut to reuse a party.
    let known = page.member.parties().await.unwrap_or_default();
    Options {
        provisions,
        acts: d
            .acts
            .iter()
            .map(|a| Choice::new(a.id.to_string(), a.provision.clone(), f.party.v("act_id")))
            .collect(),
        kinds: words(t, "party_kind", &kinds, f.party.v("kind")),
        roles: words(t, "involvement", &roles, f.party.v("role")),
        parties: known
            .iter()
            .map(|p| {
                Choice::new(
                    p.id.to_string(),
                    format!("{} ({})", p.name, t.word("party_kind", p.kind.as_str())),
                    f.party.v("party_id"),
                )
            })
            .collect(),
        party_visibilities: visibilities(t, or_default(f.party.v("visibility"))),
        connections: words(t, "connection", &connections, f.source.v("connection")),
        reliabilities: ["A", "B", "C", "D", "E", "F"]
            .iter()
            .map(|r| {
                Choice::new(
                    *r,
                    format!("{r} — {}", t.word("reliability", r)),
                    f.source.v("reliability"),
                )
            })
            .collect(),
        credibilities: (1..=6)
            .map(|c| {
                let c = c.to_string();
                let label = format!("{c} — {}", t.word("credibility", &c));
                Choice::new(c, label, f.source.v("credibility"))
            })
            .collect(),
        source_visibilities: visibilities(t, or_default(f.source.v("visibility"))),
    }
}

/// New parties and sources stay within the organisation unless the analyst shares them.
fn or_default(visibility: &str) -> &str {
    if visibility.is_empty() {
        "organisation"
    } else {
        visibility
    }
}
