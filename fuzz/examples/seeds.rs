//! Writes the seed corpus of every fuzz target: a few invented rows of each import format, a
//! few API bodies and a small dossier signed by the fuzz key. Run from the repository root:
//! `cargo run --manifest-path fuzz/Cargo.toml --example seeds` (it rewrites `fuzz/corpus/`'s
//! seed files; the inputs a fuzzer adds alongside are left alone).
use kinga_domain::evidence::{CustodyDraft, CustodyEntry, CustodyKind};
use kinga_vault::bundle::ExportHeader;
use kinga_vault::{BundleItem, BundleWriter, IncidentSummary};
use std::io::{Cursor, Write};
use std::path::Path;

const GED_HEADER: &str = "id,relid,year,active_year,code_status,type_of_violence,conflict_dset_id,conflict_new_id,conflict_name,dyad_dset_id,dyad_new_id,dyad_name,side_a_dset_id,side_a_new_id,side_a,side_b_dset_id,side_b_new_id,side_b,number_of_sources,source_article,source_office,source_date,source_headline,source_original,where_prec,where_coordinates,where_description,adm_1,adm_2,priogrid_gid,country,country_id,region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,deaths_civilians,deaths_unknown,best,high,low,gwnoa,gwnob,longitude,latitude";

/// Invented GED rows in the release's own formats (one of each violence type, one bad date).
const GED_ROWS: &[&str] = &[
    "900001,0,2014,1,Clear,1,9001,9001,Ruritania: Government,9101,9101,Government of Ruritania - Northern Front,9201,9201,Government of Ruritania,9202,9202,Northern Front,2,\"Invented Wire 01/03-14; Invented Daily 02/03-14\",,,,invented monitor,1,Bossangoa town,Bossangoa,Ouham prefecture,Bossangoa sub-prefecture,137213,Central African Republic,482,Africa,1,1,2014-03-01T00:00:00,2014-03-01T00:00:00,2,3,0,0,5,7,5,482,,17.455,6.4926",
    "900002,0,2014,1,Clear,2,9002,9002,Northern Front - Eastern Alliance,9102,9102,Northern Front - Eastern Alliance,9202,9202,Northern Front,9203,9203,Eastern Alliance,1,Invented Radio 05/04-14,,,,,3,Bambari area,Bambari,Ouaka prefecture,,137214,Central African Republic,482,Africa,2,3,2014-04-01T00:00:00,2014-04-30T00:00:00,1,1,0,2,4,6,3,,,20.6667,5.7667",
    "900003,0,2014,1,Clear,3,9003,9003,Northern Front - civilians,9103,9103,Northern Front - civilians,9202,9202,Northern Front,1,1,Civilians,3,\"Invented Report, \"\"village\"\" attack\",,,,,2,Village near Bangui,Bangui,Bangui,,137215,Central African Republic,482,Africa,1,1,2014-05-10T00:00:00,2014-05-10T00:00:00,0,0,9,0,9,12,9,,,18.555,4.3612",
    "900004,0,2014,1,Clear,3,9003,9003,Northern Front - civilians,9103,9103,Northern Front - civilians,9202,9202,Northern Front,1,1,Civilians,1,Invented,,,,,1,Bangui,Bangui,Bangui,,137215,Central African Republic,482,Africa,1,1,2014-02-30T00:00:00,2014-02-30T00:00:00,0,0,1,0,1,1,1,,,18.555,4.3612",
];

const ACLED_HEADER: &str = "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,inter1,actor2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,location,latitude,longitude,geo_precision,source,notes,fatalities,timestamp,iso3";

/// Invented rows in ACLED's export columns (no row of ACLED's data).
const ACLED_ROWS: &[&str] = &[
    "RUR1,05 December 2013,2013,1,Political violence,Violence against civilians,Attack,Invented militia,3,Civilians (Central African Republic),7,37,Civilian targeting,140,Middle Africa,Central African Republic,Bangui,Bangui,Bangui,4.3612,18.5550,1,Invented press,Invented row,12,1700000000,CAF",
    "RUR2,2013-12-06,2013,2,Political violence,Battles,Armed clash,State forces of Ruritania,1,Invented rebels,2,12,,140,Middle Africa,Central African Republic,Ouham,Bossangoa,Bossangoa,6.4926,17.4552,2,Invented press,\"Invented, with a comma\",3,1700000000,CAF",
    "RUR3,06-12-2013,2013,3,Demonstrations,Protests,Peaceful protest,Protesters,6,,0,60,,140,Middle Africa,Central African Republic,Bangui,Bangui,Bangui,4.3612,18.5550,3,Invented press,Invented,0,1700000000,",
    "RUR4,2013-12-09,2013,1,Political violence,Battles,Armed clash,A,1,B,2,12,,140,Middle Africa,Atlantis,Ouham,,X,96.49,17.45,1,Press,Invented,-2,1700000000,",
];

