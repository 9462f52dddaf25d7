//! Escalation signals over the real server: the JSON list with its filters and errors, and the
//! page with its trend chart, in English and French.
use crate::helpers::PASSWORD;
use chrono::NaiveDate;
use kinga_app::Access;
use kinga_domain::event::{Dataset, Level, NewEvent};
use kinga_domain::org::{NewOrganisation, Slug};
use kinga_domain::period::Period;
use kinga_domain::user::Email;
use kinga_domain::{Country, Role};
use kinga_store::{Actor, EventStore, NewSignal, NewSignalRun, SignalStore};
use kinga_web::{Application, WebOptions};
use std::sync::Arc;

struct App {
    address: String,
    client: reqwest::Client,
    token: String,
    _dir: tempfile::TempDir,
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn caf() -> Country {
    Country::parse("CAF").unwrap()
}

fn signal(admin1: Option<&str>, date: &str, method: &str, observed: f64) -> NewSignal {
    NewSignal {
        country: caf(),
        admin1: admin1.map(str::to_string),
        bucket: Period::Week.index_of(d(date)),
        measure: "events".into(),
        method: method.into(),
        observed,
        expected: 0.5,
        score: 7.5,
        threshold: 3.0,
    }
}

/// A server over a database holding a few events in Ouham and two detect runs.
async fn app_with_signals() -> App {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        kinga_store_sqlite::open(&dir.path().join("kinga.db"))
            .await
            .unwrap(),
    );
    let events: Vec<_> = [
        "2013-08-26",
        "2013-09-02",
        "2013-09-03",
        "2013-09-04",
        "2013-12-02",
    ]
    .iter()
    .enumerate()
    .map(|(i, day)| {
        let mut n = NewEvent::new(Dataset::UcdpGed, format!("t{i}"), d(day), caf());
        n.admin1 = Some("Ouham province".into());
        n.validate().unwrap()
    })
    .collect();
    store
        .upsert_events(&Actor::system("test"), events)
        .await
        .unwrap();
    let run = |level: Level, signals: Vec<NewSignal>| NewSignalRun {
        level,
        period: Period::Week,
        measure: "events".into(),
        dataset: None,
        first_bucket: Period::Week.index_of(d("2012-01-02")),
        last_bucket: Period::Week.index_of(d("2014-01-06")),
        settings: "{}".into(),
        owner: None,
        signals,
    };
    store
        .replace_signals(
            &Actor::system("detect"),
            run(
                Level::Admin1,
                vec![
                    signal(Some("Ouham province"), "2013-09-02", "ewma", 3.0),
                    signal(Some("Bangui province"), "2013-12-02", "cusum", 7.0),
                ],
            ),
        )
        .await
        .unwrap();
    store
        .replace_signals(
            &Actor::system("detect"),
            run(
                Level::Country,
                vec![signal(None, "2013-09-02", "ewma", 4.0)],
            ),
        )
        .await
        .unwrap();

    let access = Arc::new(Access::new(store));
    let sys = access.system("test");
    sys.add_organisation(NewOrganisation::parse("alpha", "ALPHA", Some("CAF"), &[]).unwrap())
        .await
        .unwrap();
    let email = Email::parse("analyst@alpha.org").unwrap();
    sys.add_user(
        Slug::parse("alpha").unwrap(),
        Role::Analyst,
        email.clone(),
        PASSWORD,
        None,
    )
    .await
    .unwrap();
    let token = sys.create_token(&email).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = Application::build(access, listener, WebOptions::default());
    let address = format!("http://{}", server.local_addr().unwrap());
    tokio::spawn(server.run_until_stopped());
    App {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        token,
        _dir: dir,
    }
}

