//! Evidence intake as an attacker or a careless client would use it: the same file sent many
//! times at once, an observer uploading, a file larger than the vault takes, a disk that fails.
//! Every upload that was acknowledged must read back, and the audit chain must hold.
use crate::helpers::{
    add_organisations, add_users, create_keys, files_under, market_incident, serve_with_vault,
    sqlite_store, token, upload, KEY_PASSPHRASE,
};
use kinga_app::evidence::Vault;
use kinga_app::Access;
use kinga_domain::Role;
use kinga_store::Store;
use reqwest::multipart::{Form, Part};
use serde_json::Value;
use std::sync::Arc;

struct App {
    address: String,
    client: reqwest::Client,
    access: Arc<Access>,
    store: Arc<dyn Store>,
    vault_dir: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

async fn spawn(max_item_bytes: u64) -> App {
    let (store, dir) = sqlite_store().await;
    let access = Arc::new(Access::new(store.clone()));
    let vault_dir = dir.path().join("vault");
    let vault = Vault::new(store.clone(), &vault_dir).with_max_item_bytes(max_item_bytes);
    let sys = access.system("test");
    let orgs = add_organisations(&sys).await;
    create_keys(&vault, &orgs[..1]).await;
    add_users(
        &sys,
        &[
            ("alpha", Role::Analyst),
            ("alpha", Role::Legal),
            ("alpha", Role::Observer),
            ("alpha", Role::Monitor),
        ],
    )
    .await;
    let vault = Arc::new(vault);
    vault.unlock(&orgs[0], KEY_PASSPHRASE).await.unwrap();
    let (address, client) = serve_with_vault(access.clone(), vault).await;
    App {
        address,
        client,
        access,
        store,
        vault_dir,
        _dir: dir,
    }
}

impl App {
    async fn send(&self, token: &str, incident: &str, name: &str, bytes: Vec<u8>) -> (u16, Value) {
        let form = Form::new()
            .text("visibility", "restricted")
            .part("file", Part::bytes(bytes).file_name(name.to_string()));
        upload(&self.client, &self.address, token, incident, form).await
    }

    async fn original(&self, token: &str, id: &str) -> Vec<u8> {
        let r = self
            .client
            .get(format!(
                "{}/api/v1/evidence/{id}/content?original=true",
                self.address
            ))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "original of {id}");
        r.bytes().await.unwrap().to_vec()
    }

    async fn count_items(&self, token: &str, incident: &str) -> usize {
        let (status, v) = crate::helpers::get_json(
            &self.client,
            &self.address,
            token,
            &format!("/api/v1/incidents/{incident}/evidence"),
        )
        .await;
        assert_eq!(status, 200, "{v}");
        v["items"]
            .as_array()
            .map(Vec::len)
            .unwrap_or_else(|| v.as_array().map(Vec::len).expect("a list of evidence"))
    }
}

