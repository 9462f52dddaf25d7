use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

pub fn kinga() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kinga"))
}

pub fn run(args: &[&str], data_dir: &Path) -> Output {
    kinga()
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("KINGA_DATABASE_URL")
        .output()
        .expect("kinga runs")
}

pub fn run_with_stdin(args: &[&str], data_dir: &Path, input: &str) -> Output {
    let mut child = kinga()
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("KINGA_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kinga starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A running `kinga serve`, with everything it printed before it started listening.
pub struct Server {
    pub child: Child,
    pub url: String,
    pub banner: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn serve(data_dir: &Path, extra: &[&str]) -> Server {
    serve_with(data_dir, extra, &[])
}

/// [`serve`] with variables set in its environment (a key passphrase).
pub fn serve_with(data_dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
    let mut child = kinga()
        .arg("serve")
        .args(extra)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--listen", "127.0.0.1:0"])
        .env_remove("KINGA_DATABASE_URL")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kinga serve starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut banner = String::new();
    let url = loop {
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("kinga serve exited before listening:\n{banner}"))
            .unwrap();
        banner.push_str(&line);
        banner.push('\n');
        if let Some(u) = line.strip_prefix("Kinga listening on ") {
            break u.trim_end_matches('/').to_string();
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, url, banner }
}

/// An organisation with one analyst and their bearer token.
pub fn analyst_with_token(data_dir: &Path, org: &str) -> String {
    let o = run(
        &[
            "org",
            "add",
            "--slug",
            org,
            "--name",
            org,
            "--country",
            "CAF",
        ],
        data_dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let email = format!("analyst@{org}.org");
    let o = run_with_stdin(
        &[
            "user", "add", "--org", org, "--role", "analyst", "--email", &email,
        ],
        data_dir,
        "a long enough passphrase\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["token", "create", "--email", &email], data_dir);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o).trim().to_string()
}

/// A small synchronous HTTP client for tests that drive a separate server process.
pub struct Http {
    rt: tokio::runtime::Runtime,
    client: reqwest::Client,
}

impl Http {
    pub fn new() -> Self {
        Http {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            client: reqwest::Client::new(),
        }
    }

    pub fn submit(&self, base: &str, token: &str, text: &str) -> String {
        self.rt.block_on(async {
            let r = self
                .client
                .post(format!("{base}/api/v1/reports"))
                .bearer_auth(token)
                .json(&serde_json::json!({"text": text, "country": "CAF", "occurred_on": "2026-11-20", "visibility": "organisation"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 201);
            let v: serde_json::Value = r.json().await.unwrap();
            v["id"].as_str().unwrap().to_string()
        })
    }

    pub fn get_json(&self, url: &str, token: &str) -> serde_json::Value {
        self.rt.block_on(async {
            let r = self
                .client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 200, "{url}");
            r.json().await.unwrap()
        })
    }
}
