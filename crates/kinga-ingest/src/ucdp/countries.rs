//! UCDP names countries after the Gleditsch–Ward state list, with historical names in
//! parentheses ("DR Congo (Zaire)"), where Kinga keys everything on ISO 3166-1. The table maps
//! every GED spelling that differs from the ISO short name; the rest resolve by ISO name.
use kinga_domain::Country;

/// GED spelling → ISO 3166-1 alpha-3. The parenthesised name is the same Gleditsch–Ward state
/// under an earlier name, so it maps to the ISO country that state is today ("Serbia
/// (Yugoslavia)" → SRB). States that ended map to their successor ("Yemen (South Yemen)" → YEM).
const ALIASES: &[(&str, &str)] = &[
    ("Bolivia", "BOL"),
    ("Bosnia-Herzegovina", "BIH"),
    ("Brunei", "BRN"),
    ("Cambodia (Kampuchea)", "KHM"),
    ("Cape Verde", "CPV"),
    // Republic of the Congo (Brazzaville); the ISO name matches too, listed to rule out
    // any confusion with "DR Congo (Zaire)".
    ("Congo", "COG"),
    ("Cote D'Ivoire", "CIV"),
    ("Cote d'Ivoire", "CIV"),
    ("Czech Republic", "CZE"),
    ("DR Congo (Zaire)", "COD"),
    ("East Timor", "TLS"),
    ("Iran", "IRN"),
    ("Ivory Coast", "CIV"),
    ("Kingdom of eSwatini (Swaziland)", "SWZ"),
    ("Laos", "LAO"),
    ("Macedonia, FYR", "MKD"),
    ("Madagascar (Malagasy)", "MDG"),
    ("Moldova", "MDA"),
    ("Myanmar (Burma)", "MMR"),
    ("North Korea", "PRK"),
    ("North Macedonia", "MKD"),
    ("Rumania", "ROU"),
    ("Russia (Soviet Union)", "RUS"),
    ("Serbia (Yugoslavia)", "SRB"),
    ("South Korea", "KOR"),
    ("Surinam", "SUR"),
    ("Swaziland", "SWZ"),
    ("Syria", "SYR"),
    ("Taiwan", "TWN"),
    ("Tanzania", "TZA"),
    ("Turkey", "TUR"),
    ("United States of America", "USA"),
    ("Venezuela", "VEN"),
    ("Vietnam (North Vietnam)", "VNM"),
    ("Yemen (North Yemen)", "YEM"),
    ("Yemen (South Yemen)", "YEM"),
    ("Zimbabwe (Rhodesia)", "ZWE"),
];

/// Resolves a GED `country` cell. `None` means a spelling neither the table nor the ISO list
/// knows: the caller reports it rather than guessing, since a wrong country misfiles an incident.
pub fn country_from_ucdp(name: &str) -> Option<Country> {
    let name = name.trim();
    ALIASES
        .iter()
        .find(|(ucdp, _)| ucdp.eq_ignore_ascii_case(name))
        .and_then(|(_, iso)| Country::parse(iso).ok())
        .or_else(|| Country::from_name(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_alias_points_at_an_iso_country() {
        for (ucdp, iso) in ALIASES {
            assert!(Country::parse(iso).is_ok(), "{ucdp} → {iso}");
        }
    }

    #[test]
    fn resolves_historical_and_plain_spellings() {
        let code = |n: &str| country_from_ucdp(n).map(|c| c.code().to_string());
        assert_eq!(code("DR Congo (Zaire)").as_deref(), Some("COD"));
        assert_eq!(code("Congo").as_deref(), Some("COG"));
        assert_eq!(code("Cote D'Ivoire").as_deref(), Some("CIV"));
        assert_eq!(code("Central African Republic").as_deref(), Some("CAF"));
        assert_eq!(code(" Sierra Leone ").as_deref(), Some("SLE"));
        assert_eq!(code("Atlantis"), None);
    }
}
