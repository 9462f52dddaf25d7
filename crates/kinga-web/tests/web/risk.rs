//! Atrocity risk over the real server: the Framework reference, assessments with versions,
//! sign-off by a second analyst, the diff, classes with overrides, the country page, and the
//! scoring form saving one indicator at a time, in English and French.
use crate::helpers::{self, csrf_of, session_of, sign_in_form, spawn_app, TestApp, PASSWORD};
use kinga_domain::org::Slug;
use kinga_domain::user::Email;
use kinga_domain::Role;
use serde_json::{json, Value};

async fn add_user(app: &TestApp, org: &str, role: Role, email: &str) {
    app.access
        .system("test")
        .add_user(
            Slug::parse(org).unwrap(),
            role,
            Email::parse(email).unwrap(),
            PASSWORD,
            None,
        )
        .await
        .unwrap();
}

/// Signs in through the login form and returns the session cookie.
async fn session(app: &TestApp, email: &str) -> String {
    session_of(&sign_in_form(&app.client, &app.address, email).await)
}

async fn page(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    helpers::page(&app.client, &app.address, cookie, path).await
}

async fn delete(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let r = app
        .client
        .delete(format!("{}{path}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn paths(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["path"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn assessments_version_sign_off_diff_and_class() {
    let app = spawn_app().await;
    add_user(&app, "alpha", Role::Analyst, "analyst2@alpha.org").await;
    add_user(&app, "alpha", Role::Coordinator, "coordinator@alpha.org").await;
    let a1 = app.token("analyst@alpha.org").await;
    let a2 = app.token("analyst2@alpha.org").await;
    let coord = app.token("coordinator@alpha.org").await;
    let observer = app.token("observer@alpha.org").await;
    let partner = app.token("analyst@bravo.org").await;
    let outsider = app.token("analyst@charlie.org").await;

    // The Framework as reference data, with its gaps said out loud.
    let (s, fw) = app.get(&observer, "/api/v1/risk/framework").await;
    assert_eq!(s, 200);
    assert_eq!(fw["factors"].as_array().unwrap().len(), 14);
    assert_eq!(fw["complete"], false);
    assert_eq!(fw["indicators_listed"], 110);
    assert_eq!(fw["factors"][10]["completeness"], "partial");
    assert!(fw["factors"][10]["gap_fr"]
        .as_str()
        .unwrap()
        .contains("11.1"));

    // Only analysts open assessments; bad input names the field.
    let body = json!({"country": "CAF", "assessed_on": "2026-11-20", "visibility": "network", "situation": "Ouham"});
    let (s, _) = app.post(&observer, "/api/v1/assessments", &body).await;
    assert_eq!(s, 403);
    let (s, e) = app
        .post(
            &a1,
            "/api/v1/assessments",
            &json!({"country": "XXX", "assessed_on": "20 Nov"}),
        )
        .await;
    assert_eq!(s, 422);
    assert!(paths(&e).contains(&"$.country".to_string()), "{e}");
    assert!(paths(&e).contains(&"$.assessed_on".to_string()), "{e}");
    let (s, a) = app.post(&a1, "/api/v1/assessments", &body).await;
    assert_eq!(s, 201, "{a}");
    let id = a["id"].as_str().unwrap().to_string();
    assert_eq!(a["version"], 0);

    // Scores: each save a version; a score needs a confidence; unknown indicators are refused.
    let url = format!("/api/v1/assessments/{id}/scores");
    let (s, e) = app
        .post(&a1, &url, &json!({"indicator": "7.3", "score": 2}))
        .await;
    assert_eq!(s, 422);
    assert_eq!(paths(&e), vec!["$.confidence"]);
    let (s, e) = app
        .post(
            &a1,
            &url,
            &json!({"indicator": "11.2", "score": 2, "confidence": "low"}),
        )
        .await;
    assert_eq!(s, 422, "11.2 is not in Kinga's list: {e}");
    for (n, no) in ["1.1", "2.1", "3.1", "4.1", "5.1"].iter().enumerate() {
        let (s, r) = app
            .post(
                &a1,
                &url,
                &json!({"indicator": no, "score": 2, "confidence": "high"}),
            )
            .await;
        assert_eq!(s, 201);
        assert_eq!(r["assessment_version"], n + 1);
    }
    let (s, _) = app
        .post(&a1, &url, &json!({"indicator": "13.6", "score": "3", "confidence": "medium", "note": "Curfew on Fulani quarters"}))
        .await;
    assert_eq!(s, 201);
    // A partner in the network reads; it may not write.
    let (s, _) = app
        .post(
            &partner,
            &url,
            &json!({"indicator": "8.1", "score": 1, "confidence": "low"}),
        )
        .await;
    assert_eq!(s, 409);

    let (s, d) = app
        .get(&partner, &format!("/api/v1/assessments/{id}"))
        .await;
    assert_eq!(s, 200);
    assert_eq!(d["version"], 6);
    assert_eq!(d["scores"].as_array().unwrap().len(), 6);
    assert_eq!(d["summary_rule"]["band"], "high");
    assert_eq!(d["summary_rule"]["specific_max"], 3);
    assert_eq!(d["scores"][0]["organisation"], "alpha");
    let (s, _) = app
        .get(&outsider, &format!("/api/v1/assessments/{id}"))
        .await;
    assert_eq!(s, 404);
    let (_, v1) = app
        .get(&a1, &format!("/api/v1/assessments/{id}?version=1"))
        .await;
    assert_eq!(v1["shown_version"], 1);
    assert_eq!(v1["scores"].as_array().unwrap().len(), 1);
    assert_eq!(v1["summary_rule"]["band"], "insufficient");

    // The diff of the last save, and of version 1 against the latest.
    let (s, diff) = app
        .get(&a1, &format!("/api/v1/assessments/{id}/diff"))
        .await;
    assert_eq!(s, 200);
    let changes = diff["changes"]["indicators"].as_array().unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["indicator"], "13.6");
    assert_eq!(changes[0]["after"], 3);
    let (_, diff) = app
        .get(
            &a1,
            &format!("/api/v1/assessments/{id}/diff?against_version=1"),
        )
        .await;
    assert_eq!(diff["changes"]["indicators"].as_array().unwrap().len(), 5);
    assert_eq!(diff["changes"]["band_before"], "insufficient");
    assert_eq!(diff["changes"]["band_after"], "high");

    // Evidence links, and their withdrawal, are versions too.
    let (s, l) = app
        .post(&a1, &format!("/api/v1/assessments/{id}/links"), &json!({"indicator": "13.6", "kind": "document", "target": "https://example.org/curfew"}))
        .await;
    assert_eq!(s, 201);
    assert_eq!(l["assessment_version"], 7);
    let (s, e) = app
        .post(
            &a1,
            &format!("/api/v1/assessments/{id}/links"),
            &json!({"indicator": "13.6", "kind": "document", "target": "not a url"}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(paths(&e), vec!["$.target"]);
    let (s, after) = delete(
        &app,
        &a1,
        &format!(
            "/api/v1/assessments/{id}/links/{}",
            l["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(after["version"], 8);

    // Before the sign-off, the rule caps the unsigned assessment at serious concern.
    let (_, c) = app.get(&a1, "/api/v1/countries/CAF/risk").await;
    assert_eq!(c["computed"]["class"], "serious_concern");
    assert!(c["computed"]["reasons"]
        .as_array()
        .unwrap()
        .contains(&json!("assessment.unsigned_capped")));

    // Sign-off: never by the author, and by a second analyst it makes the class a crisis.
    let so = format!("/api/v1/assessments/{id}/signoff");
    let (s, _) = app.post(&a1, &so, &json!({"version": 8})).await;
    assert_eq!(s, 409);
    let (s, _) = app.post(&observer, &so, &json!({"version": 8})).await;
    assert_eq!(s, 403);
    let (s, e) = app.post(&a2, &so, &json!({})).await;
    assert_eq!(s, 422, "{e}");
    let (s, r) = app
        .post(&a2, &so, &json!({"version": 8, "note": "Checked"}))
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["class"], "current_crisis");

    let (_, c) = app.get(&partner, "/api/v1/countries/CAF/risk").await;
    assert_eq!(c["current"], "current_crisis");
    assert_eq!(c["current_decision"], "rule");
    assert_eq!(c["assessment_signed_off"], true);
    let (_, c) = app.get(&outsider, "/api/v1/countries/CAF/risk").await;
    assert_eq!(c["current"], Value::Null);
    assert_eq!(c["computed"]["class"], "none");

    // Overrides need a rationale, are for analysts and coordinators, and stand until withdrawn.
    let cls = "/api/v1/countries/CAF/class";
    let (s, _) = app
        .post(
            &observer,
            cls,
            &json!({"class": "imminent_risk", "rationale": "long enough reason"}),
        )
        .await;
    assert_eq!(s, 403);
    let (s, e) = app
        .post(&coord, cls, &json!({"class": "imminent_risk"}))
        .await;
    assert_eq!(s, 422);
    assert_eq!(paths(&e), vec!["$.rationale"]);
    let (s, _) = app
        .post(&coord, cls, &json!({"class": "imminent_risk", "rationale": "Killings stopped after the MINUSCA deployment", "visibility": "network"}))
        .await;
    assert_eq!(s, 201);
    let (_, c) = app.get(&partner, "/api/v1/countries/CAF/risk").await;
    assert_eq!(c["current"], "imminent_risk");
    assert_eq!(c["current_decision"], "override");
    let (s, _) = app
        .post(&coord, cls, &json!({"withdraw": true, "rationale": "Superseded by the new assessment", "visibility": "network"}))
        .await;
    assert_eq!(s, 201);
    let (_, c) = app.get(&partner, "/api/v1/countries/CAF/risk").await;
    assert_eq!(c["current"], "current_crisis");
    let decisions: Vec<&str> = c["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["decision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, vec!["rule", "override", "withdraw"]);

    // Listing by country, and unknown countries.
    let (_, list) = app.get(&partner, "/api/v1/assessments?country=CAF").await;
    assert_eq!(list["total"], 1);
    let (s, _) = app.get(&partner, "/api/v1/assessments?country=ZZZ").await;
    assert_eq!(s, 422);
    let (s, _) = app.get(&partner, "/api/v1/countries/ZZZ/risk").await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn the_form_saves_each_indicator_and_the_pages_speak_both_languages() {
    let app = spawn_app().await;
    add_user(&app, "alpha", Role::Analyst, "analyst2@alpha.org").await;
    let cookie = session(&app, "analyst@alpha.org").await;

    // Open an assessment through the form.
    let (s, html) = page(&app, &cookie, "/assessments/new?country=CAF").await;
    assert_eq!(s, 200);
    let csrf = csrf_of(&html);
    let r = app
        .client
        .post(format!("{}/assessments/new", app.address))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("country", "CAF"),
            ("assessed_on", "2026-11-01"),
            ("visibility", "organisation"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let edit = r.headers()["location"].to_str().unwrap().to_string();
    let id = edit
        .trim_start_matches("/assessments/")
        .trim_end_matches("/edit")
        .to_string();

    // Every listed indicator is a row of radio buttons; partial factors say so.
    let (s, html) = page(&app, &cookie, &edit).await;
    assert_eq!(s, 200);
    assert_eq!(html.matches("class=\"indicator-row\"").count(), 110);
    assert_eq!(
        html.matches("type=\"radio\" name=\"score\"").count(),
        110 * 5
    );
    assert!(html.contains("data-testid=\"framework-incomplete\""));
    assert!(html.contains("hx-trigger=\"change delay:300ms\" hx-sync=\"this:queue last\""));

    // One htmx save answers with the row's status line; a bad one with its error, still 200.
    let save = |score: &'static str, confidence: &'static str, htmx: bool| {
        let mut req = app
            .client
            .post(format!("{}/assessments/{id}/scores", app.address))
            .header("cookie", &cookie)
            .form(&[
                ("csrf", csrf.as_str()),
                ("indicator", "9.4"),
                ("score", score),
                ("confidence", confidence),
                ("note", ""),
            ]);
        if htmx {
            req = req.header("HX-Request", "true");
        }
        req.send()
    };
    let r = save("3", "high", true).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("data-testid=\"row-saved\"") && text.contains("version 1"),
        "{text}"
    );
    let r = save("7", "high", true).await.unwrap();
    let text = r.text().await.unwrap();
    assert!(text.contains("data-testid=\"row-error\""), "{text}");
    // Without htmx the form goes back to the row; "not assessed" needs no confidence.
    let r = save("not_assessed", "medium", false).await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .ends_with("#i-9-4"));

    // The assessment page shows versions; the author gets no sign-off form, a colleague does.
    let (_, html) = page(&app, &cookie, &format!("/assessments/{id}?version=1")).await;
    assert!(
        html.contains("data-testid=\"score-9.4\" data-score=\"3\""),
        "version 1 keeps the 3"
    );
    assert!(!html.contains("signoff-form"));
    let other = session(&app, "analyst2@alpha.org").await;
    let (_, html) = page(&app, &other, &format!("/assessments/{id}")).await;
    assert!(html.contains("data-testid=\"score-9.4\" data-score=\"not_assessed\""));
    assert!(html.contains("signoff-form"));
    let csrf2 = csrf_of(&html);
    let r = app
        .client
        .post(format!("{}/assessments/{id}/signoff", app.address))
        .header("cookie", &other)
        .form(&[("csrf", csrf2.as_str()), ("version", "2")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = page(&app, &other, &format!("/assessments/{id}?version=2")).await;
    assert!(html.contains("data-testid=\"signed\""));

    // The diff page and the country page, in French.
    let (s, html) = page(
        &app,
        &cookie,
        &format!("/assessments/{id}/diff?version=2&against_version=1"),
    )
    .await;
    assert_eq!(s, 200);
    assert!(html.contains("data-testid=\"change-9.4\""));
    let fr = format!("{cookie}; kinga_lang=fr");
    let (s, html) = page(&app, &fr, "/countries/CAF").await;
    assert_eq!(s, 200);
    assert!(html.contains("Classe de risque"), "French country page");
    assert!(html.contains("data-testid=\"class-computed\" data-class=\"none\""));
    assert!(html.contains("Aucune prévision statistique"));
    assert!(html.contains("data-testid=\"no-signals\""));
    let (_, html) = page(&app, &fr, &edit).await;
    assert!(
        html.contains("Conflit armé international ou interne."),
        "French labels"
    );
    let (_, html) = page(&app, &cookie, "/countries").await;
    assert!(html.contains("/countries/CAF"));

    // A monitor may read the country page but has no assessment form.
    let monitor = session(&app, "monitor@alpha.org").await;
    let (s, _) = page(&app, &monitor, "/assessments/new").await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn a_stored_forecast_explains_itself_in_plain_words_in_both_languages() {
    use kinga_domain::risk::{FactorContribution, NewForecast};
    let app = spawn_app().await;
    let factor = |name: &str, contribution: f64| FactorContribution {
        name: name.into(),
        contribution,
    };
    app.store
        .save_forecasts(
            &kinga_store::Actor::system("risk-forecast"),
            vec![NewForecast {
                country: kinga_domain::Country::parse("CAF").unwrap(),
                year: 2024,
                probability: 0.052,
                rank: Some(12),
                model:
                    "elastic-net alpha 0.5 lambda 0.003, with the yearly change of 23 predictors"
                        .into(),
                provenance: json!({}),
                top_factors: vec![
                    factor("battledeaths.log2.change", 0.61),
                    factor("pol_killing_approved", 0.47),
                    factor("widetargeting", 0.2),
                ],
                visibility: kinga_domain::Visibility::Public,
            }],
        )
        .await
        .unwrap();
    let cookie = session(&app, "monitor@alpha.org").await;
    let (s, html) = page(&app, &cookie, "/countries/CAF").await;
    assert_eq!(s, 200);
    assert!(html.contains("5.2"), "the probability is shown");
    assert!(html.contains("with the yearly change of 23 predictors"));
    for shown in [
        "Battle deaths (log): change since the year before",
        "Political killings approved by the top leaders",
        "<code class=\"muted\">battledeaths.log2.change</code>",
        // No label is invented for a column whose coding is not documented.
        "<td>widetargeting <code",
    ] {
        assert!(html.contains(shown), "{shown}");
    }
    let (_, html) = page(&app, &format!("{cookie}; kinga_lang=fr"), "/countries/CAF").await;
    assert!(
        html.contains("Morts au combat (log) : évolution depuis l&#39;année précédente"),
        "French labels"
    );
    assert!(html.contains("Assassinats politiques approuvés au sommet de l"));
}
