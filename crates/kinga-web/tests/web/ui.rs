use crate::helpers::{csrf_of, spawn_app, totp_secret_of, TestApp, PASSWORD};

/// Fetches the login form and returns its CSRF field and cookie.
async fn login_form(app: &TestApp) -> (String, String) {
    let r = app
        .client
        .get(format!("{}/login", app.address))
        .send()
        .await
        .unwrap();
    let cookie = r
        .headers()
        .get("set-cookie")
        .unwrap()
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
    (csrf, cookie)
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    let (csrf, cookie) = login_form(app).await;
    app.client
        .post(format!("{}/login", app.address))
        .header("cookie", cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
}

fn session_cookie(r: &reqwest::Response) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with("kinga_session="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn signing_in_opens_the_incident_list_in_either_language() {
    let app = spawn_app().await;
    let r = sign_in(&app, "analyst@alpha.org", PASSWORD).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/incidents");
    let session = session_cookie(&r);
    let page = app
        .client
        .get(format!("{}/incidents", app.address))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await.unwrap().contains("Sign out"));
    let fr = app
        .client
        .get(format!("{}/incidents", app.address))
        .header("cookie", format!("{session}; kinga_lang=fr"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(fr.contains("Se déconnecter") && fr.contains("lang=\"fr\""));
    let list = app
        .client
        .get(format!(
            "{}/incidents?country=CAF&from=2013-12-01",
            app.address
        ))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("/lang/fr?back=/incidents%3Fcountry%3DCAF%26from%3D2013-12-01"),
        "the language switch keeps the filters"
    );
    let open = app
        .client
        .get(format!("{}/lang/fr?back=//evil.example/", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(open.headers()["location"], "/", "no redirect off the site");
    let switched = app
        .client
        .get(format!("{}/lang/fr?back=/incidents", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(switched.headers()["location"], "/incidents");
    assert!(switched.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .starts_with("kinga_lang=fr"));
    let accept = app
        .client
        .get(format!("{}/login", app.address))
        .header("accept-language", "fr-FR,fr;q=0.9")
        .send()
        .await
        .unwrap();
    assert!(accept.text().await.unwrap().contains("Mot de passe"));
}

#[tokio::test]
async fn wrong_passwords_are_refused_then_rate_limited() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let r = sign_in(&app, "analyst@alpha.org", "not the password").await;
        assert_eq!(r.status().as_u16(), 200);
        assert!(r
            .text()
            .await
            .unwrap()
            .contains("Unknown e-mail or wrong password."));
    }
    let r = sign_in(&app, "analyst@alpha.org", PASSWORD).await;
    assert!(
        r.text().await.unwrap().contains("Too many failed attempts"),
        "even the right password waits"
    );
}

#[tokio::test]
async fn pages_need_a_session_and_forms_need_the_csrf_token() {
    let app = spawn_app().await;
    let r = app
        .client
        .get(format!("{}/incidents", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (
            r.status().as_u16(),
            r.headers()["location"].to_str().unwrap()
        ),
        (303, "/login")
    );
    let (_, cookie) = login_form(&app).await;
    let r = app
        .client
        .post(format!("{}/login", app.address))
        .header("cookie", cookie)
        .form(&[
            ("csrf", "forged"),
            ("email", "analyst@alpha.org"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.unwrap().contains("The form expired"));
}

#[tokio::test]
async fn administrators_must_set_up_a_second_factor() {
    let app = spawn_app().await;
    let r = sign_in(&app, "admin@alpha.org", PASSWORD).await;
    assert_eq!(r.headers()["location"], "/login/enrol");
    let session = session_cookie(&r);
    let blocked = app
        .client
        .get(format!("{}/incidents", app.address))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(
        blocked.headers()["location"],
        "/login/enrol",
        "no page before the second factor"
    );
    let page = app
        .client
        .get(format!("{}/login/enrol", app.address))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (secret, csrf) = (totp_secret_of(&page), csrf_of(&page));
    let wrong = app
        .client
        .post(format!("{}/login/enrol", app.address))
        .header("cookie", &session)
        .form(&[
            ("csrf", csrf.as_str()),
            ("secret", secret.as_str()),
            ("code", "000000"),
        ])
        .send()
        .await
        .unwrap();
    assert!(wrong.text().await.unwrap().contains("That code is wrong"));
    let code = kinga_app::totp::now_code(&secret).unwrap();
    let ok = app
        .client
        .post(format!("{}/login/enrol", app.address))
        .header("cookie", &session)
        .form(&[
            ("csrf", csrf.as_str()),
            ("secret", secret.as_str()),
            ("code", code.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.headers()["location"], "/incidents");
    let now = app
        .client
        .get(format!("{}/incidents", app.address))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(now.status().as_u16(), 200);
    // The next sign-in asks for the code.
    let again = sign_in(&app, "admin@alpha.org", PASSWORD).await;
    assert_eq!(again.headers()["location"], "/login/second-factor");
}
