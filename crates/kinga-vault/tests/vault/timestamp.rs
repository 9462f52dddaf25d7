//! A real time-stamp authority: Debian's `openssl ts -reply` behind a loopback HTTP server.
use kinga_vault::timestamp::{token_from_response, verify_token, Tsa};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct LocalTsa {
    pub url: String,
    pub dir: tempfile::TempDir,
}

impl LocalTsa {
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.crt")
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// None (with a message) when openssl is not installed.
pub fn local_tsa() -> Option<LocalTsa> {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("skipped: `openssl` is not installed (Debian package openssl)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-subj",
            "/CN=Kinga test CA",
            "-days",
            "2",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "tsa.key",
            "-out",
            "tsa.csr",
            "-subj",
            "/CN=Kinga test TSA",
        ],
    );
    std::fs::write(
        d.join("ext.cnf"),
        "extendedKeyUsage = critical,timeStamping\n",
    )
    .unwrap();
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "tsa.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "tsa.crt",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    );
    std::fs::write(d.join("serial"), "01\n").unwrap();
    std::fs::write(
        d.join("ts.cnf"),
        format!(
            "[ tsa ]\ndefault_tsa = tsa1\n[ tsa1 ]\ndir = {}\nserial = $dir/serial\ncrypto_device = builtin\n\
             signer_cert = $dir/tsa.crt\nsigner_key = $dir/tsa.key\nsigner_digest = sha256\n\
             default_policy = 1.3.6.1.4.1.99999.1\ndigests = sha256, sha384, sha512\naccuracy = secs:1\n\
             ordering = no\ntsa_name = yes\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n",
            d.display()
        ),
    )
    .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/tsa", listener.local_addr().unwrap());
    let work = d.to_path_buf();
    std::thread::spawn(move || {
        for (n, conn) in listener.incoming().enumerate() {
            let Ok(mut conn) = conn else { continue };
            let mut r = BufReader::new(conn.try_clone().unwrap());
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; len];
            if r.read_exact(&mut body).is_err() {
                continue;
            }
            let q = work.join(format!("q{n}.tsq"));
            let a = work.join(format!("a{n}.tsr"));
            std::fs::write(&q, &body).unwrap();
            let ok = Command::new("openssl")
                .args(["ts", "-reply", "-config", "ts.cnf", "-queryfile"])
                .arg(&q)
                .arg("-out")
                .arg(&a)
                .current_dir(&work)
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false);
            let (status, reply) = match std::fs::read(&a) {
                Ok(reply) if ok => ("200 OK", reply),
                _ => ("500 Internal Server Error", Vec::new()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                reply.len()
            );
            let _ = conn.write_all(head.as_bytes());
            let _ = conn.write_all(&reply);
        }
    });
    Some(LocalTsa { url, dir })
}

#[test]
fn round_trip_with_a_real_tsa_and_openssl_accepts_the_token() {
    let Some(tsa) = local_tsa() else { return };
    let digest: [u8; 32] = Sha256::digest(b"manifest bytes").into();
    let (token, info) = Tsa::new(&tsa.url).stamp(&digest).unwrap();
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
}

#[test]
fn refusals_and_garbage_are_reported() {
    assert!(token_from_response(b"\x30\x03\x02\x01\x00").is_err());
    // status 2 = rejection
    let err = token_from_response(b"\x30\x05\x30\x03\x02\x01\x02")
        .unwrap_err()
        .to_string();
    assert!(err.contains("refused"), "{err}");
    let err = Tsa::new("https://tsa.example/")
        .stamp(&[0; 32])
        .unwrap_err()
        .to_string();
    assert!(err.contains("only http://"), "{err}");
}