impl App {
    async fn api(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self
            .client
            .get(format!("{}/api/v1{path}", self.address))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or_default())
    }

    /// Signs in through the login form, in `lang`, and returns the session cookies.
    async fn session(&self, lang: &str) -> String {
        let r = self
            .client
            .get(format!("{}/login", self.address))
            .header("accept-language", lang)
            .send()
            .await
            .unwrap();
        let cookie = r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let html = r.text().await.unwrap();
        let csrf = html
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let r = self
            .client
            .post(format!("{}/login", self.address))
            .header("cookie", &cookie)
            .header("accept-language", lang)
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", "analyst@alpha.org"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303);
        r.headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn page(&self, path: &str, lang: &str) -> (u16, String) {
        let cookie = self.session(lang).await;
        let r = self
            .client
            .get(format!("{}{path}", self.address))
            .header("cookie", cookie)
            .header("accept-language", lang)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
}

#[tokio::test]
async fn api_lists_signals_with_filters_and_names_bad_ones() {
    let app = app_with_signals().await;
    let (status, v) = app.api("/signals").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["total"], 3);
    assert_eq!(v["items"][0]["period_start"], "2013-12-02", "newest first");

    let (_, v) = app.api("/signals?level=admin1&method=ewma").await;
    assert_eq!(v["total"], 1);
    let s = &v["items"][0];
    assert_eq!(s["admin1"], "Ouham province");
    assert_eq!(s["country"], "CAF");
    assert_eq!(s["observed"], 3.0);
    assert_eq!(s["expected"], 0.5);
    assert_eq!(s["method"], "ewma");
    assert_eq!(s["level"], "admin1");

    let (_, v) = app
        .api("/signals?country=CAF&admin1=Bangui%20province&from=2013-11-01&to=2013-12-31")
        .await;
    assert_eq!(v["total"], 1);

    let (_, v) = app
        .api("/signals?level=admin1&country=CAF&admin1=Ouham%20province")
        .await;
    let id = v["items"][0]["id"].as_str().unwrap().to_string();
    let (status, v) = app.api(&format!("/signals/{id}/events")).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["signal"]["id"], id.as_str());
    let days: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["date_start"].as_str().unwrap())
        .collect();
    assert_eq!(
        days,
        vec!["2013-09-04", "2013-09-03", "2013-09-02"],
        "the week's events"
    );
    let (status, _) = app.api("/signals/no-such-signal/events").await;
    assert_eq!(status, 404);

    let (status, v) = app.api("/signals?from=2013-13-01&admin1=Ouham").await;
    assert_eq!(status, 422, "{v}");
    let paths: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"$.from") && paths.contains(&"$.admin1"),
        "{v}"
    );

    let r = app
        .client
        .get(format!("{}/api/v1/signals", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn page_lists_signals_and_charts_the_chosen_region_in_both_languages() {
    let app = app_with_signals().await;
    let (status, html) = app.page("/signals", "en").await;
    assert_eq!(status, 200);
    assert!(html.contains("Escalation signals"));
    assert_eq!(html.matches("data-signal-row=\"CAF\"").count(), 3);
    assert!(
        !html.contains("data-testid=\"signal-chart\""),
        "no region, no chart"
    );

    let (_, html) = app
        .page(
            "/signals?country=CAF&admin1=Ouham%20province&period=week&level=admin1",
            "en",
        )
        .await;
    assert!(html.contains("data-testid=\"signal-chart\""), "{html}");
    assert_eq!(
        html.matches("data-signal=\"1\"").count(),
        1,
        "one signalled week"
    );
    assert!(html.contains("Ouham province, Central African Republic"));
    // The week of 2013-09-02 holds three events: its bar is labelled with them.
    assert!(html.contains("2013-09-02: 3"), "{html}");
    assert_eq!(html.matches("data-signal-row=\"CAF\"").count(), 1);
    assert!(html.contains("data-testid=\"signal-events\""));
    assert!(html.contains("ucdp-ged:t1"), "the week's events are listed");
    assert!(!html.contains("ucdp-ged:t4"), "not those of other weeks");

    let (_, html) = app.page("/signals?country=CAF&level=country", "fr").await;
    assert!(html.contains("Signaux d"), "French page");
    assert!(html.contains("tout le pays"));
    assert!(html.contains("data-testid=\"signal-chart\""));

    let (_, html) = app.page("/signals?from=nope", "en").await;
    assert!(html.contains("data-testid=\"filter-errors\""));
}

impl App {
    async fn incident(&self, admin1: &str, date: &str) -> String {
        let r = self
            .client
            .post(format!("{}/api/v1/incidents", self.address))
            .bearer_auth(&self.token)
            .json(&serde_json::json!({
                "title": format!("Attack in {admin1}"), "country": "CAF",
                "date_start": date, "admin1": admin1, "crimes": ["war_crimes"],
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
        let body: serde_json::Value = r.json().await.unwrap();
        body["id"].as_str().unwrap().to_string()
    }
}

/// The incident page's signal panel, alone (the rest of the page names the country too), with
/// the escapes of `&` and `'` read back.
fn signal_panel(html: &str) -> String {
    let start = html
        .find("data-testid=\"incident-signals\"")
        .expect("the incident page has a signal panel");
    let rest = &html[start..];
    rest[..rest.find("</section>").unwrap()]
        .replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
}

#[tokio::test]
async fn an_incident_shows_the_signals_of_its_region_around_its_dates() {
    let app = app_with_signals().await;
    // Window 2013-09-21 to 2014-01-19: Bangui's December signal, not the country's of
    // September (too early) nor Ouham's (another province).
    let bangui = app.incident("Bangui province", "2013-12-20").await;
    let (status, json) = app.api(&format!("/incidents/{bangui}")).await;
    assert_eq!(status, 200, "{json}");
    let listed: Vec<(String, String)> = json["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["admin1"].as_str().unwrap_or("-").to_string(),
                s["period_start"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        vec![("Bangui province".to_string(), "2013-12-02".to_string())]
    );

    // Window 2013-07-17 to 2013-11-14: Ouham's and the country's September signals.
    let ouham = app.incident("Ouham province", "2013-10-15").await;
    let (_, json) = app.api(&format!("/incidents/{ouham}")).await;
    let mut levels: Vec<&str> = json["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["level"].as_str().unwrap())
        .collect();
    levels.sort();
    assert_eq!(levels, vec!["admin1", "country"], "{json}");
    assert!(json["signals"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["admin1"].is_null() || s["admin1"] == "Ouham province"));

    let (status, html) = app.page(&format!("/incidents/{bangui}"), "en").await;
    assert_eq!(status, 200);
    let panel = signal_panel(&html);
    assert!(
        panel.contains("Escalation signals in this region"),
        "{panel}"
    );
    assert!(panel.contains("90 days before the incident to 30 days after"));
    assert!(panel.contains("2013-12-02 (Week)"), "{panel}");
    assert!(panel.contains("Bangui province"));
    assert!(!panel.contains("2013-09-02"), "{panel}");
    assert!(!panel.contains("Ouham province"), "{panel}");
    assert!(
        panel.contains(
            "/signals?country=CAF&admin1=Bangui%20province&from=2013-09-21&to=2014-01-19"
        ),
        "{panel}"
    );

    let (_, html) = app.page(&format!("/incidents/{ouham}"), "fr").await;
    let panel = signal_panel(&html);
    assert!(
        panel.contains("Signaux d'escalade dans cette région"),
        "{panel}"
    );
    assert!(panel.contains("90 jours avant l"), "{panel}");
    assert!(panel.contains("2013-09-02 (Semaine)"), "{panel}");
    assert!(panel.contains("Ouham province"));
    // The country-level signal is named by its country.
    assert!(panel.contains("Central African Republic"), "{panel}");
    assert!(!panel.contains("Bangui province"), "{panel}");

    // An incident far from every signal says so.
    let quiet = app.incident("Ouham province", "2015-06-01").await;
    let (_, json) = app.api(&format!("/incidents/{quiet}")).await;
    assert_eq!(json["signals"], serde_json::json!([]));
    let (_, html) = app.page(&format!("/incidents/{quiet}"), "fr").await;
    let panel = signal_panel(&html);
    assert!(
        panel.contains("Aucun signal d'escalade dans cette région"),
        "{panel}"
    );
    assert!(!panel.contains("signal-list"), "{panel}");
}
