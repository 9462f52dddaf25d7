use kinga_app::evidence::Vault;
use kinga_app::{Access, System};
use kinga_domain::org::{NewOrganisation, Organisation, Slug};
use kinga_domain::user::Email;
use kinga_domain::Role;
use kinga_store::{Actor, Store};
use kinga_web::{Application, WebOptions};
use serde_json::Value;
use std::sync::Arc;

pub const PASSWORD: &str = "a long enough passphrase";
/// The passphrase of every organisation's evidence keys in these tests.
pub const KEY_PASSPHRASE: &str = "the organisation key passphrase";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub access: Arc<Access>,
    /// The store under the server, for what only commands write (stored forecasts).
    pub store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

/// Two organisations in one network and a third outside it, with users of several roles.
pub async fn spawn_app() -> TestApp {
    let (store, dir) = sqlite_store().await;
    let access = Arc::new(Access::new(store.clone()));
    let sys = access.system("test");
    add_organisations(&sys).await;
    add_users(
        &sys,
        &[
            ("alpha", Role::Monitor),
            ("alpha", Role::Analyst),
            ("alpha", Role::Observer),
            ("alpha", Role::Admin),
            ("bravo", Role::Analyst),
            ("charlie", Role::Analyst),
        ],
    )
    .await;
    let (address, client) = serve(access.clone(), WebOptions::default()).await;
    TestApp {
        address,
        client,
        access,
        store,
        _dir: dir,
    }
}

/// Alpha and bravo share a network, charlie stands apart: the three sides every visibility
/// test needs. Returned in that order so callers can give them keys.
pub async fn add_organisations(sys: &System) -> Vec<Organisation> {
    let mut out = Vec::new();
    for (slug, nets) in [
        ("alpha", vec!["net".to_string()]),
        ("bravo", vec!["net".to_string()]),
        ("charlie", vec![]),
    ] {
        out.push(
            sys.add_organisation(
                NewOrganisation::parse(slug, &slug.to_uppercase(), Some("CAF"), &nets).unwrap(),
            )
            .await
            .unwrap(),
        );
    }
    out
}

/// One user per (organisation, role), signing in as `{role}@{organisation}.org` with
/// [`PASSWORD`].
pub async fn add_users(sys: &System, users: &[(&str, Role)]) {
    for &(org, role) in users {
        sys.add_user(
            Slug::parse(org).unwrap(),
            role,
            Email::parse(&format!("{role}@{org}.org")).unwrap(),
            PASSWORD,
            None,
        )
        .await
        .unwrap();
    }
}

/// A new SQLite database in a temporary directory; the directory, returned beside it, must
/// outlive the test, and is where a vault keeps its files.
pub async fn sqlite_store() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = kinga_store_sqlite::open(&dir.path().join("kinga.db"))
        .await
        .unwrap();
    (Arc::new(store), dir)
}

/// Creates evidence keys with [`KEY_PASSPHRASE`] for each organisation; creating them leaves
/// them unlocked in this vault only.
pub async fn create_keys(vault: &Vault, orgs: &[Organisation]) {
    for org in orgs {
        vault
            .create_keys(&Actor::system("test"), org, KEY_PASSPHRASE)
            .await
            .unwrap();
    }
}

/// Serves with the evidence vault, whose pages and API exist only when one is given; cookies
/// are not marked secure because the tests speak plain HTTP.
pub async fn serve_with_vault(access: Arc<Access>, vault: Arc<Vault>) -> (String, reqwest::Client) {
    serve(
        access,
        WebOptions {
            secure_cookies: false,
            vault: Some(vault),
        },
    )
    .await
}

/// Serves on a free port of 127.0.0.1. The client does not follow redirects, so tests see
/// where a form sends the browser.
pub async fn serve(access: Arc<Access>, options: WebOptions) -> (String, reqwest::Client) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app = Application::build(access, listener, options);
    let address = format!("http://{}", app.local_addr().unwrap());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    (address, client)
}

/// An API token for the user, made by the system as an administrator would. Roles that need a
/// second factor get one set up (if they have none) and the token is issued against its code,
/// so that it carries their full rights.
pub async fn token(access: &Access, email: &str) -> String {
    let sys = access.system("test");
    let email = Email::parse(email).unwrap();
    let user = sys.user_by_email(&email).await.unwrap().expect("a user");
    let mut options = kinga_app::TokenOptions::default();
    if user.role.requires_second_factor() {
        let secret = TEST_TOTP_SECRET;
        if !user.has_second_factor {
            sys.set_second_factor(&email, secret).await.unwrap();
        }
        options.second_factor_code = Some(kinga_app::totp::now_code(secret).unwrap());
    }
    sys.issue_token(&email, &options).await.unwrap()
}

/// The authenticator secret [`token`] gives users whose role needs a second factor.
pub const TEST_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// The CSRF token of the first form on the page.
pub fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .expect("a form with its CSRF token")
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

