//! The events an incident cites, over the real server: the JSON API (list, cite, remove,
//! suggestions, the incidents citing an event) with its errors and the organisations that may
//! not see a licensed row, and the htmx panel of the incident page in English and French.
use crate::helpers::{
    add_organisations, add_users, call_json, csrf_of, page, serve, session_of, sign_in_form,
    sqlite_store, token,
};
use chrono::NaiveDate;
use kinga_app::Access;
use kinga_domain::event::{Dataset, Event, NewEvent};
use kinga_domain::vocab::ucdp::ViolenceType;
use kinga_domain::{Country, Role};
use kinga_store::Actor;
use kinga_web::WebOptions;
use serde_json::{json, Value};
use std::sync::Arc;

struct App {
    address: String,
    client: reqwest::Client,
    access: Arc<Access>,
    _dir: tempfile::TempDir,
}

fn event(dataset: Dataset, id: &str, date: &str, admin1: &str, best: u32) -> Event {
    let day = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    let mut n = NewEvent::new(dataset, id, day, Country::parse("CAF").unwrap());
    n.admin1 = Some(admin1.into());
    n.place_name = Some("Bossangoa".into());
    n.violence_type = Some(ViolenceType::OneSided);
    n.actor1 = Some("Anti-balaka".into());
    n.fatalities.best = Some(best);
    n.validate().unwrap()
}

/// Alpha and bravo share a network, charlie does not; each has an analyst, alpha a monitor.
/// The database holds UCDP rows around 5 December 2013 in Ouham, and one ACLED row that alpha
/// imported under its own licence.
async fn app() -> App {
    let (store, dir) = sqlite_store().await;
    let access = Arc::new(Access::new(store.clone()));
    let sys = access.system("test");
    let orgs = add_organisations(&sys).await;
    add_users(
        &sys,
        &[
            ("alpha", Role::Analyst),
            ("alpha", Role::Monitor),
            ("bravo", Role::Analyst),
            ("charlie", Role::Analyst),
        ],
    )
    .await;
    store
        .upsert_events(
            &Actor::system("test"),
            vec![
                event(Dataset::UcdpGed, "401", "2013-12-05", "Ouham", 60),
                event(Dataset::UcdpGed, "402", "2013-12-07", "Ouham", 5),
                event(Dataset::UcdpGed, "403", "2013-12-30", "Ouham", 7),
            ],
        )
        .await
        .unwrap();
    let alpha = &orgs[0];
    store
        .upsert_events(
            &Actor::system("test").acting_for(alpha.id, alpha.slug.clone()),
            vec![event(Dataset::Acled, "CEN77", "2013-12-05", "Ouham", 20)],
        )
        .await
        .unwrap();
    let (address, client) = serve(access.clone(), WebOptions::default()).await;
    App {
        address,
        client,
        access,
        _dir: dir,
    }
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
        let url = format!("{}/api/v1{path}", self.address);
        call_json(&self.client, method, url, token, body).await
    }

    /// Cites an event for the incident.
    async fn cite(&self, token: &str, incident: &str, body: Value) -> (u16, Value) {
        let path = format!("/incidents/{incident}/events");
        self.call("POST", token, &path, Some(body)).await
    }

    /// The events the incident cites.
    async fn cited(&self, token: &str, incident: &str) -> (u16, Value) {
        let path = format!("/incidents/{incident}/events");
        self.call("GET", token, &path, None).await
    }

    /// An incident of alpha, shared with its network, on 5 December 2013 in Ouham.
    async fn incident(&self, token: &str) -> String {
        let (status, created) = self
            .call(
                "POST",
                token,
                "/incidents",
                Some(json!({
                    "title": "Attack on Bossangoa", "country": "CAF", "date_start": "2013-12-05",
                    "admin1": "Ouham", "visibility": "network", "fatalities_best": 55
                })),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        created["id"].as_str().unwrap().to_string()
    }

    async fn session(&self, email: &str) -> String {
        session_of(&sign_in_form(&self.client, &self.address, email).await)
    }

    async fn page(&self, cookie: &str, path: &str) -> (u16, String) {
        page(&self.client, &self.address, cookie, path).await
    }

    async fn form(
        &self,
        cookie: &str,
        path: &str,
        fields: &[(&str, &str)],
        htmx: bool,
    ) -> (u16, String, Option<String>) {
        let mut req = self
            .client
            .post(format!("{}{path}", self.address))
            .header("cookie", cookie)
            .form(fields);
        if htmx {
            req = req.header("HX-Request", "true");
        }
        let r = req.send().await.unwrap();
        let location = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        (r.status().as_u16(), r.text().await.unwrap(), location)
    }
}

