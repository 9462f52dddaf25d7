//! `kinga verify` after ordinary commands: whatever a command stores must read back as what
//! its audit entry vouched for.
use crate::support::{kinga, run, serve_with, stderr, stdout};
use reqwest::Method;
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}{}", stdout(o), stderr(o));
    stdout(o)
}

fn verified(data: &Path) {
    let o = run(&["verify"], data);
    assert!(
        o.status.success(),
        "kinga verify: {}{}",
        stdout(&o),
        stderr(&o)
    );
}

fn ewp_table() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/ewp/prepared2024predictors-2025-09-03.csv");
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "skipped: the Early Warning Project table ../shared/data/ewp/prepared2024predictors-2025-09-03.csv is absent"
        );
        None
    }
}

/// The published model's forecasts carry hundreds of contributions, enough that some of them
/// are floats a fast decimal parser reads one unit in the last place off.
#[test]
fn saved_forecasts_of_the_ewp_model_leave_the_chain_intact() {
    let Some(table) = ewp_table() else { return };
    let table = table.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.json");
    let data = dir.path().join("data");
    ok(&kinga()
        .args(["risk", "fit", "--data", table, "--outcome", "mk_onset_1or2"])
        .args([
            "--train-until",
            "2022",
            "--alpha",
            "0.5",
            "--lambda",
            "0.002586",
        ])
        .arg("--out")
        .arg(&model)
        .output()
        .unwrap());
    let model = model.to_str().unwrap();
    ok(&run(
        &[
            "risk", "forecast", "--model", model, "--data", table, "--year", "2024", "--save",
        ],
        &data,
    ));
    verified(&data);
}

const KEY_PASSPHRASE: &str = "the irri key passphrase";
const PASSWORD: &str = "a long enough passphrase\n";