fn statement(n: usize) -> Vec<u8> {
    format!("Witness statement {n}: the market was attacked at dawn.\n")
        .repeat(2000)
        .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn identical_and_different_files_sent_at_once_all_read_back() {
    let app = spawn(kinga_app::evidence::DEFAULT_MAX_ITEM_BYTES).await;
    let analyst = token(&app.access, "analyst@alpha.org").await;
    let legal = token(&app.access, "legal@alpha.org").await;
    let incident = market_incident(&app.client, &app.address, &analyst).await;

    for round in 0..3 {
        // Twelve copies of one file and four different files, all at once.
        let mut files: Vec<Vec<u8>> = (0..12).map(|_| statement(round * 100)).collect();
        files.extend((1..=4).map(|n| statement(round * 100 + n)));
        let sends = files.iter().enumerate().map(|(i, bytes)| {
            let (app, analyst, incident) = (&app, &analyst, &incident);
            let bytes = bytes.clone();
            async move {
                app.send(analyst, incident, &format!("s{i}.txt"), bytes)
                    .await
            }
        });
        let answers = futures::future::join_all(sends).await;
        for (i, (status, v)) in answers.iter().enumerate() {
            assert_eq!(*status, 201, "round {round}, upload {i}: {v}");
        }
        for ((_, v), bytes) in answers.iter().zip(&files) {
            let id = v["id"].as_str().unwrap();
            assert_eq!(
                &app.original(&legal, id).await,
                bytes,
                "item {id} reads back"
            );
        }
    }
    assert_eq!(app.count_items(&analyst, &incident).await, 48);
    assert_eq!(app.store.verify().await.unwrap().first_break, None);
    // No sealed file was left half-placed.
    let leftovers: Vec<_> = files_under(&app.vault_dir)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("intake-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[tokio::test]
async fn observers_add_no_evidence() {
    let app = spawn(kinga_app::evidence::DEFAULT_MAX_ITEM_BYTES).await;
    let analyst = token(&app.access, "analyst@alpha.org").await;
    let observer = token(&app.access, "observer@alpha.org").await;
    let incident = market_incident(&app.client, &app.address, &analyst).await;
    let (status, v) = app.send(&observer, &incident, "x.txt", statement(1)).await;
    assert_eq!(status, 403, "{v}");
    assert!(
        v["detail"]
            .as_str()
            .unwrap()
            .contains("may not add evidence"),
        "{v}"
    );
    assert_eq!(app.count_items(&analyst, &incident).await, 0);
    let blobs: Vec<_> = files_under(&app.vault_dir)
        .into_iter()
        .filter(|p| !p.to_string_lossy().contains("keys"))
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n.len() == 64))
        .collect();
    assert!(blobs.is_empty(), "nothing sealed: {blobs:?}");
}

#[tokio::test]
async fn a_file_larger_than_the_vault_takes_answers_413_and_leaves_nothing() {
    let app = spawn(64 << 10).await;
    let analyst = token(&app.access, "analyst@alpha.org").await;
    let incident = market_incident(&app.client, &app.address, &analyst).await;
    let (status, v) = app
        .send(&analyst, &incident, "big.bin", vec![7u8; (64 << 10) + 1])
        .await;
    assert_eq!(status, 413, "{v}");
    assert_eq!(v["status"], 413);
    assert!(v["detail"].as_str().unwrap().contains("65536"), "{v}");
    let (status, v) = app
        .send(&analyst, &incident, "fits.bin", vec![7u8; 64 << 10])
        .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(app.count_items(&analyst, &incident).await, 1);
    let sealed: Vec<_> = files_under(&app.vault_dir)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("intake-"))
        .collect();
    assert!(sealed.is_empty(), "{sealed:?}");
}

#[tokio::test]
async fn a_disk_failure_answers_500_without_the_servers_paths() {
    let app = spawn(kinga_app::evidence::DEFAULT_MAX_ITEM_BYTES).await;
    let analyst = token(&app.access, "analyst@alpha.org").await;
    let incident = market_incident(&app.client, &app.address, &analyst).await;
    // The vault's temporary folder replaced by a file: every intake fails to write.
    let alpha = app
        .store
        .organisation(&kinga_domain::org::Slug::parse("alpha").unwrap())
        .await
        .unwrap()
        .unwrap();
    let root = app.vault_dir.join(alpha.id.to_string());
    std::fs::create_dir_all(&root).unwrap();
    let _ = std::fs::remove_dir_all(root.join("tmp"));
    std::fs::write(root.join("tmp"), b"not a folder").unwrap();
    let (status, v) = app.send(&analyst, &incident, "s.txt", statement(9)).await;
    assert_eq!(status, 500, "{v}");
    let text = v.to_string();
    assert!(!text.contains(app.vault_dir.to_str().unwrap()), "{text}");
    assert!(!text.contains("/tmp"), "{text}");
    // What the caller gets instead of the detail: the id under which the failure was logged.
    assert_eq!(v["request_id"].as_str().map(str::len), Some(32), "{text}");
    assert_eq!(app.count_items(&analyst, &incident).await, 0);
}
