//! Derived copies over HTTP on a real server with a real vault: thumbnails and blurred copies
//! made through the API and the item page's form, re-encoded without the photo's EXIF, blurred
//! where asked and nowhere else, refused with JSON paths, limited to case workers of the
//! holding organisation, written in the custody log, and shown as thumbnails in lists.
use crate::helpers::{
    add_organisations, add_users, create_keys, csrf_of, get_json, market_incident, post_json,
    serve_with_vault, session_of, sign_in_form, sqlite_store, token, upload,
};
use kinga_app::evidence::Vault;
use kinga_app::Access;
use kinga_domain::Role;
use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};
use std::sync::Arc;

const DEVICE: &str = "Witness phone 7";
/// The region blurred in these tests, on JPEG's 16-pixel blocks.
const REGION: (u32, u32, u32, u32) = (32, 16, 64, 48);

struct App {
    address: String,
    client: reqwest::Client,
    access: Arc<Access>,
    _dir: tempfile::TempDir,
}

/// Alpha and bravo share a network; charlie stands apart. Alpha's keys are unlocked.
async fn spawn() -> App {
    let (store, dir) = sqlite_store().await;
    let access = Arc::new(Access::new(store.clone()));
    let vault = Arc::new(Vault::new(store.clone(), dir.path().join("vault")));
    let sys = access.system("test");
    create_keys(&vault, &add_organisations(&sys).await).await;
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
    let (address, client) = serve_with_vault(access.clone(), vault).await;
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

    async fn incident(&self, token: &str) -> String {
        market_incident(&self.client, &self.address, token).await
    }

    async fn upload(&self, token: &str, incident: &str, name: &str, bytes: Vec<u8>) -> String {
        let form = Form::new()
            .text("visibility", "network")
            .part("file", Part::bytes(bytes).file_name(name.to_string()));
        let (status, item) = upload(&self.client, &self.address, token, incident, form).await;
        assert_eq!(status, 201, "{item}");
        item["id"].as_str().unwrap().to_string()
    }

    async fn post(&self, token: &str, path: &str, body: &Value) -> (u16, Value) {
        post_json(&self.client, &self.address, token, path, body).await
    }

    async fn get_json(&self, token: &str, path: &str) -> (u16, Value) {
        get_json(&self.client, &self.address, token, path).await
    }

    async fn bytes(&self, token: &str, path: &str) -> (u16, Vec<u8>) {
        let r = self
            .client
            .get(format!("{}{path}", self.address))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
    }

    /// A browser session's cookie header.
    async fn sign_in(&self, email: &str) -> String {
        session_of(&sign_in_form(&self.client, &self.address, email).await)
    }

    async fn page(&self, cookie: &str, path: &str, lang: &str) -> (u16, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.address))
            .header("cookie", cookie)
            .header("accept-language", lang)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
}

fn inside(x: u32, y: u32) -> bool {
    let (rx, ry, rw, rh) = REGION;
    x >= rx && x < rx + rw && y >= ry && y < ry + rh
}

