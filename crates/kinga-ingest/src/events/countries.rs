//! Country names and codes as event datasets write them, resolved to ISO 3166-1. A name no
//! table knows is rejected, never guessed: a misfiled event would raise a signal in the wrong
//! country.
use crate::ucdp::country_from_ucdp;
use kinga_domain::Country;

/// ACLED spellings that are neither ISO short names nor UCDP spellings. Kosovo has no ISO
/// 3166-1 code, so its events are rejected with that reason.
const ACLED: &[(&str, &str)] = &[
    ("Bailiwick of Guernsey", "GGY"),
    ("Bailiwick of Jersey", "JEY"),
    ("British Virgin Islands", "VGB"),
    ("Caribbean Netherlands", "BES"),
    ("Curacao", "CUW"),
    ("Democratic Republic of Congo", "COD"),
    ("Falkland Islands", "FLK"),
    ("Micronesia", "FSM"),
    ("Palestine", "PSE"),
    ("Republic of Congo", "COG"),
    ("Reunion", "REU"),
    ("Russia", "RUS"),
    ("Saint-Barthelemy", "BLM"),
    ("Saint-Martin", "MAF"),
    ("Sint Maarten", "SXM"),
    ("Vatican City", "VAT"),
    ("Vietnam", "VNM"),
];

/// FIPS 10-4 codes (GDELT's `ActionGeo_CountryCode`) of the countries where the two-letter
/// code differs from ISO or means another country there. GDELT rows whose code is not listed
/// fall back to the country name at the end of `ActionGeo_FullName`.
const FIPS: &[(&str, &str)] = &[
    ("AF", "AFG"),
    ("AG", "DZA"),
    ("AO", "AGO"),
    ("BN", "BEN"),
    ("BC", "BWA"),
    ("UV", "BFA"),
    ("BY", "BDI"),
    ("CM", "CMR"),
    ("CV", "CPV"),
    ("CT", "CAF"),
    ("CD", "TCD"),
    ("CN", "COM"),
    ("CG", "COD"),
    ("CF", "COG"),
    ("IV", "CIV"),
    ("DJ", "DJI"),
    ("EG", "EGY"),
    ("EK", "GNQ"),
    ("ER", "ERI"),
    ("WZ", "SWZ"),
    ("ET", "ETH"),
    ("GB", "GAB"),
    ("GA", "GMB"),
    ("GH", "GHA"),
    ("GV", "GIN"),
    ("PU", "GNB"),
    ("KE", "KEN"),
    ("LT", "LSO"),
    ("LI", "LBR"),
    ("LY", "LBY"),
    ("MA", "MDG"),
    ("MI", "MWI"),
    ("ML", "MLI"),
    ("MR", "MRT"),
    ("MP", "MUS"),
    ("MO", "MAR"),
    ("MZ", "MOZ"),
    ("WA", "NAM"),
    ("NG", "NER"),
    ("NI", "NGA"),
    ("RW", "RWA"),
    ("TP", "STP"),
    ("SG", "SEN"),
    ("SE", "SYC"),
    ("SL", "SLE"),
    ("SO", "SOM"),
    ("SF", "ZAF"),
    ("OD", "SSD"),
    ("SU", "SDN"),
    ("TZ", "TZA"),
    ("TO", "TGO"),
    ("TS", "TUN"),
    ("UG", "UGA"),
    ("WI", "ESH"),
    ("ZA", "ZMB"),
    ("ZI", "ZWE"),
    ("IZ", "IRQ"),
    ("SY", "SYR"),
    ("YM", "YEM"),
    ("IR", "IRN"),
    ("IS", "ISR"),
    ("WE", "PSE"),
    ("GZ", "PSE"),
    ("LE", "LBN"),
    ("JO", "JOR"),
    ("SA", "SAU"),
    ("TU", "TUR"),
    ("PK", "PAK"),
    ("IN", "IND"),
    ("BM", "MMR"),
    ("BG", "BGD"),
    ("CE", "LKA"),
    ("NP", "NPL"),
    ("TH", "THA"),
    ("RP", "PHL"),
    ("ID", "IDN"),
    ("CB", "KHM"),
    ("VM", "VNM"),
    ("LA", "LAO"),
    ("CH", "CHN"),
    ("KN", "PRK"),
    ("KS", "KOR"),
    ("JA", "JPN"),
    ("RS", "RUS"),
    ("UP", "UKR"),
    ("GG", "GEO"),
    ("AM", "ARM"),
    ("AJ", "AZE"),
    ("BK", "BIH"),
    ("HR", "HRV"),
    ("RI", "SRB"),
    ("MK", "MKD"),
    ("CO", "COL"),
    ("VE", "VEN"),
    ("MX", "MEX"),
    ("HA", "HTI"),
    ("NU", "NIC"),
    ("ES", "SLV"),
    ("GT", "GTM"),
    ("HO", "HND"),
    ("PE", "PER"),
    ("BR", "BRA"),
    ("US", "USA"),
    ("UK", "GBR"),
    ("FR", "FRA"),
    ("GM", "DEU"),
    ("SP", "ESP"),
    ("IT", "ITA"),
    ("TI", "TJK"),
    ("KG", "KGZ"),
    ("UZ", "UZB"),
    ("TX", "TKM"),
    ("KZ", "KAZ"),
];

fn lookup(table: &[(&str, &str)], key: &str) -> Option<Country> {
    table
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .and_then(|(_, iso)| Country::parse(iso).ok())
}

/// A country cell: an ISO alpha-3 code, or a name as ISO, UCDP or ACLED spell it.
pub fn resolve(cell: &str) -> Option<Country> {
    let cell = cell.trim();
    if cell.len() == 3 && cell.bytes().all(|b| b.is_ascii_alphabetic()) {
        if let Ok(c) = Country::parse(cell) {
            return Some(c);
        }
    }
    country_from_ucdp(cell).or_else(|| lookup(ACLED, cell))
}

/// A GDELT location: its FIPS code, else the last part of its full name.
pub fn from_fips(code: &str, full_name: &str) -> Option<Country> {
    lookup(FIPS, code.trim()).or_else(|| {
        full_name
            .rsplit(',')
            .next()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .and_then(resolve)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(c: Option<Country>) -> Option<String> {
        c.map(|c| c.code().to_string())
    }

    #[test]
    fn names_and_codes_resolve() {
        assert_eq!(code(resolve("CAF")).as_deref(), Some("CAF"));
        assert_eq!(
            code(resolve("Democratic Republic of Congo")).as_deref(),
            Some("COD")
        );
        assert_eq!(code(resolve("DR Congo (Zaire)")).as_deref(), Some("COD"));
        assert_eq!(
            code(resolve("central african republic")).as_deref(),
            Some("CAF")
        );
        assert_eq!(resolve("Kosovo"), None);
        assert_eq!(resolve("Atlantis"), None);
    }

    #[test]
    fn fips_codes_are_not_read_as_iso() {
        // FIPS SG is Senegal; ISO SG would be Singapore.
        assert_eq!(code(from_fips("SG", "")).as_deref(), Some("SEN"));
        assert_eq!(code(from_fips("CT", "")).as_deref(), Some("CAF"));
        assert_eq!(
            code(from_fips("XX", "Bamako, Bamako, Mali")).as_deref(),
            Some("MLI")
        );
    }
}
