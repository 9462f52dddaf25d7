//! The sign-in state machine taken as an attacker would: every step after the password (second
//! factor, enrolment, sign-out) tried out of order, without its CSRF token, with a forged or
//! missing session, and twice at once.
use crate::helpers::{csrf_of, enrol_form, session_of, sign_in_form, spawn_app, TestApp};

const ADMIN: &str = "admin@alpha.org";

async fn get(app: &TestApp, session: &str, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.address))
        .header("cookie", session)
        .send()
        .await
        .unwrap()
}

async fn post(
    app: &TestApp,
    session: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    app.client
        .post(format!("{}{path}", app.address))
        .header("cookie", session)
        .form(fields)
        .send()
        .await
        .unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The CSRF token of the session's second-factor page.
async fn second_factor_csrf(app: &TestApp, session: &str) -> String {
    let page = get(app, session, "/login/second-factor").await;
    csrf_of(&page.text().await.unwrap())
}

/// Posts `code` to the second-factor form with the session's CSRF token.
async fn prove(app: &TestApp, session: &str, code: &str) -> reqwest::Response {
    let csrf = second_factor_csrf(app, session).await;
    post(
        app,
        session,
        "/login/second-factor",
        &[("csrf", &csrf), ("code", code)],
    )
    .await
}

/// The administrator signs in and enrols a second factor; the answer is its secret.
async fn admin_with_second_factor(app: &TestApp) -> String {
    let r = sign_in_form(&app.client, &app.address, ADMIN).await;
    assert_eq!(location(&r), "/login/enrol");
    let (r, secret) = enrol_form(&app.client, &app.address, &session_of(&r)).await;
    assert_eq!(location(&r), "/incidents");
    secret
}

/// A fresh password-only session of the administrator, who has a second factor.
async fn half_session(app: &TestApp) -> String {
    let r = sign_in_form(&app.client, &app.address, ADMIN).await;
    assert_eq!(location(&r), "/login/second-factor");
    session_of(&r)
}

#[tokio::test]
async fn a_password_alone_cannot_enrol_a_new_second_factor_over_the_old_one() {
    let app = spawn_app().await;
    let real_secret = admin_with_second_factor(&app).await;
    let session = half_session(&app).await;

    // The attacker skips the code page and posts their own secret to the enrolment form,
    // with the session's own CSRF token taken from the second-factor page.
    let csrf = second_factor_csrf(&app, &session).await;
    let page = get(&app, &session, "/login/enrol").await;
    assert_eq!(location(&page), "/login/second-factor", "no enrolment page");
    let attacker = kinga_app::totp::new_secret();
    let code = kinga_app::totp::now_code(&attacker).unwrap();
    let r = post(
        &app,
        &session,
        "/login/enrol",
        &[("csrf", &csrf), ("secret", &attacker), ("code", &code)],
    )
    .await;
    assert_eq!(location(&r), "/login/second-factor");
    let blocked = get(&app, &session, "/incidents").await;
    assert_eq!(
        location(&blocked),
        "/login/second-factor",
        "still half signed in"
    );

    // The stored secret is still the administrator's: their code works, the attacker's not.
    let wrong = post(
        &app,
        &session,
        "/login/second-factor",
        &[
            ("csrf", &csrf),
            ("code", &kinga_app::totp::now_code(&attacker).unwrap()),
        ],
    )
    .await;
    assert_eq!(wrong.status().as_u16(), 200);
    assert!(wrong.text().await.unwrap().contains("That code is wrong"));
    let right = post(
        &app,
        &session,
        "/login/second-factor",
        &[
            ("csrf", &csrf),
            ("code", &kinga_app::totp::now_code(&real_secret).unwrap()),
        ],
    )
    .await;
    assert_eq!(location(&right), "/incidents");
    assert_eq!(
        get(&app, &session, "/incidents").await.status().as_u16(),
        200
    );
}

#[tokio::test]
async fn the_steps_after_the_password_need_the_sessions_csrf_token() {
    let app = spawn_app().await;
    let secret = admin_with_second_factor(&app).await;
    let session = half_session(&app).await;
    let code = kinga_app::totp::now_code(&secret).unwrap();
    for csrf in ["", "forged"] {
        let r = post(
            &app,
            &session,
            "/login/second-factor",
            &[("csrf", csrf), ("code", &code)],
        )
        .await;
        assert_eq!(r.status().as_u16(), 403, "second factor with csrf {csrf:?}");
    }
    assert_eq!(
        location(&get(&app, &session, "/incidents").await),
        "/login/second-factor"
    );

    // Enrolment of a new administrator, without the token.
    let r = sign_in_form(&app.client, &app.address, "admin@alpha.org").await;
    assert_eq!(location(&r), "/login/second-factor");
    let fresh = app
        .access
        .system("test")
        .add_user(
            kinga_domain::org::Slug::parse("bravo").unwrap(),
            kinga_domain::Role::Admin,
            kinga_domain::user::Email::parse("admin@bravo.org").unwrap(),
            crate::helpers::PASSWORD,
            None,
        )
        .await;
    fresh.unwrap();
    let r = sign_in_form(&app.client, &app.address, "admin@bravo.org").await;
    let bravo = session_of(&r);
    let own = kinga_app::totp::new_secret();
    let own_code = kinga_app::totp::now_code(&own).unwrap();
    let r = post(
        &app,
        &bravo,
        "/login/enrol",
        &[("secret", &own), ("code", &own_code)],
    )
    .await;
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(
        location(&get(&app, &bravo, "/incidents").await),
        "/login/enrol"
    );
}

#[tokio::test]
async fn steps_out_of_order_lead_back_to_the_start() {
    let app = spawn_app().await;
    let secret = admin_with_second_factor(&app).await;
    let code = kinga_app::totp::now_code(&secret).unwrap();
    let fields = [
        ("csrf", "x"),
        ("code", code.as_str()),
        ("secret", secret.as_str()),
    ];
    // No session, or a session cookie nobody was given.
    for cookie in ["", "kinga_session=ks_forged"] {
        for path in ["/login/second-factor", "/login/enrol"] {
            let r = post(&app, cookie, path, &fields).await;
            assert_eq!(location(&r), "/login", "POST {path} with {cookie:?}");
            let r = get(&app, cookie, path).await;
            assert_eq!(location(&r), "/login", "GET {path} with {cookie:?}");
        }
    }
    // A complete session has nothing left to prove or enrol.
    let session = half_session(&app).await;
    let csrf = second_factor_csrf(&app, &session).await;
    let r = prove(&app, &session, &code).await;
    assert_eq!(location(&r), "/incidents");
    for path in ["/login/second-factor", "/login/enrol"] {
        assert_eq!(location(&get(&app, &session, path).await), "/incidents");
    }
    let other = kinga_app::totp::new_secret();
    let other_code = kinga_app::totp::now_code(&other).unwrap();
    let r = post(
        &app,
        &session,
        "/login/enrol",
        &[("csrf", &csrf), ("secret", &other), ("code", &other_code)],
    )
    .await;
    assert_eq!(location(&r), "/incidents");
    // The secret is unchanged: the next sign-in takes the old code.
    let next = half_session(&app).await;
    let r = prove(&app, &next, &code).await;
    assert_eq!(location(&r), "/incidents");

    // An analyst (no second factor) has no second-factor or enrolment step to take.
    let r = sign_in_form(&app.client, &app.address, "analyst@alpha.org").await;
    let analyst = session_of(&r);
    assert_eq!(
        location(&get(&app, &analyst, "/login/enrol").await),
        "/incidents"
    );
}

#[tokio::test]
async fn two_enrolments_at_once_leave_one_second_factor() {
    let app = spawn_app().await;
    let r = sign_in_form(&app.client, &app.address, ADMIN).await;
    let first = session_of(&r);
    let r = sign_in_form(&app.client, &app.address, ADMIN).await;
    let second = session_of(&r);
    let mut forms = Vec::new();
    for session in [&first, &second] {
        let html = get(&app, session, "/login/enrol")
            .await
            .text()
            .await
            .unwrap();
        let secret = crate::helpers::totp_secret_of(&html);
        forms.push((session.clone(), csrf_of(&html), secret));
    }
    let posts = forms.iter().map(|(session, csrf, secret)| {
        let code = kinga_app::totp::now_code(secret).unwrap();
        let (session, csrf, secret) = (session.clone(), csrf.clone(), secret.clone());
        let app = &app;
        async move {
            post(
                app,
                &session,
                "/login/enrol",
                &[("csrf", &csrf), ("secret", &secret), ("code", &code)],
            )
            .await
        }
    });
    let answers = futures::future::join_all(posts).await;
    let won: Vec<usize> = (0..2)
        .filter(|&i| location(&answers[i]) == "/incidents")
        .collect();
    assert_eq!(won.len(), 1, "exactly one enrolment wins");
    let loser = 1 - won[0];
    assert_eq!(location(&answers[loser]), "/login/second-factor");
    // The winner's secret is the one stored.
    let session = half_session(&app).await;
    let code = kinga_app::totp::now_code(&forms[won[0]].2).unwrap();
    let r = prove(&app, &session, &code).await;
    assert_eq!(location(&r), "/incidents");
    let verified = app.access.system("test").verify().await.unwrap();
    assert_eq!(verified.first_break, None);
}

#[tokio::test]
async fn signing_out_needs_the_csrf_token() {
    let app = spawn_app().await;
    let r = sign_in_form(&app.client, &app.address, "analyst@alpha.org").await;
    let session = session_of(&r);
    let page = get(&app, &session, "/incidents")
        .await
        .text()
        .await
        .unwrap();
    let csrf = page
        .split("action=\"/logout\"")
        .nth(1)
        .map(csrf_of)
        .expect("a sign-out form");
    let r = post(&app, &session, "/logout", &[("csrf", "forged")]).await;
    assert_eq!(r.status().as_u16(), 403, "a forged sign-out is refused");
    assert_eq!(
        get(&app, &session, "/incidents").await.status().as_u16(),
        200
    );
    let r = post(&app, &session, "/logout", &[("csrf", &csrf)]).await;
    assert_eq!(location(&r), "/login");
    assert_eq!(location(&get(&app, &session, "/incidents").await), "/login");
}

#[tokio::test]
async fn guessing_second_factor_codes_is_limited_across_a_restart() {
    let app = spawn_app().await;
    let secret = admin_with_second_factor(&app).await;
    let session = half_session(&app).await;
    for _ in 0..5 {
        let r = prove(&app, &session, "000000").await;
        assert!(r.text().await.unwrap().contains("That code is wrong"));
    }
    let right = kinga_app::totp::now_code(&secret).unwrap();
    let r = prove(&app, &session, &right).await;
    assert!(
        r.text().await.unwrap().contains("Too many failed attempts"),
        "refused even with the right code"
    );
    // Another server over the same database counts the same failures.
    let access = std::sync::Arc::new(kinga_app::Access::new(app.store.clone()));
    let (address, client) = crate::helpers::serve(access, kinga_web::WebOptions::default()).await;
    let csrf = second_factor_csrf(&app, &session).await;
    let r = client
        .post(format!("{address}/login/second-factor"))
        .header("cookie", &session)
        .form(&[("csrf", csrf.as_str()), ("code", right.as_str())])
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("Too many failed attempts"));
}
