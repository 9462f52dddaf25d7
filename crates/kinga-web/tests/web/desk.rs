//! The custodian's desk over HTTP on a real server with a real vault: a protected source typed
//! into the report form is sealed (also while the keys are locked) and opened only by the legal
//! officers and administrators of the organisation, with an audit entry; administrators unlock
//! and lock the organisation's keys from the web; verify, transfer and deletion requests enter
//! the custody chain from the item's page and the API.
use crate::helpers::{
    add_organisations, add_users, call_json, create_keys, csrf_of, enrol_form, files_under,
    market_incident, page, serve_with_vault, session_of, sign_in_form, sqlite_store, token, upload,
    KEY_PASSPHRASE,
};
use kinga_app::evidence::Vault;
use kinga_app::Access;
use kinga_domain::ids::OrgId;
use kinga_domain::org::Slug;
use kinga_domain::Role;
use kinga_store::Store;
use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};
use std::sync::Arc;

/// Unusual enough that finding them anywhere means they leaked.
const WITNESS: &str = "Zainabou Ngakola-Yemba";
const CONTACT: &str = "+236 75 51 93 08";
const PLACE: &str = "behind the Ngakola compound, 6.49261N 17.45263E";

struct App {
    address: String,
    client: reqwest::Client,
    access: Arc<Access>,
    store: Arc<dyn Store>,
    vault_dir: std::path::PathBuf,
    dir: tempfile::TempDir,
}

/// Alpha and bravo share a network; charlie stands apart and has no keys. Alpha and bravo have
/// keys, locked: the server started without their passphrase.
async fn spawn_on(store: Arc<dyn Store>, dir: tempfile::TempDir) -> App {
    let access = Arc::new(Access::new(store.clone()));
    let vault_dir = dir.path().join("vault");
    let setup = Vault::new(store.clone(), &vault_dir);
    let sys = access.system("test");
    create_keys(&setup, &add_organisations(&sys).await[..2]).await;
    add_users(
        &sys,
        &[
            ("alpha", Role::Monitor),
            ("alpha", Role::Analyst),
            ("alpha", Role::Legal),
            ("alpha", Role::Admin),
            ("bravo", Role::Analyst),
            ("bravo", Role::Legal),
            ("charlie", Role::Monitor),
            ("charlie", Role::Analyst),
        ],
    )
    .await;
    let vault = Arc::new(Vault::new(store.clone(), &vault_dir));
    let (address, client) = serve_with_vault(access.clone(), vault).await;
    App {
        address,
        client,
        access,
        store,
        vault_dir,
        dir,
    }
}

async fn spawn() -> App {
    let (store, dir) = sqlite_store().await;
    spawn_on(store, dir).await
}

impl App {
    async fn token(&self, email: &str) -> String {
        token(&self.access, email).await
    }

    async fn call(
        &self,
        method: &str,
        token: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let url = format!("{}{path}", self.address);
        call_json(&self.client, method, url, token, body).await
    }

    /// Alpha's incident on the Bossangoa market attack, shared with the network.
    async fn incident(&self, token: &str) -> String {
        market_incident(&self.client, &self.address, token).await
    }

    /// Evidence uploaded to the incident; the stored item.
    async fn upload(&self, token: &str, incident: &str, form: Form) -> Value {
        let (status, item) = upload(&self.client, &self.address, token, incident, form).await;
        assert_eq!(status, 201, "{item}");
        item
    }

    async fn org(&self, slug: &str) -> OrgId {
        self.store
            .organisation(&Slug::parse(slug).unwrap())
            .await
            .unwrap()
            .unwrap()
            .id
    }

    async fn page(&self, cookie: &str, path: &str) -> (u16, String) {
        page(&self.client, &self.address, cookie, path).await
    }

    async fn form(&self, cookie: &str, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.address))
            .header("cookie", cookie)
            .form(fields)
            .send()
            .await
            .unwrap()
    }

    /// Every file under the data directory: database, WAL, vault.
    fn files(&self) -> Vec<std::path::PathBuf> {
        files_under(self.dir.path())
    }
}

/// Signs in; administrators also enrol their second factor.
async fn sign_in(app: &App, email: &str) -> String {
    let r = sign_in_form(&app.client, &app.address, email).await;
    let session = session_of(&r);
    if r.headers()["location"] == "/login/enrol" {
        let (r, _) = enrol_form(&app.client, &app.address, &session).await;
        assert_eq!(r.headers()["location"], "/incidents");
    } else if r.headers()["location"] == "/login/second-factor" {
        // Set up by `token` for an administrator's full token.
        let (_, html) = app.page(&session, "/login/second-factor").await;
        let code = kinga_app::totp::now_code(crate::helpers::TEST_TOTP_SECRET).unwrap();
        let r = app
            .form(
                &session,
                "/login/second-factor",
                &[("csrf", csrf_of(&html).as_str()), ("code", code.as_str())],
            )
            .await;
        assert_eq!(r.headers()["location"], "/incidents");
    }
    session
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// The report form's fields, with the protected source.
fn report_fields<'a>(csrf: &'a str, text: &'a str, visibility: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("country", "CAF"),
        ("occurred_on", "2013-12-05"),
        ("text", text),
        ("visibility", visibility),
        ("witness_name", WITNESS),
        ("witness_contact", CONTACT),
        ("exact_location", PLACE),
    ]
}