/// Runs `kinga` on the data directory with the organisations' key passphrase set and `input`
/// on standard input.
fn k(d: &Path, args: &[&str], input: &[u8]) -> String {
    let mut child = kinga()
        .args(args)
        .arg("--data-dir")
        .arg(d)
        .env_remove("KINGA_DATABASE_URL")
        .env_remove("KINGA_VAULT_DIR")
        .env("KINGA_KEY_PASSPHRASE", KEY_PASSPHRASE)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kinga starts");
    let mut stdin = child.stdin.take().unwrap();
    let _ = stdin.write_all(input);
    drop(stdin);
    let o = child.wait_with_output().unwrap();
    assert!(
        o.status.success(),
        "kinga {args:?}: {}{}",
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

/// Verification after each step, so a break is named with the step that made it.
fn verified_after(d: &Path, step: &str) {
    let o = run(&["verify"], d);
    assert!(
        o.status.success(),
        "kinga verify after {step}: {}{}",
        stdout(&o),
        stderr(&o)
    );
}

/// Two organisations with keys, and the irri's monitor, analyst and coordinator with tokens.
fn people(d: &Path) -> Tokens {
    k(
        d,
        &[
            "org",
            "add",
            "--slug",
            "irri",
            "--name",
            "IRRI",
            "--country",
            "UGA",
        ],
        b"",
    );
    // Without a passphrase an organisation has no keys until `keys init`.
    ok(&run(
        &[
            "org",
            "add",
            "--slug",
            "khrc",
            "--name",
            "KHRC",
            "--network",
            "r2p-africa",
        ],
        d,
    ));
    k(d, &["keys", "init", "--org", "khrc"], b"");
    let token = |role: &str| {
        let email = format!("{role}@irri.org");
        k(
            d,
            &[
                "user", "add", "--org", "irri", "--role", role, "--email", &email,
            ],
            PASSWORD.as_bytes(),
        );
        k(d, &["token", "create", "--email", &email], b"")
            .trim()
            .to_string()
    };
    Tokens {
        monitor: token("monitor"),
        analyst: token("analyst"),
        coordinator: token("coordinator"),
    }
}

struct Tokens {
    monitor: String,
    analyst: String,
    coordinator: String,
}

/// The first rows of the demo's UCDP file, imported as events and as the irri's incidents, and
/// signals detected on them. Returns the first two events' references, `ucdp-ged:ID`.
fn events_and_incidents(d: &Path) -> [String; 2] {
    let ged = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/demo/ucdp_ged_v23_1_central_african_republic.csv");
    let text = std::fs::read_to_string(ged).unwrap();
    let rows: Vec<&str> = text.lines().take(41).collect();
    let file = d.join("ged.csv");
    std::fs::write(&file, rows.join("\n") + "\n").unwrap();
    let file = file.to_str().unwrap();
    k(d, &["import", "ucdp", file], b"");
    verified_after(d, "import ucdp");
    k(d, &["import", "ucdp-incidents", file, "--org", "irri"], b"");
    verified_after(d, "import ucdp-incidents");
    k(
        d,
        &["detect", "--level", "country", "--period", "month"],
        b"",
    );
    verified_after(d, "detect");
    let event = |row: &str| format!("ucdp-ged:{}", row.split(',').next().unwrap());
    [event(rows[1]), event(rows[2])]
}

/// A forecast of 2011 for forty countries, saved, from a model fitted on a small table.
fn forecasts(d: &Path) {
    let mut table = String::from("country,code,year,a,b,onset,onset2\n");
    for (c, iso) in COUNTRIES.iter().enumerate() {
        for year in 2000..2012 {
            let a = ((c * 7 + year * 3) % 11) as f64 / 4.0;
            let onset = u8::from((c + year) % 6 == 0);
            table.push_str(&format!("{iso},{c},{year},{a},{},0,{onset}\n", c % 3));
        }
    }
    let file = d.join("predictors.csv");
    std::fs::write(&file, table).unwrap();
    let file = file.to_str().unwrap();
    let model = d.join("model.json");
    let model = model.to_str().unwrap();
    let layout = [
        "--data",
        file,
        "--name-column",
        "country",
        "--outcome-columns",
        "onset,onset2",
        "--ignore",
        "code",
    ];
    let fit = [
        "--outcome",
        "onset2",
        "--train-until",
        "2010",
        "--alpha",
        "0.5",
        "--lambda",
        "0.01",
        "--out",
        model,
    ];
    ok(&kinga()
        .args(["risk", "fit"])
        .args(layout)
        .args(fit)
        .output()
        .unwrap());
    k(
        d,
        &[
            &["risk", "forecast", "--model", model][..],
            &layout,
            &["--year", "2011", "--save"],
        ]
        .concat(),
        b"",
    );
    verified_after(d, "risk forecast --save");
}

const COUNTRIES: [&str; 40] = [
    "CAF", "COD", "SSD", "SDN", "ETH", "SOM", "MLI", "NER", "BFA", "NGA", "CMR", "TCD", "LBY",
    "EGY", "KEN", "UGA", "RWA", "BDI", "TZA", "MOZ", "ZWE", "ZAF", "AGO", "ZMB", "MWI", "GIN",
    "SLE", "LBR", "CIV", "GHA", "TGO", "BEN", "SEN", "GMB", "MRT", "DZA", "TUN", "MAR", "ERI",
    "DJI",
];

/// JSON calls to a running server, each expected to succeed.
struct Api {
    rt: tokio::runtime::Runtime,
    client: reqwest::Client,
    url: String,
}

impl Api {
    fn new(url: &str) -> Self {
        Api {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            // A sign-in's cookie and a form's answer come with the redirect itself.
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            url: url.to_string(),
        }
    }

    fn call(&self, method: Method, token: &str, path: &str, body: Option<Value>) -> Value {
        self.rt.block_on(async {
            let url = format!("{}/api/v1{path}", self.url);
            let mut r = self.client.request(method, &url).bearer_auth(token);
            if let Some(b) = body {
                r = r.json(&b);
            }
            let r = r.send().await.unwrap();
            let status = r.status();
            let text = r.text().await.unwrap();
            assert!(status.is_success(), "{path}: {status} {text}");
            serde_json::from_str(&text).unwrap_or(Value::Null)
        })
    }

    fn post(&self, token: &str, path: &str, body: Value) -> Value {
        self.call(Method::POST, token, path, Some(body))
    }

    fn get(&self, token: &str, path: &str) -> Value {
        self.call(Method::GET, token, path, None)
    }

    fn delete(&self, token: &str, path: &str) -> Value {
        self.call(Method::DELETE, token, path, None)
    }

    /// Signs in on the web form and returns the session cookie.
    fn sign_in(&self, email: &str) -> String {
        self.rt.block_on(async {
            let r = self
                .client
                .get(format!("{}/login", self.url))
                .send()
                .await
                .unwrap();
            let first = cookie(&r, "").unwrap();
            let html = r.text().await.unwrap();
            let r = self
                .client
                .post(format!("{}/login", self.url))
                .header("cookie", &first)
                .form(&[
                    ("csrf", csrf_of(&html).as_str()),
                    ("email", email),
                    ("password", PASSWORD.trim()),
                ])
                .send()
                .await
                .unwrap();
            cookie(&r, "kinga_session=").expect("signed in")
        })
    }

    /// Posts a web form from `page` with that page's CSRF token; expects the redirect that
    /// follows a write.
    fn form(&self, session: &str, page: &str, action: &str, fields: &[(&str, &str)]) {
        self.rt.block_on(async {
            let get = |path: String| {
                self.client
                    .get(format!("{}{path}", self.url))
                    .header("cookie", session)
            };
            let html = get(page.to_string())
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let mut all = vec![("csrf", csrf_of(&html))];
            all.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
            let r = self
                .client
                .post(format!("{}{action}", self.url))
                .header("cookie", session)
                .form(&all)
                .send()
                .await
                .unwrap();
            let status = r.status();
            assert_eq!(
                status.as_u16(),
                303,
                "{action}: {}",
                r.text().await.unwrap()
            );
        });
    }
}

fn cookie(r: &reqwest::Response, prefix: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(prefix))
        .map(|v| v.split(';').next().unwrap().to_string())
}

fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .expect("a form with a CSRF token")
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

/// A report with sealed witness fields, triaged and linked to a new incident that is assigned
/// and moved on, with an act coded on the incident's page; returns the incident's code.
fn report_and_incident(api: &Api, t: &Tokens) -> String {
    let report = api.post(
        &t.monitor,
        "/reports",
        json!({"text": "Houses burnt near the market", "country": "CAF",
               "occurred_on": "2013-12-05", "visibility": "organisation"}),
    );
    let report = report["id"].as_str().unwrap();
    api.post(
        &t.monitor,
        &format!("/reports/{report}/sealed"),
        json!({"witness_name": "A. Witness", "witness_contact": "+236 00 00 00 00"}),
    );
    let incident = api.post(
        &t.analyst,
        "/incidents",
        json!({"title": "Attack on Bossangoa market", "country": "CAF",
               "date_start": "2013-12-05", "latitude": 6.4926, "longitude": 17.4552}),
    );
    let id = incident["id"].as_str().unwrap();
    api.post(
        &t.analyst,
        &format!("/reports/{report}/triage"),
        json!({"decision": "accept"}),
    );
    api.post(
        &t.analyst,
        &format!("/reports/{report}/link"),
        json!({"incident": id}),
    );
    let me = api.get(&t.analyst, "/me");
    api.post(
        &t.analyst,
        &format!("/incidents/{id}/assign"),
        json!({"assignee": me["id"]}),
    );
    api.post(
        &t.analyst,
        &format!("/incidents/{id}/status"),
        json!({"status": "in_verification", "explanation": "report corroborated"}),
    );
    let analyst = api.sign_in("analyst@irri.org");
    api.form(
        &analyst,
        &format!("/incidents/{id}"),
        &format!("/incidents/{id}/acts"),
        &[
            ("provision", "art. 7(1)(a)"),
            ("victim_description", "market traders"),
            ("victim_count", "12"),
        ],
    );
    incident["code"].as_str().unwrap().to_string()
}

/// A Framework assessment scored, linked, unlinked and signed off, and the country's class
/// overridden and the override withdrawn.
fn assessment_and_class(api: &Api, t: &Tokens) {
    let a = api.post(
        &t.analyst,
        "/assessments",
        json!({"country": "CAF", "assessed_on": "2026-11-20", "situation": "Ouham"}),
    );
    let id = a["id"].as_str().unwrap();
    api.post(
        &t.analyst,
        &format!("/assessments/{id}/scores"),
        json!({"indicator": "7.5", "score": 3, "confidence": "high", "note": "2 sources"}),
    );
    let link = |target: &str| {
        let l = api.post(
            &t.analyst,
            &format!("/assessments/{id}/links"),
            json!({"indicator": "7.5", "kind": "document", "target": target}),
        );
        l["id"].as_str().unwrap().to_string()
    };
    link("https://example.org/panel");
    let wrong = link("https://example.org/another-country");
    api.delete(&t.analyst, &format!("/assessments/{id}/links/{wrong}"));
    let version = api.get(&t.analyst, &format!("/assessments/{id}"))["version"].clone();
    api.post(
        &t.coordinator,
        &format!("/assessments/{id}/signoff"),
        json!({"version": version}),
    );
    api.post(&t.analyst, "/countries/CAF/class/refresh", json!({}));
    api.post(
        &t.analyst,
        "/countries/CAF/class",
        json!({"class": "imminent_risk", "rationale": "Killings reported in three prefectures"}),
    );
    api.post(
        &t.coordinator,
        "/countries/CAF/class",
        json!({"withdraw": true, "rationale": "The reports were of 2013"}),
    );
}

/// Everything the server writes, through its API.
fn over_the_api(d: &Path, t: &Tokens) -> String {
    let server = serve_with(d, &[], &[("KINGA_KEY_PASSPHRASE", KEY_PASSPHRASE)]);
    let api = Api::new(&server.url);
    let code = report_and_incident(&api, t);
    assessment_and_class(&api, t);
    drop(server);
    verified_after(d, "the API's writes");
    code
}

/// A photo as evidence, a thumbnail of it, its custody events, a dossier and the keys'
/// rotation, split and recovery from two of three shares.
fn evidence_and_keys(d: &Path, code: &str) {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
    let photo = d.join("market.jpg");
    img.save(&photo).unwrap();
    let added = k(
        d,
        &[
            "evidence",
            "add",
            "--incident",
            code,
            photo.to_str().unwrap(),
        ],
        b"",
    );
    let id = added.split_whitespace().next().unwrap();
    verified_after(d, "evidence add");
    k(d, &["evidence", "derive", id, "--thumbnail"], b"");
    k(d, &["evidence", "verify", id], b"");
    k(
        d,
        &[
            "evidence",
            "transfer",
            id,
            "--to",
            "Special Criminal Court",
            "--how",
            "receipt 114",
        ],
        b"",
    );
    k(
        d,
        &[
            "evidence",
            "request-deletion",
            id,
            "--reason",
            "the witness withdrew consent",
        ],
        b"",
    );
    verified_after(d, "evidence derive, verify, transfer and request-deletion");
    let zip = d.join("dossier.zip");
    k(
        d,
        &[
            "export",
            "dossier",
            "--incident",
            code,
            "--out",
            zip.to_str().unwrap(),
        ],
        b"",
    );
    verified_after(d, "export dossier");
    k(d, &["keys", "rotate", "--org", "irri"], b"");
    let shares = k(
        d,
        &[
            "keys",
            "split",
            "--org",
            "irri",
            "--shares",
            "3",
            "--threshold",
            "2",
        ],
        b"",
    );
    let blocks: Vec<&str> = shares
        .split("\n\n")
        .filter(|b| b.contains("share "))
        .collect();
    let two = format!("{}\n\n{}\n", blocks[0], blocks[2]);
    k(d, &["keys", "recover", "--org", "irri"], two.as_bytes());
    verified_after(d, "keys rotate, split and recover");
}

/// The incident cites two events, then drops the second.
fn citations(d: &Path, code: &str, [kept, dropped]: &[String; 2]) {
    for event in [kept, dropped] {
        k(
            d,
            &["incident", "cite", "--incident", code, "--event", event],
            b"",
        );
    }
    k(
        d,
        &[
            "incident",
            "cite",
            "--incident",
            code,
            "--remove",
            "--event",
            dropped,
        ],
        b"",
    );
    verified_after(d, "incident cite and its removal");
}

/// Every kind of record the commands and the API write, on one data directory, each step
/// followed by `kinga verify`.
#[test]
fn every_audited_record_written_by_the_commands_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let d = &dir.path().join("data");
    let tokens = people(d);
    verified_after(d, "org, keys, user and token");
    let events = events_and_incidents(d);
    forecasts(d);
    let code = over_the_api(d, &tokens);
    citations(d, &code, &events);
    evidence_and_keys(d, &code);
    if let Some(tsa) = crate::timestamp::local_tsa::local_tsa() {
        k(d, &["evidence", "checkpoint", "--tsa", &tsa.url], b"");
        verified_after(d, "evidence checkpoint");
    }
}
