//! Credentials and cookies through the real binary: tokens issued with a lifetime and revoked
//! by the command line take effect in a running server at once; the session cookie is Secure
//! unless the operator says otherwise.
use crate::support::*;

async fn status(client: &reqwest::Client, url: &str, token: &str) -> u16 {
    client
        .get(format!("{url}/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn tokens_revoked_from_the_command_line_stop_working_in_the_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let first = analyst_with_token(d, "irri");
    let o = run(
        &[
            "token",
            "create",
            "--email",
            "analyst@irri.org",
            "--days",
            "7",
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("Valid until"), "{}", stderr(&o));
    let second = stdout(&o).trim().to_string();
    for days in ["0", "367"] {
        let o = run(
            &[
                "token",
                "create",
                "--email",
                "analyst@irri.org",
                "--days",
                days,
            ],
            d,
        );
        assert_eq!(o.status.code(), Some(2), "--days {days}: {}", stderr(&o));
    }
    let server = serve(d, &[]);
    let client = reqwest::Client::new();
    assert_eq!(status(&client, &server.url, &first).await, 200);
    assert_eq!(status(&client, &server.url, &second).await, 200);

    let o = run(
        &[
            "token",
            "revoke",
            "--email",
            "analyst@irri.org",
            "--token",
            &first,
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Revoked 1 token"), "{}", stdout(&o));
    assert_eq!(status(&client, &server.url, &first).await, 401);
    assert_eq!(status(&client, &server.url, &second).await, 200);
    // Revoking it again, or a made-up token, names the problem.
    let o = run(
        &[
            "token",
            "revoke",
            "--email",
            "analyst@irri.org",
            "--token",
            &first,
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = run(
        &["token", "revoke", "--email", "analyst@irri.org", "--all"],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(status(&client, &server.url, &second).await, 401);
    drop(server);
    let o = run(&["verify"], d);
    assert!(o.status.success(), "{}", stdout(&o));
}

async fn login_cookie(url: &str) -> String {
    let r = reqwest::get(format!("{url}/login")).await.unwrap();
    r.headers()["set-cookie"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn the_session_cookies_are_secure_unless_told_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    analyst_with_token(d, "irri");
    let server = serve(d, &[]);
    let cookie = login_cookie(&server.url).await;
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    drop(server);
    let server = serve(d, &["--insecure-cookies"]);
    let cookie = login_cookie(&server.url).await;
    assert!(!cookie.contains("Secure"), "{cookie}");
}
