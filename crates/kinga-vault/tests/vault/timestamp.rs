//! A real time-stamp authority: Debian's `openssl ts -reply` behind a loopback HTTP server.
use kinga_vault::timestamp::{token_from_response, verify_token, TimestampInfo, TrustAnchors, Tsa};
use sha2::{Digest, Sha256};
use std::process::Command;

#[path = "local_tsa.rs"]
pub mod local_tsa;
pub use local_tsa::{local_tsa, openssl};

/// A token from `tsa`, for tests that are not async themselves.
pub fn stamp(tsa: &Tsa, digest: &[u8; 32]) -> (Vec<u8>, TimestampInfo) {
    try_stamp(tsa, digest).unwrap()
}

fn try_stamp(tsa: &Tsa, digest: &[u8; 32]) -> kinga_vault::Result<(Vec<u8>, TimestampInfo)> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(tsa.stamp(digest))
}

#[test]
fn round_trip_with_a_real_tsa_and_openssl_accepts_the_token() {
    let Some(tsa) = local_tsa() else { return };
    let digest: [u8; 32] = Sha256::digest(b"manifest bytes").into();
    let (token, info) = stamp(&Tsa::new(&tsa.url), &digest);
    assert_eq!(info.policy, "1.3.6.1.4.1.99999.1");
    assert_eq!(info.tsa_name, "Kinga test TSA");
    openssl(
        tsa.dir.path(),
        &[
            "x509", "-in", "tsa.crt", "-outform", "DER", "-out", "tsa.der",
        ],
    );
    let cert = std::fs::read(tsa.dir.path().join("tsa.der")).unwrap();
    assert_eq!(
        info.tsa_certificate_sha256,
        hex::encode(Sha256::digest(&cert))
    );
    let now = chrono::Utc::now();
    let gen = chrono::DateTime::parse_from_rfc3339(&info.gen_time).unwrap();
    assert!(
        (now - gen.with_timezone(&chrono::Utc)).num_seconds().abs() < 300,
        "{}",
        info.gen_time
    );
    assert_eq!(verify_token(&token, &digest).unwrap(), info);

    let path = tsa.dir.path().join("token.der");
    std::fs::write(&path, &token).unwrap();
    let out = Command::new("openssl")
        .args(["ts", "-verify", "-token_in", "-in"])
        .arg(&path)
        .args(["-digest", &hex::encode(digest), "-CAfile"])
        .arg(tsa.ca())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl ts -verify: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // Another digest, or an altered token, is refused.
    let other: [u8; 32] = Sha256::digest(b"other bytes").into();
    let err = verify_token(&token, &other).unwrap_err().to_string();
    assert!(err.contains("imprint does not match"), "{err}");
    let time_text = info.gen_time.replace(['-', ':', 'T'], "");
    let pos = token
        .windows(8)
        .position(|w| w == &time_text.as_bytes()[..8])
        .expect("genTime inside the token");
    let mut altered = token.clone();
    altered[pos + 3] ^= 0x01; // another year
    let err = verify_token(&altered, &digest).unwrap_err().to_string();
    assert!(
        err.contains("messageDigest") || err.contains("genTime"),
        "{err}"
    );
    // The signature value itself (the last bytes of the only SignerInfo).
    let mut altered = token.clone();
    let n = altered.len();
    altered[n - 20] ^= 0x01;
    let err = verify_token(&altered, &digest).unwrap_err().to_string();
    assert!(err.contains("signature does not verify"), "{err}");

    // The SignerInfo's version retagged as an OCTET STRING, so the first element looks like the
    // signature (found by fuzzing): refused, not an overflow panic.
    let at = (0..n - 8)
        .rev()
        .find(|&i| {
            token[i] == 0x30
                && token[i + 1] == 0x82
                && token[i + 4..i + 8] == [0x02, 0x01, 0x01, 0x30]
        })
        .expect("the SignerInfo");
    let mut altered = token.clone();
    altered[at + 4] = 0x04;
    let err = verify_token(&altered, &digest).unwrap_err().to_string();
    assert!(err.contains("SignerInfo"), "{err}");
}

#[test]
fn refusals_and_garbage_are_reported() {
    assert!(token_from_response(b"\x30\x03\x02\x01\x00").is_err());
    // status 2 = rejection
    let err = token_from_response(b"\x30\x05\x30\x03\x02\x01\x02")
        .unwrap_err()
        .to_string();
    assert!(err.contains("refused"), "{err}");
    let err = try_stamp(&Tsa::new("https://tsa.example/"), &[0; 32])
        .unwrap_err()
        .to_string();
    assert!(err.contains("only http://"), "{err}");
}

