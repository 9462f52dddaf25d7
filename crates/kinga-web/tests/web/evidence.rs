//! Evidence over HTTP on a real server with a real vault: upload streamed and sealed, working
//! copies without metadata, originals only for legal roles, custody for every byte served,
//! dangerous types never inline, broken uploads leaving nothing, locked keys said plainly.
use crate::helpers::{
    self, add_organisations, add_users, create_keys, csrf_of, files_under, get_json,
    market_incident, serve_with_vault, session_of, sign_in_form, sqlite_store, token, upload,
    KEY_PASSPHRASE,
};
use kinga_app::evidence::Vault;
use kinga_app::Access;
use kinga_domain::Role;
use reqwest::multipart::{Form, Part};
use serde_json::Value;
use std::sync::Arc;
use tokio::io::AsyncWriteExt;

/// Written into the test image's text chunk, as a phone writes where a photo was taken.
const SECRET_PLACE: &str = "GPS 6.4926N 17.4526E Bossangoa";

struct App {
    address: String,
    client: reqwest::Client,
    access: Arc<Access>,
    vault_dir: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

/// Alpha and bravo share a network; charlie stands apart. Alpha's keys are unlocked, bravo's
/// exist but stay locked, as after a restart without the passphrase.
async fn spawn() -> App {
    let (store, dir) = sqlite_store().await;
    let access = Arc::new(Access::new(store.clone()));
    let vault_dir = dir.path().join("vault");
    let vault = Arc::new(Vault::new(store.clone(), &vault_dir));
    let sys = access.system("test");
    let orgs = add_organisations(&sys).await;
    create_keys(&vault, &orgs).await;
    add_users(
        &sys,
        &[
            ("alpha", Role::Analyst),
            ("alpha", Role::Legal),
            ("alpha", Role::Monitor),
            ("bravo", Role::Analyst),
            ("charlie", Role::Analyst),
        ],
    )
    .await;
    // A fresh vault over the same store: only alpha is unlocked.
    let vault = Arc::new(Vault::new(store.clone(), &vault_dir));
    vault.unlock(&orgs[0], KEY_PASSPHRASE).await.unwrap();
    let (address, client) = serve_with_vault(access.clone(), vault).await;
    App {
        address,
        client,
        access,
        vault_dir,
        _dir: dir,
    }
}

impl App {
    async fn token(&self, email: &str) -> String {
        token(&self.access, email).await
    }

    async fn incident(&self, token: &str) -> String {
        market_incident(&self.client, &self.address, token).await
    }