fn event_ids(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["event_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn analysts_cite_events_and_other_organisations_see_only_what_they_may() {
    let app = app().await;
    let alpha = app.token("analyst@alpha.org").await;
    let monitor = app.token("monitor@alpha.org").await;
    let bravo = app.token("analyst@bravo.org").await;
    let charlie = app.token("analyst@charlie.org").await;
    let id = app.incident(&alpha).await;

    // Suggestions: same dates first, deadliest first among them; the event weeks later waits
    // for a wider window.
    let (status, s) = app
        .call(
            "GET",
            &alpha,
            &format!("/incidents/{id}/event-suggestions"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["days"], 3);
    assert_eq!(
        event_ids(&s),
        vec!["ucdp-ged:401", "acled:CEN77", "ucdp-ged:402"]
    );
    assert_eq!(s["items"][2]["days_apart"], 2);
    assert_eq!(s["items"][0]["event"]["fatalities"]["best"], 60);
    let (_, wide) = app
        .call(
            "GET",
            &alpha,
            &format!("/incidents/{id}/event-suggestions?days=30&limit=10"),
            None,
        )
        .await;
    assert_eq!(
        event_ids(&wide).last().map(String::as_str),
        Some("ucdp-ged:403")
    );
    let (status, bad) = app
        .call(
            "GET",
            &alpha,
            &format!("/incidents/{id}/event-suggestions?days=many"),
            None,
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(bad["errors"][0]["path"], "$.days");
    let (_, peer) = app
        .call(
            "GET",
            &bravo,
            &format!("/incidents/{id}/event-suggestions"),
            None,
        )
        .await;
    assert_eq!(
        event_ids(&peer),
        vec!["ucdp-ged:401", "ucdp-ged:402"],
        "alpha's ACLED row is not bravo's to see"
    );

    // Citing: analysts of the owning organisation only.
    let (status, cited) = app
        .cite(
            &alpha,
            &id,
            json!({"event": "ucdp-ged:401", "note": "Same village, same day"}),
        )
        .await;
    assert_eq!(status, 201, "{cited}");
    assert_eq!(cited["event_id"], "ucdp-ged:401");
    assert_eq!(cited["cited_by"], "analyst@alpha.org");
    assert_eq!(cited["event"]["admin1"], "Ouham");
    let (status, _) = app.cite(&alpha, &id, json!({"event": "acled:CEN77"})).await;
    assert_eq!(status, 201);
    let (status, again) = app
        .cite(&alpha, &id, json!({"event": "ucdp-ged:401"}))
        .await;
    assert_eq!(status, 409, "{again}");
    for (body, path) in [
        (json!({"event": "36210"}), "$.event"),
        (json!({}), "$.event"),
        (json!({"event": "ucdp-ged:999"}), "$.event"),
        (
            json!({"event": "ucdp-ged:402", "note": "x".repeat(2001)}),
            "$.note",
        ),
    ] {
        let (status, problem) = app.cite(&alpha, &id, body.clone()).await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert_eq!(problem["errors"][0]["path"], path, "{problem}");
    }
    let (status, _) = app
        .cite(&monitor, &id, json!({"event": "ucdp-ged:402"}))
        .await;
    assert_eq!(status, 403, "monitors do not code incidents");
    let (status, _) = app
        .cite(&bravo, &id, json!({"event": "ucdp-ged:402"}))
        .await;
    assert_eq!(
        status, 409,
        "a network peer may read, not code, alpha's incident"
    );
    let (status, _) = app
        .cite(&charlie, &id, json!({"event": "ucdp-ged:402"}))
        .await;
    assert_eq!(status, 404);

    // Lists.
    let (status, mine) = app.cited(&alpha, &id).await;
    assert_eq!(status, 200);
    assert_eq!(event_ids(&mine), vec!["ucdp-ged:401", "acled:CEN77"]);
    assert_eq!(mine["items"][0]["note"], "Same village, same day");
    let (_, theirs) = app.cited(&bravo, &id).await;
    assert_eq!(event_ids(&theirs), vec!["ucdp-ged:401"]);
    let (status, _) = app.cited(&charlie, &id).await;
    assert_eq!(status, 404);
    let (_, after) = app
        .call(
            "GET",
            &alpha,
            &format!("/incidents/{id}/event-suggestions"),
            None,
        )
        .await;
    assert_eq!(
        event_ids(&after),
        vec!["ucdp-ged:402"],
        "cited events are not suggested"
    );

    // From the event's side.
    let (status, citing) = app
        .call("GET", &bravo, "/events/ucdp-ged:401/incidents", None)
        .await;
    assert_eq!(status, 200, "{citing}");
    assert_eq!(citing["items"][0]["incident_id"], id.as_str());
    assert_eq!(citing["items"][0]["organisation"], "alpha");
    let (status, _) = app
        .call("GET", &bravo, "/events/acled:CEN77/incidents", None)
        .await;
    assert_eq!(status, 404);

    // Removing.
    let (status, _) = app
        .call(
            "DELETE",
            &bravo,
            &format!("/incidents/{id}/events/ucdp-ged:401"),
            None,
        )
        .await;
    assert_eq!(status, 409);
    let (status, removed) = app
        .call(
            "DELETE",
            &alpha,
            &format!("/incidents/{id}/events/ucdp-ged%3A401"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{removed}");
    assert_eq!(removed["removed"]["event_id"], "ucdp-ged:401");
    let (status, _) = app
        .call(
            "DELETE",
            &alpha,
            &format!("/incidents/{id}/events/ucdp-ged:401"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (_, mine) = app.cited(&alpha, &id).await;
    assert_eq!(event_ids(&mine), vec!["acled:CEN77"]);
}

#[tokio::test]
async fn the_incident_page_panel_cites_with_htmx_and_without() {
    let app = app().await;
    let alpha = app.token("analyst@alpha.org").await;
    let id = app.incident(&alpha).await;
    let cookie = app.session("analyst@alpha.org").await;

    // The incident page loads the panel by htmx, with a plain link for browsers without it.
    let (status, html) = app.page(&cookie, &format!("/incidents/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("hx-get=\"/incidents/{id}/events?fragment=1\"")));

    let (status, panel) = app
        .page(&cookie, &format!("/incidents/{id}/events?fragment=1"))
        .await;
    assert_eq!(status, 200);
    assert!(panel.contains("data-testid=\"no-cited-events\""), "{panel}");
    assert!(!panel.contains("<html"), "a fragment, not a page");
    let suggestions = panel
        .split("data-testid=\"event-suggestions\"")
        .nth(1)
        .expect("suggestions are listed");
    let first = suggestions.find("ucdp-ged:401").unwrap();
    let acled = suggestions.find("acled:CEN77").unwrap();
    let later = suggestions.find("ucdp-ged:402").unwrap();
    assert!(first < acled && acled < later, "nearest then deadliest");
    assert!(!suggestions.contains("ucdp-ged:403"));
    let csrf = csrf_of(&panel);

    // The cite button, through htmx: the panel comes back with the event cited.
    let (status, panel, _) = app
        .form(
            &cookie,
            &format!("/incidents/{id}/events"),
            &[("csrf", &csrf), ("event", "ucdp-ged:401"), ("days", "3")],
            true,
        )
        .await;
    assert_eq!(status, 200);
    assert!(panel.contains("data-testid=\"cited-notice\""), "{panel}");
    let cited = panel
        .split("data-testid=\"cited-events\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert!(cited.contains("ucdp-ged:401"));
    assert!(cited.contains("analyst@alpha.org"));

    // A mistyped event is explained in place.
    let (status, panel, _) = app
        .form(
            &cookie,
            &format!("/incidents/{id}/events"),
            &[
                ("csrf", &csrf),
                ("event", "ucdp-ged:nope"),
                ("note", "kept"),
            ],
            true,
        )
        .await;
    assert_eq!(status, 200);
    assert!(panel.contains("data-testid=\"cited-error\""), "{panel}");
    assert!(panel.contains("value=\"kept\""), "what was typed stays");

    // Without JavaScript: a plain post goes to the panel's own page.
    let (status, _, location) = app
        .form(
            &cookie,
            &format!("/incidents/{id}/events"),
            &[
                ("csrf", &csrf),
                ("event", "ucdp-ged:402"),
                ("note", "two days later"),
            ],
            false,
        )
        .await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    assert!(location.starts_with(&format!("/incidents/{id}/events?notice=added")));
    let (status, page) = app.page(&cookie, &location).await;
    assert_eq!(status, 200);
    assert!(page.contains("two days later") && page.contains("<html"));
    let (status, _, _) = app
        .form(
            &cookie,
            &format!("/incidents/{id}/events"),
            &[("csrf", &csrf), ("event", "nonsense")],
            false,
        )
        .await;
    assert_eq!(status, 422);

    // Removing, and a forged form.
    let (status, panel, _) = app
        .form(
            &cookie,
            &format!("/incidents/{id}/events/remove"),
            &[("csrf", &csrf), ("event", "ucdp-ged:401")],
            true,
        )
        .await;
    assert_eq!(status, 200);
    let cited = panel
        .split("data-testid=\"cited-events\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert!(!cited.contains("ucdp-ged:401") && cited.contains("ucdp-ged:402"));
    let (status, _, _) = app
        .form(
            &cookie,
            &format!("/incidents/{id}/events/remove"),
            &[("csrf", "forged"), ("event", "ucdp-ged:402")],
            true,
        )
        .await;
    assert_eq!(status, 403);

    // French, and a reader of another organisation: no cite buttons, the incident's owner's
    // licensed row not shown.
    let (_, fr) = app
        .page(
            &format!("{cookie}; kinga_lang=fr"),
            &format!("/incidents/{id}/events?fragment=1"),
        )
        .await;
    assert!(fr.contains("Événements suggérés"), "{fr}");
    let bravo = app.session("analyst@bravo.org").await;
    let (status, panel) = app
        .page(&bravo, &format!("/incidents/{id}/events?fragment=1"))
        .await;
    assert_eq!(status, 200);
    assert!(!panel.contains("data-testid=\"cite\""));
    assert!(!panel.contains("cite-form"));
    assert!(!panel.contains("CEN77"));
    let charlie = app.session("analyst@charlie.org").await;
    let (status, _) = app
        .page(&charlie, &format!("/incidents/{id}/events?fragment=1"))
        .await;
    assert_eq!(status, 404);
}