fn anchors(path: &std::path::Path) -> TrustAnchors {
    TrustAnchors::from_file(path).unwrap()
}

#[test]
fn the_tsa_certificate_is_checked_against_the_trust_anchor_given() {
    let Some(tsa) = local_tsa() else { return };
    let digest: [u8; 32] = Sha256::digest(b"dossier manifest").into();
    let (token, _) = stamp(&Tsa::new(&tsa.url), &digest);
    let info = verify_token(&token, &digest).unwrap();

    let by_ca = anchors(&tsa.ca()).check(&info).unwrap();
    assert!(
        by_ca.contains("issued by the trusted \"Kinga test CA\"") && by_ca.contains("timeStamping"),
        "{by_ca}"
    );
    let itself = anchors(&tsa.tsa_cert()).check(&info).unwrap();
    assert!(
        itself.contains("is itself a trusted certificate"),
        "{itself}"
    );
    // Several anchors in one PEM file: the matching one is found.
    let both = tsa.dir.path().join("both.pem");
    let other = tsa.unrelated_cert();
    let text =
        std::fs::read_to_string(&other).unwrap() + &std::fs::read_to_string(tsa.ca()).unwrap();
    std::fs::write(&both, text).unwrap();
    assert!(anchors(&both).check(&info).is_ok());

    let err = anchors(&other).check(&info).unwrap_err().to_string();
    assert!(
        err.contains("not trusted")
            && err.contains("\"Kinga test TSA\"")
            && err.contains(&info.tsa_certificate_sha256)
            && err.contains("\"Unrelated CA\"")
            && err.contains("its issuer is \"Kinga test CA\""),
        "{err}"
    );

    // A token signed under a certificate of the same CA that is not for time-stamping: its
    // signature holds, so only the trust check can refuse it.
    let web = tsa.dir.path().join("web.crt");
    let (_, misused_info) = stamp(&Tsa::new(tsa.misissued()), &digest);
    assert_eq!(misused_info.tsa_certificate, tsa.der(&web));
    let err = anchors(&tsa.ca())
        .check(&misused_info)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("lacks the extended key usage timeStamping (1.3.6.1.5.5.7.3.8)")
            && err.contains("allows only 1.3.6.1.5.5.7.3.1"),
        "{err}"
    );
    // The same path with the proper certificate passes: the re-signing is not what fails.
    let proper = tsa.token_signed_with(&tsa.tsa_cert(), &digest);
    anchors(&tsa.ca())
        .check(&verify_token(&proper, &digest).unwrap())
        .unwrap();
    // Outside the certificate's validity period.
    let mut late = info.clone();
    late.gen_time = "2099-01-01T00:00:00Z".into();
    let err = anchors(&tsa.ca()).check(&late).unwrap_err().to_string();
    assert!(err.contains("outside that period"), "{err}");
    // A certificate naming the CA as issuer but signed by another key.
    let mut bent = info.clone();
    let n = bent.tsa_certificate.len();
    bent.tsa_certificate[n - 10] ^= 0x01;
    let err = anchors(&tsa.ca()).check(&bent).unwrap_err().to_string();
    assert!(err.contains("not signed by it"), "{err}");

    let err = TrustAnchors::from_file(&tsa.dir.path().join("missing.pem"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing.pem"), "{err}");
}

/// A one-shot HTTP server answering with `head` and `body`, whatever is asked.
fn answer_once(head: &'static str, body: Vec<u8>) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/tsa", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = conn.read(&mut buf);
        let _ = conn.write_all(head.as_bytes());
        let _ = conn.write_all(&body);
    });
    url
}

#[test]
fn http_failures_name_the_authority_and_what_it_said() {
    let url = answer_once(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        Vec::new(),
    );
    let err = try_stamp(&Tsa::new(&url), &[0; 32])
        .unwrap_err()
        .to_string();
    assert!(err.contains(&url) && err.contains("503"), "{err}");

    let url = answer_once(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 6\r\nConnection: close\r\n\r\n",
        b"<html>".to_vec(),
    );
    let err = try_stamp(&Tsa::new(&url), &[0; 32])
        .unwrap_err()
        .to_string();
    assert!(err.contains(&url) && err.contains("text/html"), "{err}");

    // Sent without a length, so only the reading stops it.
    let url = answer_once(
        "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\nConnection: close\r\n\r\n",
        vec![0x30; 2 << 20],
    );
    let err = try_stamp(&Tsa::new(&url), &[0; 32])
        .unwrap_err()
        .to_string();
    assert!(err.contains(&url) && err.contains("over"), "{err}");
}
