//! The demo network: the civil-society organisations, most of them African, that signed the
//! joint letter of 13 July 2009 urging UN member states to support the Responsibility to Protect
//! in the General Assembly. They are the kind of network Kinga is for, so the demo seeds one
//! organisation per signatory.

/// A signatory as its signature line lists it. `country` is where the organisation is based,
/// as ISO 3166-1 alpha-3; `also` holds further countries a line names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signatory {
    pub name: &'static str,
    pub country: &'static str,
    pub also: &'static [&'static str],
}

const fn s(name: &'static str, country: &'static str) -> Signatory {
    Signatory {
        name,
        country,
        also: &[],
    }
}

// Names are spelled as signed, including "Recontre": an organisation's name is its own, and
// silently correcting it would make the demo disagree with the letter.
static SIGNATORIES_2009: [Signatory; 17] = [
    s("Action pour les Droits Humains et l'Amitié Sénégal", "SEN"),
    s("Centre for Human Rights Sierra Leone", "SLE"),
    s(
        "Citizens United to Promote Peace and Democracy in Liberia",
        "LBR",
    ),
    Signatory {
        name: "Conscience International",
        country: "GMB",
        also: &["SLE"],
    },
    // Signed as "Sudanese Organization in the United States": a diaspora organisation, placed
    // where it is based.
    s("Darfur Alert Coalition", "USA"),
    s("Darfur Consortium", "UGA"),
    s("Darfur Reconciliation and Development Organization", "USA"),
    s("Darfur Relief and Documentation Centre", "CHE"),
    s(
        "Le Groupe d'Etude, de Recherche et d'Aide à la Décision",
        "SEN",
    ),
    s("Human Rights Network", "UGA"),
    Signatory {
        name: "The International Refugee Rights Initiative",
        country: "UGA",
        also: &["USA"],
    },
    s("Kenya Human Rights Commission", "KEN"),
    s(
        "L'Action de la jeunesse Guinéenne pour l'Aide au Développement et à la Prospérité",
        "GIN",
    ),
    s("Socio-Economic Rights & Accountability Project", "NGA"),
    s("Unitarian Universalist Service Committee", "USA"),
    s(
        "West African Refugees and Internally Displaced Persons Network",
        "SEN",
    ),
    s(
        "Recontre Africaine Pour la Defense des Droits de l'Homme",
        "SEN",
    ),
];

/// The 17 signatories, in the order they signed.
pub fn signatories_2009() -> &'static [Signatory] {
    &SIGNATORIES_2009
}

#[cfg(test)]
mod tests {
    use super::*;
    use kinga_domain::org::Slug;
    use kinga_domain::Country;
    use std::collections::HashSet;

    #[test]
    fn seventeen_signatories_with_iso_countries_and_unique_slugs() {
        let all = signatories_2009();
        assert_eq!(all.len(), 17);
        for s in all {
            for code in std::iter::once(&s.country).chain(s.also) {
                assert!(Country::parse(code).is_ok(), "{}: {code}", s.name);
            }
        }
        let slugs: HashSet<String> = all
            .iter()
            .map(|s| Slug::from_name(s.name).to_string())
            .collect();
        assert_eq!(slugs.len(), 17);
        for slug in &slugs {
            assert!(Slug::parse(slug).is_ok(), "{slug}");
        }
    }

    #[test]
    fn two_country_lines_keep_the_second_country() {
        let by_name = |n: &str| signatories_2009().iter().find(|s| s.name == n).unwrap();
        assert_eq!(by_name("Conscience International").also, ["SLE"]);
        assert_eq!(
            by_name("The International Refugee Rights Initiative").also,
            ["USA"]
        );
    }
}