fn gdelt_row(
    width: usize,
    at: [usize; 5],
    id: &str,
    date: &str,
    code: &str,
    actor_type: &str,
) -> String {
    let [geo_type, full_name, country, lat, long] = at;
    let mut row = vec![""; width];
    for (i, v) in [
        (0, id),
        (1, date),
        (6, "ARMED GROUP"),
        (12, actor_type),
        (16, "CIVILIAN"),
        (22, "CVL"),
        (26, code),
        (27, &code[..3.min(code.len())]),
        (28, &code[..2]),
        (33, "4"),
        (geo_type, "4"),
        (full_name, "Bangui, Bangui, Central African Republic"),
        (country, "CT"),
        (lat, "4.3612"),
        (long, "18.555"),
        (width - 1, "https://news.example.org/invented/1"),
    ] {
        row[i] = v;
    }
    row.join("\t")
}

fn gdelt(width: usize) -> String {
    let at = if width == 61 {
        [51, 52, 53, 56, 57]
    } else {
        [49, 50, 51, 53, 54]
    };
    [
        gdelt_row(width, at, "1001", "20131205", "190", "MIL"),
        gdelt_row(width, at, "1002", "20131205", "193", "REB"),
        gdelt_row(width, at, "1003", "20131206", "202", ""),
        gdelt_row(width, at, "1004", "20131206", "141", ""),
        gdelt_row(width, at, "1005", "20131306", "180", ""),
    ]
    .join("\n")
        + "\n"
}

const MAPPING: &str = "# A national dataset with its own headers
dataset = ruritania-monitor
delimiter = ;
date_format = %d/%m/%Y
external_id = Ref
date_start = Start
date_end = End
country = Country
admin1 = State
latitude = Lat
longitude = Lon
violence_type = Kind
fatalities_best = Killed
";

const MAPPED_CSV: &str = "Ref;Start;End;Country;State;Lat;Lon;Kind;Killed
R1;15/04/2023;16/04/2023;Sudan;Khartoum;15.5;32.5;one_sided;40
R2;16/04/2023;14/04/2023;Sudan;Khartoum;15.5;32.5;3;4
R3;16/04/2023;;SDN;North Darfur;13.6;25.3;2;-5
";

const PREDICTORS: &str = "country,year,code,a,b,onset,onset2
Ruritania,2000,1,0.5,,0,1
Ruritania,2001,1,0.7,3,0,0
\"Freedonia, Republic of\",2001,2,NA,3,1,
Freedonia,2002,2,1e-3,-4.5,0,0
";

fn zipped(name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.start_file(name, opts).unwrap();
    w.write_all(bytes).unwrap();
    w.finish().unwrap().into_inner()
}