async fn submit_form(app: &App, session: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    app.form(session, "/reports/new", fields).await
}

#[tokio::test]
async fn a_protected_source_typed_into_the_form_is_sealed_even_while_the_keys_are_locked() {
    let app = spawn().await;
    let monitor = sign_in(&app, "monitor@alpha.org").await;
    let (status, html) = app.page(&monitor, "/reports/new").await;
    assert_eq!(status, 200);
    assert!(html.contains("data-testid=\"protected-source-form\""));
    assert!(
        html.contains("legal officers and administrators"),
        "said in English"
    );
    let (_, fr) = app
        .page(&format!("{monitor}; kinga_lang=fr"), "/reports/new")
        .await;
    assert!(fr.contains("Source protégée (scellée)") && fr.contains("juristes"));
    let csrf = csrf_of(&html);

    // A report with a bad field is not stored; what was typed comes back to the one who typed
    // it, never cached.
    let mut bad = report_fields(&csrf, "", "network");
    bad.retain(|(k, _)| *k != "text");
    let r = submit_form(&app, &monitor, &bad).await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let monitor_token = app.token("monitor@alpha.org").await;
    let (_, mine) = app
        .call("GET", &monitor_token, "/api/v1/reports", None)
        .await;
    assert_eq!(mine["total"], 0, "nothing stored");

    // The keys are locked (the server started without the passphrase): the report and its
    // protected source are still accepted, sealed to the organisation's public key.
    let r = submit_form(
        &app,
        &monitor,
        &report_fields(
            &csrf,
            "Houses burnt near the market; one witness saw the unit.",
            "network",
        ),
    )
    .await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(location.ends_with("?submitted=1&sealed=1"), "{location}");
    let id = location
        .trim_start_matches("/reports/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let (_, html) = app.page(&monitor, &location).await;
    assert!(html.contains("data-testid=\"sealed-notice\""));
    assert!(html.contains("data-testid=\"sealed-badge\""));
    assert!(!html.contains(WITNESS) && !html.contains("sealed-show"));

    // The report's own fields never hold it, whoever reads.
    let admin_token = app.token("admin@alpha.org").await;
    let (status, report) = app
        .call("GET", &admin_token, &format!("/api/v1/reports/{id}"), None)
        .await;
    assert_eq!(status, 200);
    let text = report.to_string();
    assert!(!text.contains(WITNESS) && !text.contains(CONTACT) && !text.contains("Ngakola"));

    // The legal officer sees that it is sealed and that the keys are locked; asking anyway
    // opens nothing.
    let legal = sign_in(&app, "legal@alpha.org").await;
    let (_, html) = app.page(&legal, &format!("/reports/{id}")).await;
    assert!(html.contains("data-testid=\"sealed-locked\""), "{html}");
    let r = app
        .form(
            &legal,
            &format!("/reports/{id}/sealed/show"),
            &[("csrf", csrf_of(&html).as_str())],
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(!r.text().await.unwrap().contains(WITNESS));

    // Unlocked, the legal officer opens it; the reading is an audit entry naming the fields,
    // not their values, and the page is not cached.
    let (status, _) = app
        .call(
            "POST",
            &admin_token,
            "/api/v1/admin/keys/unlock",
            Some(json!({"passphrase": KEY_PASSPHRASE})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, html) = app.page(&legal, &format!("/reports/{id}")).await;
    assert!(html.contains("data-testid=\"sealed-show\""));
    assert!(!html.contains(WITNESS), "not opened without asking");
    let r = app
        .form(
            &legal,
            &format!("/reports/{id}/sealed/show"),
            &[("csrf", csrf_of(&html).as_str())],
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    assert!(html.contains("data-testid=\"sealed-values\""));
    assert!(html.contains(WITNESS) && html.contains(CONTACT) && html.contains("6.49261N"));
    let reads: Vec<_> = app
        .store
        .audit_trail(&id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.entity == "sealed_fields_access")
        .collect();
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].actor, "legal@alpha.org");
    assert_eq!(reads[0].action, "read");
    let explanation = reads[0].explanation.clone().unwrap();
    assert!(explanation.contains("witness_name") && !explanation.contains("Ngakola"));

    // The API reads it too, and writes its own audit entry.
    let legal_token = app.token("legal@alpha.org").await;
    let (status, body) = app
        .call(
            "GET",
            &legal_token,
            &format!("/api/v1/reports/{id}/sealed"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["fields"]["witness_name"], WITNESS);
    let reads = app
        .store
        .audit_trail(&id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.entity == "sealed_fields_access")
        .count();
    assert_eq!(reads, 2);

    // An analyst of alpha, and bravo's legal officer (the report is shared in the network),
    // see "sealed" and nothing else; asking is refused.
    for who in ["analyst@alpha.org", "legal@bravo.org"] {
        let s = sign_in(&app, who).await;
        let (status, html) = app.page(&s, &format!("/reports/{id}")).await;
        assert_eq!(status, 200, "{who}");
        assert!(html.contains("data-testid=\"sealed-badge\""), "{who}");
        assert!(
            !html.contains("sealed-show") && !html.contains(WITNESS),
            "{who}"
        );
        let r = app
            .form(
                &s,
                &format!("/reports/{id}/sealed/show"),
                &[("csrf", csrf_of(&html).as_str())],
            )
            .await;
        assert_eq!(r.status(), 403, "{who}");
        assert!(!r.text().await.unwrap().contains(WITNESS), "{who}");
    }

    // An organisation without keys is told before anything is stored; without a protected
    // source its report goes through.
    let charlie = sign_in(&app, "monitor@charlie.org").await;
    let (_, html) = app.page(&charlie, "/reports/new").await;
    let c = csrf_of(&html);
    let r = submit_form(
        &app,
        &charlie,
        &report_fields(&c, "Shots heard at night.", "organisation"),
    )
    .await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("no keys yet"));
    let charlie_token = app.token("monitor@charlie.org").await;
    let (_, theirs) = app
        .call("GET", &charlie_token, "/api/v1/reports", None)
        .await;
    assert_eq!(theirs["total"], 0, "nothing stored");
    let mut plain = report_fields(&c, "Shots heard at night.", "organisation");
    plain.truncate(5);
    let r = submit_form(&app, &charlie, &plain).await;
    assert_eq!(r.status(), 303);

    // A protected source may also come after the report, from its page, while it has none:
    // from the one who submitted it, not from a colleague who only reads it.
    let mut later = report_fields(&csrf, "A second account of the market fire.", "network");
    later.truncate(5);
    let r = submit_form(&app, &monitor, &later).await;
    assert_eq!(r.status(), 303);
    let second = r.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/reports/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let (_, html) = app.page(&monitor, &format!("/reports/{second}")).await;
    assert!(html.contains("data-testid=\"sealed-add\""));
    let analyst = sign_in(&app, "analyst@alpha.org").await;
    let (_, html) = app.page(&analyst, &format!("/reports/{second}")).await;
    assert!(!html.contains("data-testid=\"sealed-add\""));
    let r = app
        .form(
            &analyst,
            &format!("/reports/{second}/sealed"),
            &[
                ("csrf", csrf_of(&html).as_str()),
                ("witness_name", "someone else"),
            ],
        )
        .await;
    assert_eq!(r.status(), 403);
    let r = app
        .form(
            &monitor,
            &format!("/reports/{second}/sealed"),
            &[("csrf", csrf.as_str()), ("witness_name", "")],
        )
        .await;
    assert_eq!(r.status(), 422, "nothing to seal");
    let r = app
        .form(
            &monitor,
            &format!("/reports/{second}/sealed"),
            &[("csrf", csrf.as_str()), ("witness_contact", CONTACT)],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .ends_with("?sealed=1"));
    let (status, body) = app
        .call(
            "GET",
            &legal_token,
            &format!("/api/v1/reports/{second}/sealed"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["fields"]["witness_contact"], CONTACT);
    let r = app
        .form(
            &monitor,
            &format!("/reports/{second}/sealed"),
            &[("csrf", csrf.as_str()), ("witness_name", "a replacement")],
        )
        .await;
    assert_eq!(
        r.status(),
        403,
        "a sealed source is not replaced from the page"
    );

    // Nowhere in the database, its WAL, the vault, or the incident text index.
    let analyst_token = app.token("analyst@alpha.org").await;
    let (status, _) = app
        .call(
            "POST",
            &analyst_token,
            "/api/v1/incidents",
            Some(
                json!({"title": "Market burnt", "country": "CAF", "date_start": "2013-12-05",
                        "visibility": "network", "summary": "Houses burnt near the market."}),
            ),
        )
        .await;
    assert_eq!(status, 201);
    let (_, found) = app
        .call("GET", &analyst_token, "/api/v1/incidents?q=market", None)
        .await;
    assert_eq!(found["total"], 1, "the text index answers");
    for q in ["Ngakola", "Zainabou", "75%2051%2093"] {
        let (status, found) = app
            .call(
                "GET",
                &analyst_token,
                &format!("/api/v1/incidents?q={q}"),
                None,
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(found["total"], 0, "{q}");
    }
    let files = app.files();
    assert!(files.iter().any(|f| f.ends_with("kinga.db")), "{files:?}");
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for secret in [WITNESS, CONTACT, "Ngakola", "6.49261N"] {
            assert!(
                !contains(&bytes, secret),
                "{secret} found in {}",
                f.display()
            );
        }
    }
    let outcome = app.store.verify().await.unwrap();
    assert_eq!(outcome.first_break, None);
}

#[tokio::test]
async fn administrators_unlock_and_lock_the_keys_from_the_admin_page() {
    let app = spawn().await;
    let alpha = app.org("alpha").await;
    let analyst = sign_in(&app, "analyst@alpha.org").await;
    let (status, _) = app.page(&analyst, "/admin/keys").await;
    assert_eq!(status, 403);

    let admin = sign_in(&app, "admin@alpha.org").await;
    let (_, html) = app.page(&admin, "/admin").await;
    assert!(html.contains("href=\"/admin/keys\""));
    let (status, html) = app.page(&admin, "/admin/keys").await;
    assert_eq!(status, 200);
    assert!(html.contains("data-unlocked=\"false\""));
    assert!(html.contains("unreadable forever") && html.contains("kinga keys split --org alpha"));
    let (_, fr) = app
        .page(&format!("{admin}; kinga_lang=fr"), "/admin/keys")
        .await;
    assert!(fr.contains("illisibles à jamais"));
    let csrf = csrf_of(&html);

    // A wrong passphrase: a clear answer, in French too, and nothing changes or is recorded.
    let r = app
        .form(
            &admin,
            "/admin/keys/unlock",
            &[("csrf", csrf.as_str()), ("passphrase", "not it at all")],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Wrong passphrase"));
    let r = app
        .form(
            &format!("{admin}; kinga_lang=fr"),
            "/admin/keys/unlock",
            &[("csrf", csrf.as_str()), ("passphrase", "not it at all")],
        )
        .await;
    assert!(r.text().await.unwrap().contains("Phrase secrète erronée"));
    let key_events = |app: &App| {
        let store = app.store.clone();
        async move {
            store
                .audit_trail(&alpha.to_string())
                .await
                .unwrap()
                .into_iter()
                .filter(|e| e.entity == "org_keys_access")
                .map(|e| (e.action, e.actor))
                .collect::<Vec<_>>()
        }
    };
    assert!(key_events(&app).await.is_empty());
    let (_, html) = app.page(&admin, "/admin/keys").await;
    assert!(html.contains("data-unlocked=\"false\""));

    // Without the CSRF token nothing happens.
    let r = app
        .form(
            &admin,
            "/admin/keys/unlock",
            &[("passphrase", KEY_PASSPHRASE)],
        )
        .await;
    assert_eq!(r.status(), 403);

    let r = app
        .form(
            &admin,
            "/admin/keys/unlock",
            &[("csrf", csrf.as_str()), ("passphrase", KEY_PASSPHRASE)],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, html) = app.page(&admin, "/admin/keys?notice=unlocked").await;
    assert!(html.contains("data-unlocked=\"true\""));
    assert!(html.contains("data-testid=\"keys-lock\""));
    let r = app
        .form(&admin, "/admin/keys/lock", &[("csrf", csrf.as_str())])
        .await;
    assert_eq!(r.status(), 303);
    let (_, html) = app.page(&admin, "/admin/keys").await;
    assert!(html.contains("data-unlocked=\"false\""));
    assert_eq!(
        key_events(&app).await,
        vec![
            ("unlock".to_string(), "admin@alpha.org".to_string()),
            ("lock".to_string(), "admin@alpha.org".to_string())
        ]
    );
    assert!(!html.contains(KEY_PASSPHRASE));
    assert_eq!(app.store.verify().await.unwrap().first_break, None);
}

/// The key routes of the API on one backend: status, refusals, unlock, lock, the evidence
/// opening and closing with them, and the audit chain intact afterwards.
async fn keys_over_the_api(app: &App) {
    let alpha = app.org("alpha").await;
    let admin = app.token("admin@alpha.org").await;
    let analyst = app.token("analyst@alpha.org").await;
    let (status, body) = app.call("GET", &admin, "/api/v1/admin/keys", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["unlocked"], false);
    assert_eq!(body["has_keys"], true);
    assert_eq!(body["organisation"], "alpha");
    assert!(body["warning"]
        .as_str()
        .unwrap()
        .contains("never be read again"));
    let (status, _) = app.call("GET", &analyst, "/api/v1/admin/keys", None).await;
    assert_eq!(status, 403);
    let (status, _) = app
        .call(
            "POST",
            &analyst,
            "/api/v1/admin/keys/unlock",
            Some(json!({"passphrase": KEY_PASSPHRASE})),
        )
        .await;
    assert_eq!(status, 403);

    // Evidence received while locked cannot be opened.
    let incident = app.incident(&analyst).await;
    let form = Form::new().part(
        "file",
        Part::bytes(b"statement".repeat(100)).file_name("s.txt"),
    );
    let item = app.upload(&analyst, &incident, form).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let content = format!("/api/v1/evidence/{item}/content");
    let (status, _) = app.call("GET", &analyst, &content, None).await;
    assert_eq!(status, 409);

    for (body, path) in [
        (json!({}), "$.passphrase"),
        (json!({"passphrase": 42}), "$.passphrase"),
        (json!({"passphrase": "wrong wrong wrong"}), "$.passphrase"),
    ] {
        let (status, problem) = app
            .call(
                "POST",
                &admin,
                "/api/v1/admin/keys/unlock",
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, 422, "{body} {problem}");
        assert_eq!(problem["errors"][0]["path"], path);
    }
    let r = app
        .client
        .post(format!("{}/api/v1/admin/keys/unlock", app.address))
        .bearer_auth(&admin)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let (_, body) = app.call("GET", &admin, "/api/v1/admin/keys", None).await;
    assert_eq!(
        body["unlocked"], false,
        "a wrong passphrase changes nothing"
    );

    let (status, body) = app
        .call(
            "POST",
            &admin,
            "/api/v1/admin/keys/unlock",
            Some(json!({"passphrase": KEY_PASSPHRASE})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["unlocked"], true);
    let (status, _) = app.call("GET", &analyst, &content, None).await;
    assert_eq!(status, 200);
    let (status, body) = app
        .call("POST", &admin, "/api/v1/admin/keys/lock", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (body["unlocked"].clone(), body["was_unlocked"].clone()),
        (json!(false), json!(true))
    );
    let (status, _) = app.call("GET", &analyst, &content, None).await;
    assert_eq!(status, 409);
    let (_, body) = app
        .call("POST", &admin, "/api/v1/admin/keys/lock", None)
        .await;
    assert_eq!(body["was_unlocked"], false);

    let actions: Vec<String> = app
        .store
        .audit_trail(&alpha.to_string())
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.entity == "org_keys_access")
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        ["unlock", "lock"],
        "locking locked keys records nothing"
    );
    assert_eq!(app.store.verify().await.unwrap().first_break, None);
}

#[tokio::test]
async fn keys_unlock_and_lock_over_the_api() {
    keys_over_the_api(&spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_unlock_and_lock_over_the_api_on_postgres() {
    const URL_VAR: &str = "KINGA_TEST_DATABASE_URL";
    let Ok(admin) = std::env::var(URL_VAR) else {
        kinga_testkit::skip(format!(
            "{URL_VAR} is not set (a PostgreSQL server to create a scratch database on)"
        ));
        return;
    };
    let (name, url) = kinga_store_postgres::scratch::create(&admin).await.unwrap();
    let store = Arc::new(kinga_store_postgres::open(&url).await.unwrap());
    let app = spawn_on(
        store.clone() as Arc<dyn Store>,
        tempfile::tempdir().unwrap(),
    )
    .await;
    keys_over_the_api(&app).await;
    store.engine().close().await;
    kinga_store_postgres::scratch::drop(&admin, &name)
        .await
        .unwrap();
}

#[tokio::test]
async fn verify_transfer_and_deletion_requests_enter_the_custody_chain() {
    let app = spawn().await;
    let admin = app.token("admin@alpha.org").await;
    let (status, _) = app
        .call(
            "POST",
            &admin,
            "/api/v1/admin/keys/unlock",
            Some(json!({"passphrase": KEY_PASSPHRASE})),
        )
        .await;
    assert_eq!(status, 200);
    let analyst = app.token("analyst@alpha.org").await;
    let legal = app.token("legal@alpha.org").await;
    let incident = app.incident(&analyst).await;
    let bytes = b"Witness statement, Bossangoa, 5 December 2013.\n".repeat(50);
    let form = Form::new().text("visibility", "network").part(
        "file",
        Part::bytes(bytes.clone()).file_name("statement.txt"),
    );
    let item = app.upload(&analyst, &incident, form).await;
    let id = item["id"].as_str().unwrap().to_string();
    let sha = item["sha256"].as_str().unwrap().to_string();
    let at = |what: &str| format!("/api/v1/evidence/{id}/{what}");

    // Analysts verify; the outcome is a custody entry.
    let (status, check) = app.call("POST", &analyst, &at("verify"), None).await;
    assert_eq!(status, 200, "{check}");
    assert_eq!(check["intact"], true);
    assert_eq!(check["decrypted"], true);
    assert_eq!(check["custody_entry"]["kind"], "verify");

    // Transfers and deletion requests are for legal officers and administrators.
    let transfer = json!({"to": "Special Criminal Court, Bangui", "note": "receipt 114"});
    let (status, _) = app
        .call("POST", &analyst, &at("transfer"), Some(transfer.clone()))
        .await;
    assert_eq!(status, 403);
    let (status, problem) = app
        .call("POST", &legal, &at("transfer"), Some(json!({"to": " "})))
        .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["path"], "$.to");
    let (status, problem) = app
        .call(
            "POST",
            &legal,
            &at("transfer"),
            Some(json!({"to": "x".repeat(301)})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["path"], "$.to");
    let (status, body) = app
        .call("POST", &legal, &at("transfer"), Some(transfer))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["custody_entry"]["kind"], "transfer");
    assert_eq!(
        body["custody_entry"]["detail"],
        "to Special Criminal Court, Bangui; receipt 114"
    );
    let (status, problem) = app
        .call("POST", &legal, &at("deletion-request"), Some(json!({})))
        .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["path"], "$.reason");
    let (status, body) = app
        .call(
            "POST",
            &legal,
            &at("deletion-request"),
            Some(json!({"reason": "the witness withdrew consent"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["deleted"], false);

    // Bravo sees the item (shared in the network) but does not act on alpha's custody;
    // charlie does not see it at all.
    for (who, expected) in [("analyst@bravo.org", 403), ("analyst@charlie.org", 404)] {
        let t = app.token(who).await;
        let (status, _) = app.call("POST", &t, &at("verify"), None).await;
        assert_eq!(status, expected, "{who}");
    }
    let bravo_legal = app.token("legal@bravo.org").await;
    let (status, _) = app
        .call(
            "POST",
            &bravo_legal,
            &at("deletion-request"),
            Some(json!({"reason": "ours now"})),
        )
        .await;
    assert_eq!(status, 403);

    // The chain holds every action in order, and the item is unchanged.
    let (status, log) = app.call("GET", &analyst, &at("custody"), None).await;
    assert_eq!(status, 200);
    let kinds: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "receive",
            "hash",
            "seal",
            "verify",
            "transfer",
            "deletion_request"
        ]
    );
    let items = log["items"].as_array().unwrap();
    for w in items.windows(2) {
        assert_eq!(w[1]["prev_hash"], w[0]["entry_hash"]);
    }
    let r = app
        .client
        .get(format!(
            "{}/api/v1/evidence/{id}/content?original=1",
            app.address
        ))
        .bearer_auth(&legal)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().as_ref(), bytes.as_slice());

    // From the item's page: the analyst may verify, the legal officer also transfer and ask
    // for deletion; the results are shown and logged.
    let analyst_s = sign_in(&app, "analyst@alpha.org").await;
    let (_, html) = app.page(&analyst_s, &format!("/evidence/{id}")).await;
    assert!(html.contains("data-testid=\"custody-verify\""));
    assert!(!html.contains("data-testid=\"custody-transfer\""));
    let legal_s = sign_in(&app, "legal@alpha.org").await;
    let (_, html) = app.page(&legal_s, &format!("/evidence/{id}")).await;
    assert!(html.contains("data-testid=\"custody-transfer\""));
    assert!(html.contains("data-testid=\"custody-deletion\""));
    assert!(html.contains("Nothing is deleted or altered"));
    let csrf = csrf_of(&html);
    let r = app
        .form(
            &legal_s,
            &format!("/evidence/{id}/verify"),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("data-intact=\"true\""), "{html}");
    let r = app
        .form(
            &legal_s,
            &format!("/evidence/{id}/transfer"),
            &[
                ("csrf", csrf.as_str()),
                ("to", "ICC Office of the Prosecutor"),
                ("note", "by hand"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, html) = app
        .page(&legal_s, r.headers()["location"].to_str().unwrap())
        .await;
    assert!(html.contains("ICC Office of the Prosecutor; by hand"));
    let r = app
        .form(
            &format!("{legal_s}; kinga_lang=fr"),
            &format!("/evidence/{id}/deletion-request"),
            &[("csrf", csrf.as_str()), ("reason", "")],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("doit être motivée"));
    let r = app
        .form(
            &analyst_s,
            &format!("/evidence/{id}/transfer"),
            &[
                (
                    "csrf",
                    csrf_of(&app.page(&analyst_s, "/reports/new").await.1).as_str(),
                ),
                ("to", "someone"),
            ],
        )
        .await;
    assert_eq!(r.status(), 403);

    // A flipped byte in the sealed file is named by the next verification, not hidden.
    let blob = app
        .files()
        .into_iter()
        .find(|p| {
            p.starts_with(&app.vault_dir) && p.file_name().unwrap().to_string_lossy().contains(&sha)
        })
        .expect("the sealed file");
    let mut raw = std::fs::read(&blob).unwrap();
    let mid = raw.len() / 2;
    raw[mid] ^= 0x01;
    std::fs::write(&blob, raw).unwrap();
    let (status, check) = app.call("POST", &analyst, &at("verify"), None).await;
    assert_eq!(status, 200);
    assert_eq!(check["intact"], false);
    assert!(
        check["detail"].as_str().unwrap().starts_with("MISMATCH"),
        "{check}"
    );
    let r = app
        .form(
            &legal_s,
            &format!("/evidence/{id}/verify"),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert!(r.text().await.unwrap().contains("data-intact=\"false\""));
    assert_eq!(app.store.verify().await.unwrap().first_break, None);
}

/// A network report filed through the API by alpha's monitor; returns its id.
async fn network_report(app: &App, token: &str, text: &str) -> String {
    let (status, created) = app
        .call(
            "POST",
            token,
            "/api/v1/reports",
            Some(
                json!({"text": text, "country": "CAF", "occurred_on": "2013-12-05",
                        "visibility": "network"}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().unwrap().to_string()
}

/// Who sealed a field of `report`, from the audit chain.
async fn seal_entries(app: &App, report: &str) -> Vec<String> {
    let fields = app
        .store
        .sealed_report_fields(&kinga_store::Scope::maintenance(), report.parse().unwrap())
        .await
        .unwrap();
    let mut out = Vec::new();
    for f in fields {
        for e in app.store.audit_trail(&f.id.to_string()).await.unwrap() {
            assert_eq!(e.entity, "sealed_field");
            out.push(e.actor);
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn only_the_owning_organisation_writes_a_protected_source() {
    let app = spawn().await;
    let monitor = app.token("monitor@alpha.org").await;
    let id = network_report(&app, &monitor, "Houses burnt near the market.").await;
    let at = format!("/api/v1/reports/{id}/sealed");

    // The monitor who filed it may give (and correct) the source.
    let (status, body) = app
        .call(
            "POST",
            &monitor,
            &at,
            Some(json!({"witness_name": WITNESS})),
        )
        .await;
    assert_eq!(status, 201, "{body}");

    // A partner who reads the report is refused; an organisation that cannot see it learns
    // nothing of it; a colleague who only triages it does not replace the source either.
    for (who, expected) in [
        ("legal@bravo.org", 403),
        ("analyst@bravo.org", 403),
        ("monitor@charlie.org", 404),
        ("analyst@charlie.org", 404),
        ("analyst@alpha.org", 403),
    ] {
        let t = app.token(who).await;
        let (status, _) = app
            .call("GET", &t, &format!("/api/v1/reports/{id}"), None)
            .await;
        assert_eq!(status == 200, expected == 403, "{who} sees the report");
        let (status, body) = app
            .call(
                "POST",
                &t,
                &at,
                Some(json!({"witness_name": "an impostor"})),
            )
            .await;
        assert_eq!(status, expected, "{who}: {body}");
    }

    // Alpha's legal officer may replace it; each accepted write is an audit entry, and only
    // those.
    let legal = app.token("legal@alpha.org").await;
    let (status, _) = app
        .call(
            "POST",
            &legal,
            &at,
            Some(json!({"witness_contact": CONTACT})),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        seal_entries(&app, &id).await,
        ["legal@alpha.org", "monitor@alpha.org"]
    );

    // What is sealed is what alpha wrote.
    let admin = app.token("admin@alpha.org").await;
    let (status, _) = app
        .call(
            "POST",
            &admin,
            "/api/v1/admin/keys/unlock",
            Some(json!({"passphrase": KEY_PASSPHRASE})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = app.call("GET", &legal, &at, None).await;
    assert_eq!(status, 200);
    assert_eq!(body["fields"]["witness_name"], WITNESS);
    assert_eq!(body["fields"]["witness_contact"], CONTACT);

    // The page's form follows the same rule: bravo's legal officer is not offered it and is
    // refused when sending it anyway; alpha's legal officer is offered it.
    let fresh = network_report(&app, &monitor, "A second account of the market fire.").await;
    let bravo = sign_in(&app, "legal@bravo.org").await;
    let (status, html) = app.page(&bravo, &format!("/reports/{fresh}")).await;
    assert_eq!(status, 200);
    assert!(!html.contains("data-testid=\"sealed-add\""));
    let r = app
        .form(
            &bravo,
            &format!("/reports/{fresh}/sealed"),
            &[
                ("csrf", csrf_of(&html).as_str()),
                ("witness_name", "an impostor"),
            ],
        )
        .await;
    assert_eq!(r.status(), 403);
    let alpha_legal = sign_in(&app, "legal@alpha.org").await;
    let (_, html) = app.page(&alpha_legal, &format!("/reports/{fresh}")).await;
    assert!(html.contains("data-testid=\"sealed-add\""));
    assert!(seal_entries(&app, &fresh).await.is_empty());
}

#[tokio::test]
async fn custody_forms_show_only_to_those_who_may_use_them() {
    let app = spawn().await;
    let analyst = app.token("analyst@alpha.org").await;
    let incident = app.incident(&analyst).await;
    let form = Form::new().text("visibility", "network").part(
        "file",
        Part::bytes(b"Witness statement, Bossangoa.\n".repeat(20)).file_name("statement.txt"),
    );
    let id = app.upload(&analyst, &incident, form).await["id"]
        .as_str()
        .unwrap()
        .to_string();

    // (who, verify form, transfer and deletion forms)
    for (who, verify, note) in [
        ("analyst@alpha.org", true, false),
        ("legal@alpha.org", true, true),
        ("analyst@bravo.org", false, false),
        ("legal@bravo.org", false, false),
    ] {
        let s = sign_in(&app, who).await;
        for path in [format!("/evidence/{id}"), format!("/evidence/{id}/custody")] {
            let (status, html) = app.page(&s, &path).await;
            assert_eq!(status, 200, "{who} {path}");
            assert!(html.contains("data-testid=\"custody-log\""), "{who} {path}");
            assert_eq!(
                html.contains("data-testid=\"custody-verify\""),
                verify,
                "{who} {path}"
            );
            assert_eq!(
                html.contains("data-testid=\"custody-transfer\""),
                note,
                "{who} {path}"
            );
            assert_eq!(
                html.contains("data-testid=\"custody-deletion\""),
                note,
                "{who} {path}"
            );
        }
        // What is offered is what is accepted.
        let (_, html) = app.page(&s, &format!("/evidence/{id}")).await;
        let csrf = csrf_of(&app.page(&s, "/reports/new").await.1);
        let r = app
            .form(
                &s,
                &format!("/evidence/{id}/verify"),
                &[("csrf", csrf.as_str())],
            )
            .await;
        assert_eq!(r.status() == 200, verify, "{who} verifies");
        assert!(html.contains("data-testid=\"custody-page\""), "{who}");
    }
}

/// Five wrong passphrases, each a 422 that unlocks nothing.
async fn five_wrong_over_the_api(app: &App, admin: &str) {
    for _ in 0..5 {
        let (status, _) = app
            .call(
                "POST",
                admin,
                "/api/v1/admin/keys/unlock",
                Some(json!({"passphrase": "a guess"})),
            )
            .await;
        assert_eq!(status, 422);
    }
}

#[tokio::test]
async fn guessing_the_key_passphrase_is_slowed_down() {
    let app = spawn().await;
    let admin = app.token("admin@alpha.org").await;
    five_wrong_over_the_api(&app, &admin).await;

    // Now refused before any derivation, even with the right passphrase; told when to retry.
    let r = app
        .client
        .post(format!("{}/api/v1/admin/keys/unlock", app.address))
        .bearer_auth(&admin)
        .json(&json!({"passphrase": KEY_PASSPHRASE}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    let (_, status) = app.call("GET", &admin, "/api/v1/admin/keys", None).await;
    assert_eq!(status["unlocked"], false);

    // The page's form counts the same attempts and says so in both languages.
    let s = sign_in(&app, "admin@alpha.org").await;
    let (_, html) = app.page(&s, "/admin/keys").await;
    let csrf = csrf_of(&html);
    let r = app
        .form(
            &s,
            "/admin/keys/unlock",
            &[("csrf", csrf.as_str()), ("passphrase", KEY_PASSPHRASE)],
        )
        .await;
    assert_eq!(r.status(), 429);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Too many wrong passphrases"));
    let r = app
        .form(
            &format!("{s}; kinga_lang=fr"),
            "/admin/keys/unlock",
            &[("csrf", csrf.as_str()), ("passphrase", KEY_PASSPHRASE)],
        )
        .await;
    assert_eq!(r.status(), 429);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Trop de phrases secrètes erronées"));
    let unlocks = app
        .store
        .audit_trail(&app.org("alpha").await.to_string())
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.entity == "org_keys_access")
        .count();
    assert_eq!(unlocks, 0, "nothing was unlocked");

    // Wrong guesses through the form count too, and one administrator's lockout is theirs.
    let app = spawn().await;
    let s = sign_in(&app, "admin@alpha.org").await;
    let (_, html) = app.page(&s, "/admin/keys").await;
    let csrf = csrf_of(&html);
    for _ in 0..5 {
        let r = app
            .form(
                &s,
                "/admin/keys/unlock",
                &[("csrf", csrf.as_str()), ("passphrase", "a guess")],
            )
            .await;
        assert_eq!(r.status(), 422);
    }
    let admin = app.token("admin@alpha.org").await;
    let (status, _) = app
        .call(
            "POST",
            &admin,
            "/api/v1/admin/keys/unlock",
            Some(json!({"passphrase": KEY_PASSPHRASE})),
        )
        .await;
    assert_eq!(status, 429);
}

#[tokio::test]
async fn the_report_form_explains_bad_fields_in_french_with_the_values_typed() {
    let app = spawn().await;
    let monitor = sign_in(&app, "monitor@alpha.org").await;
    let french = format!("{monitor}; kinga_lang=fr");
    let (_, html) = app.page(&french, "/reports/new").await;
    let csrf = csrf_of(&html);
    let r = submit_form(
        &app,
        &french,
        &[
            ("csrf", csrf.as_str()),
            ("country", "XX"),
            ("occurred_on", "31/12/2013"),
            ("text", "Des maisons brûlées au nord de Bossangoa."),
            ("visibility", "organisation"),
            ("latitude", "100"),
            ("longitude", "17.4"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    for french in [
        "« XX » n&#39;est pas un code de pays ISO 3166-1",
        "« 31/12/2013 » n&#39;est pas une date au format AAAA-MM-JJ",
        "doit être compris entre -90 et 90",
    ] {
        assert!(html.contains(french), "{french}");
    }
    assert!(
        !html.contains("is not"),
        "no English check left on the French page"
    );
}
