//! A real time-stamp authority for tests: Debian's `openssl ts -reply` behind a loopback HTTP
//! server, with its CA and certificates made by `openssl`. Shared by the vault's and the CLI's
//! tests (the CLI includes this file by path).
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct LocalTsa {
    pub url: String,
    pub dir: tempfile::TempDir,
}

impl LocalTsa {
    /// The CA that issued the TSA's certificate (PEM).
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.crt")
    }

    /// The TSA's own certificate (PEM).
    pub fn tsa_cert(&self) -> PathBuf {
        self.dir.path().join("tsa.crt")
    }

    /// A self-signed certificate that has nothing to do with this TSA (PEM).
    pub fn unrelated_cert(&self) -> PathBuf {
        openssl(
            self.dir.path(),
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "other.key",
                "-out",
                "other.crt",
                "-subj",
                "/CN=Unrelated CA",
                "-days",
                "2",
            ],
        );
        self.dir.path().join("other.crt")
    }

    /// The TSA's key certified by the same CA for serving web sites, not for time-stamping
    /// (PEM).
    pub fn cert_without_time_stamping(&self) -> PathBuf {
        let d = self.dir.path();
        std::fs::write(
            d.join("web.cnf"),
            "keyUsage = critical,digitalSignature\nextendedKeyUsage = serverAuth\n",
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
                "web.crt",
                "-days",
                "2",
                "-extfile",
                "web.cnf",
            ],
        );
        d.join("web.crt")
    }

    /// A token over `digest` whose TSTInfo the real TSA made, signed again (CMS, SHA-256, RSA)
    /// with the TSA's key under `cert`: what a TSA would issue with that certificate, which
    /// `openssl ts -reply` itself refuses to do without the timeStamping usage.
    pub fn token_signed_with(&self, cert: &Path, digest: &[u8; 32]) -> Vec<u8> {
        let d = self.dir.path();
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        openssl(
            d,
            &[
                "ts", "-query", "-digest", &hex, "-sha256", "-cert", "-out", "re.tsq",
            ],
        );
        openssl(
            d,
            &[
                "ts",
                "-reply",
                "-config",
                "ts.cnf",
                "-queryfile",
                "re.tsq",
                "-token_out",
                "-out",
                "re-token.der",
            ],
        );
        assert!(
            resign(d, "re-token.der", cert, "re-signed.der"),
            "cms -sign failed"
        );
        std::fs::read(d.join("re-signed.der")).unwrap()
    }

    /// Another authority with the same CA, key and TSTInfo, whose tokens are signed under a
    /// certificate that is not for time-stamping (see [`Self::token_signed_with`]); its URL.
    pub fn misissued(&self) -> String {
        serve(
            self.dir.path().to_path_buf(),
            Some(self.cert_without_time_stamping()),
        )
    }

    /// A PEM certificate as DER.
    pub fn der(&self, pem: &Path) -> Vec<u8> {
        let out = self.dir.path().join("cert.der");
        openssl(
            self.dir.path(),
            &[
                "x509",
                "-in",
                pem.to_str().unwrap(),
                "-outform",
                "DER",
                "-out",
                "cert.der",
            ],
        );
        std::fs::read(out).unwrap()
    }
}

pub fn openssl(dir: &Path, args: &[&str]) {
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
        kinga_testkit::skip("`openssl` is not installed (Debian package openssl)");
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
    let url = serve(d.to_path_buf(), None);
    Some(LocalTsa { url, dir })
}

/// Runs `openssl` in `dir`; whether it succeeded.
fn try_openssl(dir: &Path, args: &[&str]) -> bool {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// The token in `token` (DER file) signed again with the TSA's key under `cert`, into `out`:
/// same TSTInfo, same CMS shape (SHA-256, signed attributes, certificate included).
fn resign(dir: &Path, token: &str, cert: &Path, out: &str) -> bool {
    let tst = format!("{out}.tst");
    try_openssl(
        dir,
        &[
            "cms",
            "-verify",
            "-noverify",
            "-inform",
            "DER",
            "-in",
            token,
            "-binary",
            "-out",
            &tst,
        ],
    ) && try_openssl(
        dir,
        &[
            "cms",
            "-sign",
            "-binary",
            "-nodetach",
            "-nosmimecap",
            "-in",
            &tst,
            "-econtent_type",
            "1.2.840.113549.1.9.16.1.4",
            "-signer",
            cert.to_str().unwrap(),
            "-inkey",
            "tsa.key",
            "-md",
            "sha256",
            "-outform",
            "DER",
            "-out",
            out,
        ],
    )
}

/// A granted TimeStampResp carrying `token`.
fn granted(token: &[u8]) -> Vec<u8> {
    let mut body = vec![0x30, 0x03, 0x02, 0x01, 0x00];
    body.extend_from_slice(token);
    let n = body.len();
    let mut out = vec![0x30];
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend([0x81, n as u8]);
    } else {
        out.extend([0x82, (n >> 8) as u8, n as u8]);
    }
    out.extend(body);
    out
}

/// An HTTP server answering each time-stamp request with `openssl ts -reply`; with `resign`,
/// the token is signed again under that certificate before it is sent.
fn serve(work: PathBuf, resign_with: Option<PathBuf>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/tsa", listener.local_addr().unwrap());
    let tag = if resign_with.is_some() { "m" } else { "" };
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
            let q = format!("{tag}q{n}.tsq");
            let a = format!("{tag}a{n}.tsr");
            std::fs::write(work.join(&q), &body).unwrap();
            let reply = match &resign_with {
                None => try_openssl(
                    &work,
                    &[
                        "ts",
                        "-reply",
                        "-config",
                        "ts.cnf",
                        "-queryfile",
                        &q,
                        "-out",
                        &a,
                    ],
                )
                .then(|| std::fs::read(work.join(&a)).ok())
                .flatten(),
                Some(cert) => {
                    let t = format!("{tag}t{n}.der");
                    let signed = format!("{tag}s{n}.der");
                    (try_openssl(
                        &work,
                        &[
                            "ts",
                            "-reply",
                            "-config",
                            "ts.cnf",
                            "-queryfile",
                            &q,
                            "-token_out",
                            "-out",
                            &t,
                        ],
                    ) && resign(&work, &t, cert, &signed))
                    .then(|| std::fs::read(work.join(&signed)).ok().map(|t| granted(&t)))
                    .flatten()
                }
            };
            let (status, reply) = match reply {
                Some(reply) => ("200 OK", reply),
                None => ("500 Internal Server Error", Vec::new()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                reply.len()
            );
            let _ = conn.write_all(head.as_bytes());
            let _ = conn.write_all(&reply);
        }
    });
    url
}