fn put(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

/// The selector byte, then the file.
fn tagged(selector: u8, file: &[u8]) -> Vec<u8> {
    let mut v = vec![selector];
    v.extend_from_slice(file);
    v
}

fn importers(dir: &Path) {
    let ged = format!("{GED_HEADER}\n{}\n", GED_ROWS.join("\n"));
    let acled = format!("{ACLED_HEADER}\n{}\n", ACLED_ROWS.join("\n"));
    let v2 = gdelt(61);
    let named = concat!(
        "GLOBALEVENTID\tSQLDATE\tEventCode\tEventRootCode\tActionGeo_Type\tActionGeo_FullName\tActionGeo_CountryCode\tActionGeo_Lat\tActionGeo_Long\n",
        "2001\t20131205\t180\t18\t4\tBangui, Bangui, Central African Republic\tCT\t4.3612\t18.555\n"
    );
    let mapped = format!("{MAPPING}\0{MAPPED_CSV}");
    put(dir, "ucdp-ged", &tagged(b'0', ged.as_bytes()));
    put(
        dir,
        "ucdp-candidate",
        &tagged(b'1', ged.replace("900", "700").as_bytes()),
    );
    put(dir, "acled", &tagged(b'2', acled.as_bytes()));
    put(dir, "gdelt-2", &tagged(b'3', v2.as_bytes()));
    put(dir, "gdelt-1", &tagged(b'3', gdelt(58).as_bytes()));
    put(dir, "gdelt-1-57", &tagged(b'3', gdelt(57).as_bytes()));
    put(dir, "gdelt-named", &tagged(b'3', named.as_bytes()));
    put(dir, "mapped", &tagged(b'4', mapped.as_bytes()));
    put(dir, "predictors", &tagged(b'5', PREDICTORS.as_bytes()));
    put(
        dir,
        "predictors-saved-model",
        &tagged(b'6', PREDICTORS.as_bytes()),
    );
    put(dir, "ucdp-incidents", &tagged(b'7', ged.as_bytes()));
    // Bit 3 of the selector: the file is named .zip.
    put(
        dir,
        "ucdp-ged-zip",
        &tagged(b'0' | 8, &zipped("ged.csv", ged.as_bytes())),
    );
    put(
        dir,
        "gdelt-2-zip",
        &tagged(b'3' | 8, &zipped("20131205.export.CSV", v2.as_bytes())),
    );
}

fn api_json(dir: &Path) {
    let bodies: &[(&str, &str)] = &[
        (
            "report",
            r#"{"text":"Armed men burned three houses in the village at night.","country":"CAF","occurred_on":"2024-03-14","channel":"api","language":"fr","admin1":"Ouham","place_name":"Bossangoa","latitude":6.49,"longitude":17.45,"reporter_role":"witness","risk_to_source":"high"}"#,
        ),
        (
            "report-bad",
            r#"{"text":"x\u0000y","country":"ZZZ","occurred_on":"0013-02-30","visiblity":"sealed","latitude":91}"#,
        ),
        (
            "incident",
            r#"{"title":"Attack on Boy-Rabe market","country":"CAF","summary":"Shelling of the market.","date_start":"2024-03-14","date_end":"2024-03-15","date_precision":1,"place_precision":2,"latitude":4.39,"longitude":18.55,"event_type":"Explosions/Remote violence","violence_type":"one_sided","crimes":["war_crimes"],"fatalities":{"best":4,"low":3,"high":6,"civilians":4},"verification_level":"reported","visibility":"network"}"#,
        ),
        (
            "incident-filter",
            r#"{"country":"CAF","admin1":"Ouham","from":"2024-01-01","to":"2024-12-31","crime":"genocide","status":"verified","q":"market","limit":"50","offset":"0"}"#,
        ),
        (
            "party",
            r#"{"kind":"armed_unit","name":"Invented Brigade","description":"A unit.","visibility":"organisation","acled_inter":2}"#,
        ),
        (
            "act",
            r#"{"provision":"art. 7(1)(a)","victim_description":"Traders","victim_count":4,"description":"Killing of traders."}"#,
        ),
        (
            "source",
            r#"{"title":"Witness statement","outlet":"Invented Radio","url":"https://news.example.org/a","published_on":"2024-03-15","connection":"eyewitness","reliability":"B","credibility":2,"visibility":"secret"}"#,
        ),
        (
            "assessment",
            r#"{"country":"CAF","situation":"Ouham","assessed_on":"2024-04-01","summary":"Worsening.","visibility":"network"}"#,
        ),
        (
            "score",
            r#"{"indicator":"7.3","score":2,"confidence":"medium","note":"Several reports."}"#,
        ),
        (
            "score-not-assessed",
            r#"{"indicator":"13.6","score":"not_assessed"}"#,
        ),
        (
            "evidence-link",
            r#"{"indicator":"8.1","kind":"document","target":"https://news.example.org/b","note":"Report."}"#,
        ),
        (
            "class-override",
            r#"{"class":"imminent_risk","rationale":"Mass displacement this week.","visibility":"network"}"#,
        ),
        (
            "event",
            r#"{"dataset":"acled","external_id":"RUR1","country":"CAF","date_start":"2013-12-05","date_end":"2013-12-06","date_precision":1,"place_precision":2,"violence_type":"one_sided","civilian_targeting":"true","version":"1700000000","admin1":"Bangui","latitude":"4.36","longitude":"18.55","fatalities_best":"12","actor1":"Invented militia"}"#,
        ),
        (
            "organisation",
            r#"{"slug":"ruritania-hrc","name":"Ruritania Human Rights Commission","country":"CAF","networks":["r2p-africa"]}"#,
        ),
        ("not-an-object", r#"["text", 1, null, {"a": -0.0e-7}]"#),
    ];
    for (name, body) in bodies {
        put(dir, &format!("{name}.json"), body.as_bytes());
    }
}

fn custody(item: &str, sha: &str) -> Vec<CustodyEntry> {
    let mut chain: Vec<CustodyEntry> = Vec::new();
    for (day, kind, detail) in [
        (
            15,
            CustodyKind::Receive,
            "uploaded from the field".to_string(),
        ),
        (15, CustodyKind::Hash, format!("sha256 {sha}")),
        (
            16,
            CustodyKind::Seal,
            "sealed under the organisation key".to_string(),
        ),
        (
            17,
            CustodyKind::Export,
            "dossier for the prosecutor".to_string(),
        ),
    ] {
        let at = chrono::NaiveDate::from_ymd_opt(2024, 3, day)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
            .and_utc();
        let entry = CustodyDraft {
            item: item.into(),
            kind,
            actor: "monitor@ruritania-hrc.example.org".into(),
            at,
            detail,
        }
        .chain(chain.last());
        chain.push(entry);
    }
    chain
}

fn dossier(dir: &Path) {
    let keys = kinga_fuzz::dossier_keys();
    let mut w = BundleWriter::new(Cursor::new(Vec::new()));
    for (i, (name, bytes)) in [
        ("photo 1.jpg", &b"\xff\xd8\xff\xe0 not really a photo"[..]),
        (
            "témoignage.txt",
            &b"A statement, invented for the seed corpus.\n"[..],
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("ev-{}", i + 1);
        let sha = kinga_vault::sha256_hex(bytes);
        let item = BundleItem {
            evidence_id: id.clone(),
            file_name: name.into(),
            mime: if i == 0 { "image/jpeg" } else { "text/plain" }.into(),
            role: "original".into(),
            custody: custody(&id, &sha),
            ..Default::default()
        };
        // The second file comes without a size, as from a stream: written with zip64 fields.
        w.add(
            item,
            &mut &bytes[..],
            (i == 0).then_some(bytes.len() as u64),
        )
        .unwrap();
    }
    let header = ExportHeader {
        exported_by: "legal@ruritania-hrc.example.org".into(),
        exported_at: "2024-04-02T09:00:00Z".into(),
        incident: IncidentSummary {
            id: "inc-7".into(),
            title: "Attack on the market".into(),
            country: Some("CAF".into()),
            occurred: Some("2024-03-14".into()),
            summary: "Invented for the seed corpus.".into(),
        },
    };
    let (out, _) = w.seal(header, &keys).unwrap().finish(None).unwrap();
    let zip = out.into_inner();
    let report = kinga_vault::verify_bundle(Cursor::new(&zip[..]), &keys.public()).unwrap();
    assert_eq!(report.manifest.items.len(), 2);
    put(dir, "dossier.zip", &zip);
    put(dir, "public-key", keys.public().to_text().as_bytes());
    if !dir.join("timestamp-token").exists() {
        match timestamp_token() {
            Some(token) => put(dir, "timestamp-token", &token),
            None => eprintln!("openssl failed or is missing: no time-stamp token seed"),
        }
    }
}

/// An RFC 3161 token over the digest the dossier target checks tokens against (32 bytes of 7),
/// from a throwaway CA and TSA made by `openssl`. Its keys are new at every run, so an existing
/// token is kept rather than rewritten.
fn timestamp_token() -> Option<Vec<u8>> {
    use std::process::Command;
    let dir = std::env::temp_dir().join(format!("kinga-fuzz-seeds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let d = dir.display().to_string();
    std::fs::write(
        dir.join("ext.cnf"),
        "extendedKeyUsage = critical,timeStamping\n",
    )
    .ok()?;
    std::fs::write(dir.join("serial"), "01\n").ok()?;
    std::fs::write(
        dir.join("ts.cnf"),
        format!(
            "[ tsa ]\ndefault_tsa = tsa1\n[ tsa1 ]\ndir = {d}\nserial = $dir/serial\n\
             crypto_device = builtin\nsigner_cert = $dir/tsa.crt\nsigner_key = $dir/tsa.key\n\
             signer_digest = sha256\ndefault_policy = 1.3.6.1.4.1.99999.1\n\
             digests = sha256\naccuracy = secs:1\nordering = no\ntsa_name = yes\n\
             ess_cert_id_chain = no\ness_cert_id_alg = sha256\n"
        ),
    )
    .ok()?;
    let digest = "07".repeat(32);
    let steps: [&[&str]; 5] = [
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-subj",
            "/CN=Fuzz seed CA",
            "-days",
            "2",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "tsa.key",
            "-out",
            "tsa.csr",
            "-subj",
            "/CN=Fuzz seed TSA",
        ],
        &[
            "x509",
            "-req",
            "-in",
            "tsa.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "tsa.crt",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
        &[
            "ts", "-query", "-digest", &digest, "-sha256", "-cert", "-out", "q.tsq",
        ],
        &[
            "ts",
            "-reply",
            "-config",
            "ts.cnf",
            "-queryfile",
            "q.tsq",
            "-token_out",
            "-out",
            "token.der",
        ],
    ];
    for args in steps {
        let ok = Command::new("openssl")
            .args(args)
            .current_dir(&dir)
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            return None;
        }
    }
    let token = std::fs::read(dir.join("token.der")).ok();
    let _ = std::fs::remove_dir_all(&dir);
    let token = token?;
    kinga_vault::timestamp::verify_token(&token, &[7; 32]).ok()?;
    Some(token)
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    importers(&root.join("importers"));
    api_json(&root.join("api_json"));
    dossier(&root.join("dossier"));
    println!("seed corpus written under {}", root.display());
}