/// A 160×96 JPEG, smooth but for a sharp pattern in the region, with EXIF naming the device.
fn photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(160, 96, |x, y| {
        if inside(x, y) {
            let v = if (x / 4 + y / 4) % 2 == 0 { 250 } else { 5 };
            image::Rgb([v, v, v])
        } else {
            image::Rgb([x as u8, y as u8 + 60, 140])
        }
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
        .encode_image(&img)
        .unwrap();
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&1u16.to_be_bytes());
    tiff.extend_from_slice(&0x010fu16.to_be_bytes());
    tiff.extend_from_slice(&2u16.to_be_bytes());
    tiff.extend_from_slice(&(DEVICE.len() as u32 + 1).to_be_bytes());
    tiff.extend_from_slice(&26u32.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    tiff.extend_from_slice(DEVICE.as_bytes());
    tiff.push(0);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xff, 0xe1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
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
async fn thumbnails_and_blurred_copies_through_the_api() {
    let app = spawn().await;
    let analyst = app.token("analyst@alpha.org").await;
    let incident = app.incident(&analyst).await;
    let original = photo();
    let id = app
        .upload(&analyst, &incident, "market.jpg", original.clone())
        .await;
    let base = format!("/api/v1/evidence/{id}/derivatives");

    let (status, thumb) = app
        .post(&analyst, &base, &json!({"thumbnail": {"size": 40}}))
        .await;
    assert_eq!(status, 201, "{thumb}");
    assert_eq!(thumb["kind"], "thumbnail");
    assert_eq!(thumb["derived_from_sha256"], sha256(&original));
    assert_eq!(thumb["params"]["method"], "thumbnail");
    assert_eq!(thumb["created_by"], "analyst@alpha.org");
    assert!(thumb.get("wrapped_key").is_none());
    let (status, bytes) = app
        .bytes(&analyst, thumb["content"].as_str().unwrap())
        .await;
    assert_eq!(status, 200);
    assert_eq!(sha256(&bytes), thumb["sha256"]);
    let t = image::load_from_memory(&bytes).unwrap();
    assert_eq!((t.width(), t.height()), (40, 24));
    assert!(!contains(&bytes, DEVICE.as_bytes()));

    let (rx, ry, rw, rh) = REGION;
    let blur = json!({"blur": {"regions": [{"x": rx, "y": ry, "w": rw, "h": rh}]}});
    let (status, blurred) = app.post(&analyst, &base, &blur).await;
    assert_eq!(status, 201, "{blurred}");
    assert_eq!(blurred["kind"], "blurred");
    assert_eq!(blurred["params"]["regions"][0]["w"], rw);
    let (_, bytes) = app
        .bytes(&analyst, blurred["content"].as_str().unwrap())
        .await;
    assert!(!contains(&bytes, DEVICE.as_bytes()), "EXIF left behind");
    let before = image::load_from_memory(&original).unwrap().to_rgb8();
    let after = image::load_from_memory(&bytes).unwrap().to_rgb8();
    let (mut din, mut dout, mut nin, mut nout) = (0f64, 0f64, 0f64, 0f64);
    for (x, y, p) in before.enumerate_pixels() {
        let q = after.get_pixel(x, y);
        let d = (0..3)
            .map(|c| (f64::from(p[c]) - f64::from(q[c])).abs())
            .sum::<f64>()
            / 3.0;
        if inside(x, y) {
            din += d;
            nin += 1.0;
        } else {
            dout += d;
            nout += 1.0;
        }
    }
    assert!(din / nin > 60.0, "inside changed by {:.1}", din / nin);
    assert!(dout / nout < 3.0, "outside changed by {:.1}", dout / nout);

    // The same copy asked again is the same copy.
    let (status, again) = app.post(&analyst, &base, &blur).await;
    assert_eq!((status, &again["id"]), (200, &blurred["id"]));
    assert_eq!(again["created"], false);

    // Mistakes named by JSON path; nothing made.
    let (status, v) = app
        .post(
            &analyst,
            &base,
            &json!({"blur": {"regions": [{"x": 0, "y": 0, "w": 8, "h": 8}, {"x": 150, "y": 0, "w": 20, "h": 10}]}}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(paths(&v), ["$.blur.regions[1].w"]);
    assert!(
        v["detail"].as_str().unwrap().contains("width of 160 px"),
        "{v}"
    );
    let (status, v) = app
        .post(
            &analyst,
            &base,
            &json!({"blur": {"regions": [{"x": "left", "y": 0, "w": 8}]}}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(paths(&v), ["$.blur.regions[0].x", "$.blur.regions[0].h"]);
    let (status, v) = app
        .post(&analyst, &base, &json!({"thumbnail": {"size": 1}}))
        .await;
    assert_eq!(
        (status, paths(&v)),
        (422, vec!["$.thumbnail.size".to_string()])
    );
    let r = app
        .client
        .post(format!("{}{base}", app.address))
        .bearer_auth(&analyst)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // A text is not an image.
    let notes = app
        .upload(&analyst, &incident, "notes.txt", b"Temoignage".to_vec())
        .await;
    let (status, v) = app
        .post(
            &analyst,
            &format!("/api/v1/evidence/{notes}/derivatives"),
            &json!({"thumbnail": {}}),
        )
        .await;
    assert_eq!((status, paths(&v)), (422, vec!["$".to_string()]));
    assert!(
        v["detail"].as_str().unwrap().contains("JPEG and PNG"),
        "{v}"
    );

    // Only case workers of the holding organisation make copies; others do not see the item.
    let monitor = app.token("monitor@alpha.org").await;
    let peer = app.token("analyst@bravo.org").await;
    let outsider = app.token("analyst@charlie.org").await;
    assert_eq!(app.post(&monitor, &base, &blur).await.0, 403);
    assert_eq!(
        app.get_json(&peer, &base).await.0,
        200,
        "the network sees the copies"
    );
    assert_eq!(app.post(&peer, &base, &blur).await.0, 403);
    assert_eq!(app.post(&outsider, &base, &blur).await.0, 404);
    assert_eq!(app.get_json(&outsider, &base).await.0, 404);

    let (_, list) = app.get_json(&analyst, &base).await;
    let kinds: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["thumbnail", "blurred"]);
    let (_, detail) = app
        .get_json(&analyst, &format!("/api/v1/evidence/{id}"))
        .await;
    let custody: Vec<&str> = detail["custody"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        custody,
        ["receive", "hash", "seal", "derive", "view", "derive", "view"]
    );
    let v = app.access.system("test").verify().await.unwrap();
    assert_eq!(v.first_break, None);
}

#[tokio::test]
async fn the_item_page_blurs_and_lists_show_thumbnails() {
    let app = spawn().await;
    let analyst = app.token("analyst@alpha.org").await;
    let incident = app.incident(&analyst).await;
    let id = app.upload(&analyst, &incident, "market.jpg", photo()).await;
    let cookie = app.sign_in("analyst@alpha.org").await;

    let (status, item) = app.page(&cookie, &format!("/evidence/{id}"), "en").await;
    assert_eq!(status, 200);
    assert!(item.contains(&format!("/evidence/{id}/derivatives?fragment=1")));
    let (status, panel) = app
        .page(
            &cookie,
            &format!("/evidence/{id}/derivatives?fragment=1"),
            "fr",
        )
        .await;
    assert_eq!(status, 200);
    assert!(panel.contains("Flouter pour publication"), "{panel}");
    assert!(panel.contains("data-testid=\"derive-blur\""));
    let csrf = csrf_of(&panel);

    let post = |form: Vec<(&'static str, String)>| {
        let app = &app;
        let cookie = cookie.clone();
        let id = id.clone();
        async move {
            app.client
                .post(format!("{}/evidence/{id}/derivatives", app.address))
                .header("cookie", cookie)
                .header("accept-language", "en")
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    // A region off the picture is refused with the reason, the entered values kept.
    let r = post(vec![
        ("csrf", csrf.clone()),
        ("action", "blur".into()),
        ("x1", "150".into()),
        ("y1", "0".into()),
        ("w1", "40".into()),
        ("h1", "10".into()),
    ])
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("width of 160 px"), "{html}");
    assert!(html.contains("value=\"150\""));
    // Without the CSRF token nothing is made.
    let r = post(vec![("action", "thumbnail".into())]).await;
    assert_eq!(r.status(), 403);

    let (rx, ry, rw, rh) = REGION;
    let r = post(vec![
        ("csrf", csrf.clone()),
        ("action", "blur".into()),
        ("x2", rx.to_string()),
        ("y2", ry.to_string()),
        ("w2", rw.to_string()),
        ("h2", rh.to_string()),
    ])
    .await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.ends_with("notice=made"), "{to}");
    let r = post(vec![
        ("csrf", csrf.clone()),
        ("action", "thumbnail".into()),
        ("size", "48".into()),
    ])
    .await;
    assert_eq!(r.status(), 303);
    let (_, page) = app.page(&cookie, &to, "en").await;
    assert!(page.contains("The copy was made"), "{page}");
    assert!(page.contains("Blurred for publication") && page.contains("Thumbnail"));

    // The incident's evidence list shows the thumbnail, served after its custody event.
    let (_, list) = app
        .page(&cookie, &format!("/incidents/{incident}/evidence"), "en")
        .await;
    let src = list
        .split("data-testid=\"evidence-thumbnail\"")
        .next()
        .and_then(|before| before.rsplit("src=\"").next())
        .and_then(|s| s.split('"').next())
        .expect("a thumbnail in the list")
        .to_string();
    assert!(src.starts_with(&format!("/evidence/{id}/copies/")), "{src}");
    let r = app
        .client
        .get(format!("{}{src}", app.address))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    let t = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
    assert_eq!(t.width().max(t.height()), 48);
    let (_, detail) = app
        .get_json(&analyst, &format!("/api/v1/evidence/{id}"))
        .await;
    let last = detail["custody"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["kind"], "view");
    assert!(last["detail"]
        .as_str()
        .unwrap()
        .starts_with("thumbnail copy"));

    // The script that draws regions is served.
    let r = app
        .client
        .get(format!("{}/assets/region-select.js", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("data-region-row"));
}