/// The session cookie set by a successful sign-in, ready for a `cookie` header.
pub fn session_of(r: &reqwest::Response) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with("kinga_session="))
        .expect("signed in")
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

/// Signs in through the login form with [`PASSWORD`], as a browser does: fetch the form for
/// its cookie and CSRF token, then post it. The answer is the redirect that follows.
pub async fn sign_in_form(
    client: &reqwest::Client,
    address: &str,
    email: &str,
) -> reqwest::Response {
    let r = client.get(format!("{address}/login")).send().await.unwrap();
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = csrf_of(&r.text().await.unwrap());
    let r = client
        .post(format!("{address}/login"))
        .header("cookie", cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303, "signing in as {email}");
    r
}

/// A page as the browser with this session cookie sees it.
pub async fn page(
    client: &reqwest::Client,
    address: &str,
    cookie: &str,
    path: &str,
) -> (u16, String) {
    let r = client
        .get(format!("{address}{path}"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Every file under `dir`, at any depth: what a test searches for leaked or leftover bytes.
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    fn walk(d: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        if let Ok(rd) = std::fs::read_dir(d) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    out.push(p);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out
}

impl TestApp {
    pub async fn token(&self, email: &str) -> String {
        token(&self.access, email).await
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        get_json(&self.client, &self.address, token, path).await
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> (u16, Value) {
        post_json(&self.client, &self.address, token, path, body).await
    }
}

/// An API call with any method, and a JSON body when one is given.
pub async fn call_json(
    client: &reqwest::Client,
    method: &str,
    url: String,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = client
        .request(method.parse().unwrap(), url)
        .bearer_auth(token);
    if let Some(b) = body {
        request = request.json(&b);
    }
    answer(request).await
}

/// An API answer: its status and its JSON body, or null when it has none.
pub async fn get_json(
    client: &reqwest::Client,
    address: &str,
    token: &str,
    path: &str,
) -> (u16, Value) {
    answer(client.get(format!("{address}{path}")).bearer_auth(token)).await
}

pub async fn post_json(
    client: &reqwest::Client,
    address: &str,
    token: &str,
    path: &str,
    body: &Value,
) -> (u16, Value) {
    answer(
        client
            .post(format!("{address}{path}"))
            .bearer_auth(token)
            .json(body),
    )
    .await
}

async fn answer(request: reqwest::RequestBuilder) -> (u16, Value) {
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The attack on Bossangoa market of 5 December 2013, an incident of the token's
/// organisation shared with its network: where the evidence tests put their files.
pub async fn market_incident(client: &reqwest::Client, address: &str, token: &str) -> String {
    let (status, v) = post_json(
        client,
        address,
        token,
        "/api/v1/incidents",
        &serde_json::json!({"title": "Attack on Bossangoa market", "country": "CAF",
                            "date_start": "2013-12-05", "visibility": "network"}),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    v["id"].as_str().unwrap().to_string()
}

/// Uploads evidence to the incident through the API, as a multipart form.
pub async fn upload(
    client: &reqwest::Client,
    address: &str,
    token: &str,
    incident: &str,
    form: reqwest::multipart::Form,
) -> (u16, Value) {
    answer(
        client
            .post(format!("{address}/api/v1/incidents/{incident}/evidence"))
            .bearer_auth(token)
            .multipart(form),
    )
    .await
}

pub fn report(text: &str, visibility: &str) -> Value {
    serde_json::json!({"text": text, "country": "CAF", "occurred_on": "2026-11-20", "visibility": visibility})
}

/// The secret shown on the enrolment page.
pub fn totp_secret_of(html: &str) -> String {
    html.split("id=\"totp-secret\">")
        .nth(1)
        .expect("an enrolment page")
        .split('<')
        .next()
        .unwrap()
        .to_string()
}

/// Enrols a second factor for a half-open session as a browser does (page, then its form with
/// the CSRF token); the answer is the form's, and the secret set up. The secret is
/// [`TEST_TOTP_SECRET`] rather than the page's, as an authenticator app that already holds it
/// would send, so that [`token`] can later issue this user a full token.
pub async fn enrol_form(
    client: &reqwest::Client,
    address: &str,
    session: &str,
) -> (reqwest::Response, String) {
    let html = client
        .get(format!("{address}/login/enrol"))
        .header("cookie", session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!totp_secret_of(&html).is_empty());
    let (secret, csrf) = (TEST_TOTP_SECRET.to_string(), csrf_of(&html));
    let code = kinga_app::totp::now_code(&secret).unwrap();
    let r = client
        .post(format!("{address}/login/enrol"))
        .header("cookie", session)
        .form(&[
            ("csrf", csrf.as_str()),
            ("secret", secret.as_str()),
            ("code", code.as_str()),
        ])
        .send()
        .await
        .unwrap();
    (r, secret)
}
