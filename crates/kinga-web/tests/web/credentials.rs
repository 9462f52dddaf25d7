//! Tokens and sign-in limits as an attacker would test them: a revoked or expired token, an
//! administrator's token issued without the second factor, a sign-in limit that a restart or
//! a shared proxy address must not undo or spread.
use crate::helpers::{get_json, post_json, serve, spawn_app, sqlite_store, PASSWORD};
use kinga_app::{Access, TokenOptions};
use kinga_domain::user::Email;
use kinga_web::WebOptions;
use serde_json::json;
use std::sync::Arc;

#[tokio::test]
async fn revoked_tokens_answer_401_at_once() {
    let app = spawn_app().await;
    let sys = app.access.system("test");
    let email = Email::parse("analyst@alpha.org").unwrap();
    let first = sys.create_token(&email).await.unwrap();
    let second = sys.create_token(&email).await.unwrap();
    for t in [&first, &second] {
        let (status, _) = get_json(&app.client, &app.address, t, "/api/v1/me").await;
        assert_eq!(status, 200);
    }
    assert_eq!(sys.revoke_tokens(&email, Some(&first)).await.unwrap(), 1);
    let (status, v) = get_json(&app.client, &app.address, &first, "/api/v1/me").await;
    assert_eq!(status, 401, "{v}");
    let (status, _) = get_json(&app.client, &app.address, &second, "/api/v1/me").await;
    assert_eq!(status, 200, "the other token still works");
    assert_eq!(sys.revoke_tokens(&email, None).await.unwrap(), 1);
    let (status, _) = get_json(&app.client, &app.address, &second, "/api/v1/me").await;
    assert_eq!(status, 401);
    // A token of another user is not theirs to revoke by naming it.
    let other = sys
        .create_token(&Email::parse("analyst@bravo.org").unwrap())
        .await
        .unwrap();
    assert!(sys.revoke_tokens(&email, Some(&other)).await.is_err());
    let (status, _) = get_json(&app.client, &app.address, &other, "/api/v1/me").await;
    assert_eq!(status, 200);
    assert_eq!(
        app.access
            .system("test")
            .verify()
            .await
            .unwrap()
            .first_break,
        None
    );
}

#[tokio::test]
async fn tokens_live_a_bounded_number_of_days() {
    let app = spawn_app().await;
    let sys = app.access.system("test");
    let email = Email::parse("analyst@alpha.org").unwrap();
    for days in [0, 367] {
        let options = TokenOptions {
            days,
            second_factor_code: None,
        };
        assert!(sys.issue_token(&email, &options).await.is_err(), "{days}");
    }
    // An expired row: the store answers nothing for it (the conformance story ages one).
    let token = sys
        .issue_token(
            &email,
            &TokenOptions {
                days: 1,
                second_factor_code: None,
            },
        )
        .await
        .unwrap();
    let (status, _) = get_json(&app.client, &app.address, &token, "/api/v1/me").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn an_administrators_token_without_the_second_factor_cannot_administer() {
    let app = spawn_app().await;
    let sys = app.access.system("test");
    let email = Email::parse("admin@alpha.org").unwrap();
    let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    sys.set_second_factor(&email, secret).await.unwrap();
    let plain = sys.create_token(&email).await.unwrap();
    let (status, v) = get_json(&app.client, &app.address, &plain, "/api/v1/me").await;
    assert_eq!(status, 200);
    assert_eq!(v["role"], "coordinator", "{v}");
    let (status, v) = post_json(
        &app.client,
        &app.address,
        &plain,
        "/api/v1/users",
        &json!({"email": "new@alpha.org", "role": "analyst", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, 403, "{v}");
    // A wrong code issues nothing; a current one issues a token with the full rights.
    let wrong = TokenOptions {
        days: 1,
        second_factor_code: Some("000000".into()),
    };
    assert!(sys.issue_token(&email, &wrong).await.is_err());
    let right = TokenOptions {
        days: 1,
        second_factor_code: Some(kinga_app::totp::now_code(secret).unwrap()),
    };
    let full = sys.issue_token(&email, &right).await.unwrap();
    let (_, v) = get_json(&app.client, &app.address, &full, "/api/v1/me").await;
    assert_eq!(v["role"], "admin", "{v}");
    let (status, v) = post_json(
        &app.client,
        &app.address,
        &full,
        "/api/v1/users",
        &json!({"email": "new@alpha.org", "role": "analyst", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, 201, "{v}");
}

/// Signs in through the login form with `password`; the page or redirect that answers.
async fn attempt(client: &reqwest::Client, address: &str, email: &str, password: &str) -> String {
    let r = client.get(format!("{address}/login")).send().await.unwrap();
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = crate::helpers::csrf_of(&r.text().await.unwrap());
    let r = client
        .post(format!("{address}/login"))
        .header("cookie", cookie)
        .header("x-forwarded-for", "203.0.113.7")
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    if r.status().is_redirection() {
        return format!("redirect {}", r.headers()["location"].to_str().unwrap());
    }
    r.text().await.unwrap()
}

#[tokio::test]
async fn the_sign_in_limit_is_per_account_and_survives_a_restart() {
    let (store, _dir) = sqlite_store().await;
    let access = Arc::new(Access::new(store.clone()));
    let sys = access.system("test");
    crate::helpers::add_organisations(&sys).await;
    crate::helpers::add_users(
        &sys,
        &[
            ("alpha", kinga_domain::Role::Analyst),
            ("alpha", kinga_domain::Role::Monitor),
        ],
    )
    .await;
    let (address, client) = serve(access, WebOptions::default()).await;
    for _ in 0..5 {
        let page = attempt(&client, &address, "analyst@alpha.org", "wrong guess").await;
        assert!(page.contains("Unknown e-mail or wrong password."), "{page}");
    }
    let locked = attempt(&client, &address, "analyst@alpha.org", PASSWORD).await;
    assert!(locked.contains("Too many failed attempts"), "{locked}");
    // Everyone behind the same proxy address still signs in.
    let other = attempt(&client, &address, "monitor@alpha.org", PASSWORD).await;
    assert!(other.starts_with("redirect"), "{other}");

    // A restart: a new server over the same database still counts the failures.
    let restarted = Arc::new(Access::new(store.clone()));
    let (address, client) = serve(restarted, WebOptions::default()).await;
    let still = attempt(&client, &address, "analyst@alpha.org", PASSWORD).await;
    assert!(still.contains("Too many failed attempts"), "{still}");
}
