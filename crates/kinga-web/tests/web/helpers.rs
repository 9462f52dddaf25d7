use kinga_access::Access;
use kinga_domain::org::{NewOrganisation, Slug};
use kinga_domain::user::Email;
use kinga_domain::Role;
use kinga_web::{Application, WebOptions};
use serde_json::Value;
use std::sync::Arc;

pub const PASSWORD: &str = "a long enough passphrase";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub access: Arc<Access>,
    _dir: tempfile::TempDir,
}

/// Two organisations in one network and a third outside it, with users of several roles.
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let store = kinga_store_sqlite::open(&dir.path().join("kinga.db"))
        .await
        .unwrap();
    let access = Arc::new(Access::new(Arc::new(store)));
    let sys = access.system("test");
    for (slug, nets) in [
        ("alpha", vec!["net".to_string()]),
        ("bravo", vec!["net".to_string()]),
        ("charlie", vec![]),
    ] {
        sys.add_organisation(
            NewOrganisation::parse(slug, &slug.to_uppercase(), Some("CAF"), &nets).unwrap(),
        )
        .await
        .unwrap();
    }
    for (org, role) in [
        ("alpha", Role::Monitor),
        ("alpha", Role::Analyst),
        ("alpha", Role::Observer),
        ("alpha", Role::Admin),
        ("bravo", Role::Analyst),
        ("charlie", Role::Analyst),
    ] {
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
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app = Application::build(access.clone(), listener, WebOptions::default());
    let address = format!("http://{}", app.local_addr().unwrap());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        access,
        _dir: dir,
    }
}

impl TestApp {
    pub async fn token(&self, email: &str) -> String {
        self.access
            .system("test")
            .create_token(&Email::parse(email).unwrap())
            .await
            .unwrap()
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let r = self
            .client
            .get(format!("{}{path}", self.address))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .client
            .post(format!("{}{path}", self.address))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

pub fn report(text: &str, visibility: &str) -> Value {
    serde_json::json!({"text": text, "country": "CAF", "occurred_on": "2026-11-20", "visibility": visibility})
}
