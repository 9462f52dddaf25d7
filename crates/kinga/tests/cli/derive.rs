//! `kinga evidence derive` through the binary: a blurred copy whose region is unrecognisable and
//! whose other pixels are unchanged, a thumbnail, both without the photo's EXIF, recorded in the
//! custody chain; and the refusals (a region off the image, a file that is not an image, no
//! passphrase).
use crate::support::{kinga, stderr, stdout};
use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

const PASSPHRASE: &str = "the irri key passphrase";
/// In the photo's EXIF block, as a phone writes it.
const DEVICE: &str = "Witness phone 7";

fn k(args: &[&str], d: &Path, passphrase: Option<&str>) -> Output {
    let mut cmd = kinga();
    cmd.args(args)
        .arg("--data-dir")
        .arg(d)
        .env_remove("KINGA_DATABASE_URL")
        .env_remove("KINGA_VAULT_DIR")
        .env_remove("KINGA_KEY_PASSPHRASE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(p) = passphrase {
        cmd.env("KINGA_KEY_PASSPHRASE", p);
    }
    let mut child = cmd.spawn().expect("kinga starts");
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "stdout: {}\nstderr: {}",
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

/// An organisation with keys and an incident (made through the API of a real `kinga serve`).
fn world(d: &Path) -> String {
    ok(&k(
        &[
            "org",
            "add",
            "--slug",
            "irri",
            "--name",
            "IRRI",
            "--country",
            "UGA",
        ],
        d,
        Some(PASSPHRASE),
    ));
    let token = token_for(d, "irri");
    let server = crate::support::serve(d, &[]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let created: serde_json::Value = rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{}/api/v1/incidents", server.url))
            .bearer_auth(token.trim())
            .json(&serde_json::json!({"title": "Attack on Bossangoa market",
                                      "country": "CAF", "date_start": "2013-12-05"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    drop(server);
    created["id"]
        .as_str()
        .expect("incident created")
        .to_string()
}

/// The region the test blurs: aligned on JPEG's 16-pixel blocks so that re-encoding outside it
/// sees the same blocks as before.
const REGION: (u32, u32, u32, u32) = (64, 48, 96, 64);

fn inside(x: u32, y: u32) -> bool {
    let (rx, ry, rw, rh) = REGION;
    x >= rx && x < rx + rw && y >= ry && y < ry + rh
}

/// A 256×192 JPEG: smooth everywhere except a sharp pattern (a face, a name tag) in the region,
/// with an EXIF block naming the device.
fn photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(256, 192, |x, y| {
        if inside(x, y) {
            let v = if (x / 4 + y / 4) % 2 == 0 { 250 } else { 5 };
            image::Rgb([v, v, v])
        } else {
            image::Rgb([(x / 2) as u8, (y / 2) as u8 + 40, 120])
        }
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
        .encode_image(&img)
        .unwrap();
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&1u16.to_be_bytes());
    tiff.extend_from_slice(&0x010fu16.to_be_bytes()); // Make
    tiff.extend_from_slice(&2u16.to_be_bytes()); // ASCII
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

fn sha256_of(path: &Path) -> String {
    let o = std::process::Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum (coreutils) runs");
    String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Mean absolute difference per channel, inside and outside the region.
fn differences(a: &image::RgbImage, b: &image::RgbImage) -> (f64, f64) {
    let (mut ins, mut outs, mut n_in, mut n_out) = (0f64, 0f64, 0f64, 0f64);
    for (x, y, p) in a.enumerate_pixels() {
        let q = b.get_pixel(x, y);
        let d: f64 = (0..3)
            .map(|c| (f64::from(p[c]) - f64::from(q[c])).abs())
            .sum::<f64>()
            / 3.0;
        if inside(x, y) {
            ins += d;
            n_in += 1.0;
        } else {
            outs += d;
            n_out += 1.0;
        }
    }
    (ins / n_in, outs / n_out)
}

#[test]
fn blurred_copies_and_thumbnails_leave_the_vault_without_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let incident = world(d);
    let original = photo();
    assert!(contains(&original, DEVICE.as_bytes()));
    let file = d.join("market.jpg");
    std::fs::write(&file, &original).unwrap();
    let added = ok(&k(
        &[
            "evidence",
            "add",
            "--incident",
            &incident,
            file.to_str().unwrap(),
        ],
        d,
        Some(PASSPHRASE),
    ));
    let id = added.split_whitespace().next().unwrap().to_string();

    let help = ok(&k(&["evidence", "derive", "--help"], d, None));
    assert!(
        help.contains("--blur") && help.contains("Examples:"),
        "{help}"
    );

    // A blurred copy, written out for publication.
    let blurred_path = d.join("for-publication.jpg");
    let (rx, ry, rw, rh) = REGION;
    let region = format!("{rx},{ry},{rw},{rh}");
    let printed = ok(&k(
        &[
            "evidence",
            "derive",
            &id,
            "--blur",
            &region,
            "--out",
            blurred_path.to_str().unwrap(),
        ],
        d,
        Some(PASSPHRASE),
    ));
    let fields: Vec<&str> = printed.split_whitespace().collect();
    assert_eq!(fields.len(), 2, "{printed}");
    let blurred = std::fs::read(&blurred_path).unwrap();
    assert_eq!(fields[1], sha256_of(&blurred_path), "the printed SHA-256");
    assert!(!contains(&blurred, DEVICE.as_bytes()), "EXIF left behind");
    assert!(!contains(&blurred, b"Exif\0\0"), "no EXIF block at all");
    let before = image::load_from_memory(&original).unwrap().to_rgb8();
    let after = image::load_from_memory(&blurred).unwrap().to_rgb8();
    assert_eq!(after.dimensions(), before.dimensions());
    let (changed_inside, changed_outside) = differences(&before, &after);
    assert!(
        changed_inside > 60.0,
        "the pattern in the region survived: mean change {changed_inside:.1}"
    );
    assert!(
        changed_outside < 3.0,
        "pixels outside the region changed: mean change {changed_outside:.1}"
    );
    // Nothing of the pattern is left: the region is close to flat.
    let values: Vec<f64> = after
        .enumerate_pixels()
        .filter(|(x, y, _)| inside(*x, *y))
        .map(|(_, _, p)| f64::from(p[0]))
        .collect();
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let spread =
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64).sqrt();
    assert!(spread < 20.0, "the region still varies by {spread:.1}");

    // A thumbnail of at most 64 px.
    let thumb_path = d.join("thumb.jpg");
    let printed = ok(&k(
        &[
            "evidence",
            "derive",
            &id,
            "--thumbnail",
            "--size",
            "64",
            "--out",
            thumb_path.to_str().unwrap(),
        ],
        d,
        Some(PASSPHRASE),
    ));
    let thumb = std::fs::read(&thumb_path).unwrap();
    assert_eq!(
        printed.split_whitespace().nth(1),
        Some(sha256_of(&thumb_path).as_str())
    );
    let t = image::load_from_memory(&thumb).unwrap();
    assert_eq!((t.width(), t.height()), (64, 48));
    assert!(!contains(&thumb, DEVICE.as_bytes()));

    // The same request again makes nothing new.
    let again = k(
        &["evidence", "derive", &id, "--thumbnail", "--size", "64"],
        d,
        Some(PASSPHRASE),
    );
    assert_eq!(ok(&again), printed);
    assert!(
        stderr(&again).contains("already made"),
        "{}",
        stderr(&again)
    );

    // The custody chain says what was derived, how, and that the copies left.
    let log = ok(&k(&["evidence", "log", &id], d, None));
    let derives: Vec<&str> = log.lines().filter(|l| l.contains(" derive ")).collect();
    assert_eq!(derives.len(), 2, "{log}");
    assert!(derives[0].contains("blurred 1 region"), "{log}");
    assert!(derives[1].contains("thumbnail"), "{log}");
    assert_eq!(
        log.lines().filter(|l| l.contains(" download ")).count(),
        2,
        "{log}"
    );

    // Refusals change nothing.
    let off = k(
        &["evidence", "derive", &id, "--blur", "200,0,100,10"],
        d,
        Some(PASSPHRASE),
    );
    assert_eq!(off.status.code(), Some(2), "{}", stderr(&off));
    assert!(stderr(&off).contains("width of 256 px"), "{}", stderr(&off));
    let malformed = k(&["evidence", "derive", &id, "--blur", "1,2,3"], d, None);
    assert_eq!(malformed.status.code(), Some(2));
    assert!(
        stderr(&malformed).contains("X,Y,W,H"),
        "{}",
        stderr(&malformed)
    );
    let locked = k(&["evidence", "derive", &id, "--thumbnail"], d, None);
    assert_eq!(locked.status.code(), Some(2));
    assert!(
        stderr(&locked).contains("passphrase"),
        "{}",
        stderr(&locked)
    );
    let notes = d.join("notes.txt");
    std::fs::write(&notes, "Témoignage recueilli à Bossangoa").unwrap();
    let added = ok(&k(
        &[
            "evidence",
            "add",
            "--incident",
            &incident,
            notes.to_str().unwrap(),
        ],
        d,
        Some(PASSPHRASE),
    ));
    let text_id = added.split_whitespace().next().unwrap();
    let not_image = k(
        &["evidence", "derive", text_id, "--thumbnail"],
        d,
        Some(PASSPHRASE),
    );
    assert_eq!(not_image.status.code(), Some(2));
    assert!(
        stderr(&not_image).contains("JPEG and PNG images only"),
        "{}",
        stderr(&not_image)
    );
    let log_after = ok(&k(&["evidence", "log", &id], d, None));
    assert_eq!(log_after, log, "refusals left the custody chain as it was");

    // The copies are re-hashed with everything else.
    let verified = k(&["verify"], d, Some(PASSPHRASE));
    assert!(verified.status.success(), "{}", stderr(&verified));
}

/// An analyst of `org` (already created) and their bearer token.
fn token_for(d: &Path, org: &str) -> String {
    let email = format!("analyst@{org}.org");
    let mut child = kinga()
        .args([
            "user", "add", "--org", org, "--role", "analyst", "--email", &email,
        ])
        .arg("--data-dir")
        .arg(d)
        .env_remove("KINGA_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long enough passphrase\n")
        .unwrap();
    ok(&child.wait_with_output().unwrap());
    ok(&k(&["token", "create", "--email", &email], d, None))
}