    async fn upload(
        &self,
        token: &str,
        incident: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> (u16, Value) {
        let form = Form::new()
            .text("visibility", "restricted")
            .part("file", Part::bytes(bytes).file_name(name.to_string()));
        upload(&self.client, &self.address, token, incident, form).await
    }

    async fn get_json(&self, token: &str, path: &str) -> (u16, Value) {
        get_json(&self.client, &self.address, token, path).await
    }

    async fn content(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// Every sealed file under the vault, temporary files included.
    fn files(&self) -> Vec<std::path::PathBuf> {
        files_under(&self.vault_dir)
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A real PNG with a tEXt chunk carrying the place it was taken.
fn photo_with_place() -> Vec<u8> {
    let img = image::RgbImage::from_fn(32, 24, |x, y| {
        image::Rgb([(x * 8) as u8, (y * 10) as u8, 90])
    });
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let mut chunk = b"tEXt".to_vec();
    chunk.extend_from_slice(b"Location\0");
    chunk.extend_from_slice(SECRET_PLACE.as_bytes());
    let mut text = ((chunk.len() - 4) as u32).to_be_bytes().to_vec();
    text.extend_from_slice(&chunk);
    text.extend_from_slice(&crc32(&chunk).to_be_bytes());
    // After the signature (8) and the IHDR chunk (8 + 13 + 4).
    let at = 8 + 25;
    let mut out = png[..at].to_vec();
    out.extend_from_slice(&text);
    out.extend_from_slice(&png[at..]);
    out
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn uploads_are_sealed_and_served_only_with_custody() {
    let app = spawn().await;
    let analyst = app.token("analyst@alpha.org").await;
    let legal = app.token("legal@alpha.org").await;
    let outsider = app.token("analyst@charlie.org").await;
    let incident = app.incident(&analyst).await;
    let photo = photo_with_place();

    // The type comes from the bytes, not from the name the sender gave.
    let (status, item) = app
        .upload(&analyst, &incident, "notes.txt", photo.clone())
        .await;
    assert_eq!(status, 201, "{item}");
    assert_eq!(item["sha256"], sha256(&photo));
    assert_eq!(item["media_type"], "image/png");
    assert_eq!(item["original_name"], "notes.txt");
    assert_eq!(item["size"], photo.len());
    let id = item["id"].as_str().unwrap().to_string();

    let (status, list) = app
        .get_json(&analyst, &format!("/api/v1/incidents/{incident}/evidence"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["total"], 1);
    assert!(
        list["items"][0].get("wrapped_key").is_none(),
        "no key material in answers"
    );

    // Another organisation learns nothing, not even that the item exists.
    let (status, _) = app
        .get_json(&outsider, &format!("/api/v1/evidence/{id}"))
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        app.content(&outsider, &format!("/api/v1/evidence/{id}/content"))
            .await
            .status(),
        404
    );

    // The working copy by default: metadata gone, lineage recorded.
    let r = app
        .content(&analyst, &format!("/api/v1/evidence/{id}/content"))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.headers()["content-type"], "image/png");
    let copy = r.bytes().await.unwrap();
    assert!(copy.starts_with(b"\x89PNG"));
    assert!(
        !contains(&copy, SECRET_PLACE.as_bytes()),
        "the place is stripped"
    );
    assert!(contains(&photo, SECRET_PLACE.as_bytes()));

    // The sealed original: not for analysts, intact for legal officers.
    let r = app
        .content(
            &analyst,
            &format!("/api/v1/evidence/{id}/content?original=true"),
        )
        .await;
    assert_eq!(r.status(), 403);
    let r = app
        .content(
            &legal,
            &format!("/api/v1/evidence/{id}/content?original=true&download=true"),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(r.bytes().await.unwrap().as_ref(), &photo[..]);

    let (_, detail) = app
        .get_json(&legal, &format!("/api/v1/evidence/{id}"))
        .await;
    let kinds: Vec<&str> = detail["custody"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["receive", "hash", "seal", "derive", "view", "download"]
    );
    let copies = detail["working_copies"].as_array().unwrap();
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0]["derived_from_sha256"], sha256(&photo));
    assert_eq!(copies[0]["sha256"], sha256(&copy));
    assert_eq!(
        detail["capture_metadata"]["width"], 32,
        "capture metadata is extracted"
    );

    // The same picture again is a near-duplicate.
    let (status, again) = app
        .upload(&analyst, &incident, "again.png", photo.clone())
        .await;
    assert_eq!(status, 201);
    assert_eq!(again["possible_duplicates"][0]["id"], id.as_str());
    assert_eq!(again["possible_duplicates"][0]["distance"], 0);

    // Everything done above is in an intact audit chain.
    let v = app.access.system("test").verify().await.unwrap();
    assert_eq!(v.first_break, None);
}

#[tokio::test]
async fn dangerous_types_are_never_rendered_inline() {
    let app = spawn().await;
    let analyst = app.token("analyst@alpha.org").await;
    let incident = app.incident(&analyst).await;
    let page = b"<!doctype html><html><script>alert(document.cookie)</script></html>".to_vec();
    let (status, item) = app
        .upload(&analyst, &incident, "photo.jpg", page.clone())
        .await;
    assert_eq!(status, 201, "{item}");
    assert_eq!(item["media_type"], "text/html");
    assert_eq!(item["inline_safe"], false);
    let id = item["id"].as_str().unwrap();
    let r = app
        .content(&analyst, &format!("/api/v1/evidence/{id}/content"))
        .await;
    assert_eq!(r.status(), 200);
    let h = r.headers();
    assert!(h["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(h["content-type"], "application/octet-stream");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(
        r.bytes().await.unwrap().as_ref(),
        &page[..],
        "stored as sent"
    );
}

#[tokio::test]
async fn an_interrupted_upload_leaves_no_blob_and_no_record() {
    let app = spawn().await;
    let analyst = app.token("analyst@alpha.org").await;
    let incident = app.incident(&analyst).await;
    let boundary = "kinga-test-boundary";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"clip.mp4\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    );
    let mut body = head.into_bytes();
    body.extend(std::iter::repeat_n(7u8, 300_000));
    let announced = body.len() + 1_000_000;
    let addr = app.address.trim_start_matches("http://").to_string();
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let req = format!(
        "POST /api/v1/incidents/{incident}/evidence HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {analyst}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {announced}\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.unwrap();
    s.write_all(&body).await.unwrap();
    s.flush().await.unwrap();
    drop(s);
    // Give the server the moment it needs to notice the closed connection.
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if app.files().is_empty() {
            break;
        }
    }
    assert!(app.files().is_empty(), "left behind: {:?}", app.files());
    let (_, list) = app
        .get_json(&analyst, &format!("/api/v1/incidents/{incident}/evidence"))
        .await;
    assert_eq!(list["total"], 0);

    // An announced hash that does not match is refused the same way.
    let form = Form::new().text("sha256", "00".repeat(32)).part(
        "file",
        Part::bytes(b"field notes".to_vec()).file_name("notes.txt"),
    );
    let r = app
        .client
        .post(format!(
            "{}/api/v1/incidents/{incident}/evidence",
            app.address
        ))
        .bearer_auth(&analyst)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("nothing was stored"));
    assert!(app
        .files()
        .iter()
        .all(|p| p.parent().unwrap().ends_with("tmp")));
    let (_, list) = app
        .get_json(&analyst, &format!("/api/v1/incidents/{incident}/evidence"))
        .await;
    assert_eq!(list["total"], 0);
}

async fn sign_in(app: &App, email: &str) -> String {
    session_of(&sign_in_form(&app.client, &app.address, email).await)
}

async fn page(app: &App, cookie: &str, path: &str) -> (u16, String) {
    helpers::page(&app.client, &app.address, cookie, path).await
}

#[tokio::test]
async fn the_incident_page_uploads_and_says_when_keys_are_locked() {
    let app = spawn().await;
    let analyst = app.token("analyst@alpha.org").await;
    let incident = app.incident(&analyst).await;
    let session = sign_in(&app, "analyst@alpha.org").await;

    let (status, html) = page(&app, &session, &format!("/incidents/{incident}")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("/incidents/{incident}/evidence")));
    let (status, html) = page(&app, &session, &format!("/incidents/{incident}/evidence")).await;
    assert_eq!(status, 200);
    assert!(html.contains("data-testid=\"evidence-upload\""));
    assert!(
        !html.contains("data-testid=\"keys-locked\""),
        "alpha's keys are unlocked"
    );
    let csrf = csrf_of(&html);

    // Without the CSRF token nothing is read or stored.
    let form = Form::new().part("file", Part::bytes(b"x".to_vec()).file_name("x.txt"));
    let r = app
        .client
        .post(format!("{}/incidents/{incident}/evidence", app.address))
        .header("cookie", &session)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    let photo = photo_with_place();
    let form = Form::new()
        .text("csrf", csrf)
        .text("visibility", "network")
        .part("file", Part::bytes(photo.clone()).file_name("market.png"));
    let r = app
        .client
        .post(format!("{}/incidents/{incident}/evidence", app.address))
        .header("cookie", &session)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, html) = page(
        &app,
        &session,
        &format!("/incidents/{incident}/evidence?notice=received"),
    )
    .await;
    assert!(html.contains("market.png") && html.contains(&sha256(&photo)));
    let id = html
        .split("data-evidence=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let (status, html) = page(&app, &session, &format!("/evidence/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("data-testid=\"custody-log\""));
    assert!(
        !html.contains("data-testid=\"download-original\""),
        "analysts get working copies"
    );

    // Bravo shares the network; its keys are locked (the server started without its
    // passphrase). Bravo may still receive evidence, not open it, and the page says why, in
    // French too.
    let bravo_token = app.token("analyst@bravo.org").await;
    let (status, theirs) = app.upload(&bravo_token, &incident, "clip.png", photo).await;
    assert_eq!(status, 201, "{theirs}");
    let theirs = theirs["id"].as_str().unwrap();
    let bravo = sign_in(&app, "analyst@bravo.org").await;
    let fr = format!("{bravo}; kinga_lang=fr");
    let (status, html) = page(
        &app,
        &fr,
        &format!("/incidents/{incident}/evidence?fragment=1"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("data-testid=\"keys-locked\""));
    assert!(html.contains("illisibles à jamais"), "{html}");
    let (status, html) = page(&app, &bravo, &format!("/evidence/{theirs}/file")).await;
    assert_eq!(status, 409);
    assert!(html.contains("passphrase"));
    let r = app
        .content(&bravo_token, &format!("/api/v1/evidence/{theirs}/content"))
        .await;
    assert_eq!(r.status(), 409);
    // Alpha's evidence shared in the network opens for bravo: alpha's keys are unlocked.
    let (status, _) = page(&app, &bravo, &format!("/evidence/{id}/file")).await;
    assert_eq!(status, 200);
}
