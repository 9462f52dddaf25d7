//! Delivery against real receivers on loopback, not mocks: an SMTP server (Python's aiosmtpd,
//! skipped when it is not installed) and an HTTP server that verifies webhooks as a partner
//! would, with the verifier Kinga gives partners.
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chrono::Utc;
use kinga_app::delivery::webhook::{Endpoint, Verifier, WebhookSecret, WebhookSender};
use kinga_app::delivery::{
    parse_address, AckKey, Acknowledgement, AlertEmail, Bilingual, DeliveryError, Mailer, Outcome,
    SignatureRefusal, SmtpConfig, TlsMode,
};
use uuid::Uuid;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The SMTP server, stopped when the test ends however it ends.
struct SmtpSink(Child);

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_smtp_sink(port: u16, folder: &Path) -> SmtpSink {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
    let mut child = Command::new("python3")
        .arg(script)
        .arg(port.to_string())
        .arg(folder)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the SMTP sink");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("its output"))
        .read_line(&mut line)
        .expect("the sink's first line");
    let sink = SmtpSink(child);
    assert_eq!(line.trim(), "ready", "the SMTP sink did not start");
    sink
}

fn received(folder: &Path, count: usize) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut files: Vec<_> = std::fs::read_dir(folder)
            .expect("sink folder")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        if files.len() >= count || Instant::now() > deadline {
            files.sort();
            return files
                .iter()
                .map(|f| serde_json::from_slice(&std::fs::read(f).expect("summary")).expect("JSON"))
                .collect();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn smtp() {
    let has_aiosmtpd = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_aiosmtpd {
        kinga_testkit::skip("aiosmtpd not installed");
        return;
    }
    let folder = tempfile::tempdir().expect("temporary folder");
    let port = free_port();
    let _sink = start_smtp_sink(port, folder.path());
    let mailer = Mailer::new(&SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        tls: TlsMode::None,
        credentials: None,
        from: "Kinga alerts <alerts@kinga.example.org>".into(),
        timeout: Duration::from_secs(10),
    })
    .expect("mailer");
    let key = AckKey::generate();
    let alert = Uuid::now_v7();
    let mut sent = Vec::new();
    for address in ["analyst@khrc.example", "desk@au-cewarn.example"] {
        let ack = Acknowledgement {
            alert,
            recipient: Uuid::now_v7(),
            // Whole seconds: the token carries no finer time.
            expires: chrono::DateTime::from_timestamp(Utc::now().timestamp() + 7 * 86_400, 0)
                .expect("a date"),
        };
        let email = AlertEmail {
            outbox_id: Uuid::now_v7(),
            subject: Bilingual {
                en: "Escalation warning: Ouaka".into(),
                fr: "Alerte précoce : Ouaka".into(),
            },
            body: Bilingual {
                en: "Armed attacks on villages near Bambari tripled this week.".into(),
                fr: "Les attaques armées contre les villages près de Bambari ont triplé cette semaine."
                    .into(),
            },
            ack_link: key.link("https://kinga.example.org", &ack),
        };
        let to = parse_address(address).expect("address");
        let outcome = mailer.send(&to, &email).await;
        assert!(outcome.is_delivered(), "{address}: {outcome:?}");
        sent.push((address, email, ack));
    }

    let messages = received(folder.path(), 2);
    assert_eq!(messages.len(), 2, "the sink received {messages:?}");
    for (message, (address, email, ack)) in messages.iter().zip(&sent) {
        let header = |name: &str| message["headers"][name].as_str().unwrap_or_default();
        assert_eq!(
            header("message-id"),
            format!("<{}@kinga.example.org>", email.outbox_id)
        );
        assert_eq!(
            header("subject"),
            "Escalation warning: Ouaka / Alerte précoce : Ouaka"
        );
        assert_eq!(header("from"), "Kinga alerts <alerts@kinga.example.org>");
        assert_eq!(header("to"), *address);
        assert_eq!(message["rcpt_tos"][0], *address);
        let text = message["text"].as_str().expect("a plain-text part");
        let html = message["html"].as_str().expect("an HTML part");
        for part in [text, html] {
            assert!(part.contains("tripled this week"), "{part}");
            assert!(part.contains("ont triplé cette semaine"), "{part}");
            assert!(part.contains(&email.ack_link), "{part}");
        }
        // The link in the message is the one issued, and it acknowledges what it was made for.
        let token = email.ack_link.rsplit('/').next().expect("token");
        assert_eq!(key.verify(token, Utc::now()).expect("valid link"), *ack);
    }
}

/// A partner's webhook receiver: it verifies every delivery with Kinga's verifier, on a clock
/// the test can move forward, and records what it accepted and what it refused.
struct Receiver {
    verifier: Verifier,
    clock_offset: AtomicI64,
    accepted: Mutex<Vec<String>>,
    refused: Mutex<Vec<SignatureRefusal>>,
    last_request: Mutex<Option<(HeaderMap, Bytes)>>,
}

async fn hook(State(r): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    *r.last_request.lock().unwrap() = Some((headers.clone(), body.clone()));
    let now = Utc::now().timestamp() + r.clock_offset.load(Ordering::SeqCst);
    match r.verifier.verify_headers(&headers, &body, now) {
        Ok(()) => {
            let id = headers["webhook-id"].to_str().unwrap().to_string();
            r.accepted.lock().unwrap().push(id);
            StatusCode::NO_CONTENT
        }
        // A retry of a message already taken: acknowledged, not processed twice.
        Err(DeliveryError::SignatureRefused {
            reason: SignatureRefusal::Replayed,
        }) => StatusCode::OK,
        Err(DeliveryError::SignatureRefused { reason }) => {
            r.refused.lock().unwrap().push(reason);
            StatusCode::UNAUTHORIZED
        }
        Err(e) => panic!("{e:?}"),
    }
}

async fn start_receiver(secret: WebhookSecret) -> (String, Arc<Receiver>) {
    let receiver = Arc::new(Receiver {
        verifier: Verifier::new(secret).refusing_replays(),
        clock_offset: AtomicI64::new(0),
        accepted: Mutex::default(),
        refused: Mutex::default(),
        last_request: Mutex::default(),
    });
    let app = axum::Router::new()
        .route("/hook", post(hook))
        .route(
            "/fails",
            post(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "database down") }),
        )
        .route("/gone", post(|| async { StatusCode::GONE }))
        .route(
            "/huge",
            post(|| async { (StatusCode::BAD_GATEWAY, "x".repeat(1 << 20)) }),
        )
        .route(
            "/slow",
            post(|| async {
                tokio::time::sleep(Duration::from_secs(3)).await;
                StatusCode::NO_CONTENT
            }),
        )
        .with_state(Arc::clone(&receiver));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, receiver)
}

fn endpoint(base: &str, path: &str) -> Endpoint {
    Endpoint::parse(&format!("{base}{path}")).expect("endpoint")
}

#[tokio::test]
async fn webhooks() {
    let secret = WebhookSecret::generate();
    let (base, receiver) = start_receiver(secret.clone()).await;
    let sender = WebhookSender::new(Duration::from_secs(5), 64).expect("sender");
    let body = br#"{"type":"alert.raised","alert":"CAF-2026-0001"}"#;
    let now = Utc::now().timestamp();
    let hook = endpoint(&base, "/hook");

    // Delivered, then delivered again as a retry whose first answer was lost: taken once.
    let outcome = sender.send(&hook, &secret, "msg_1", body, now).await;
    assert!(outcome.is_delivered(), "{outcome:?}");
    let outcome = sender.send(&hook, &secret, "msg_1", body, now + 5).await;
    assert!(outcome.is_delivered(), "{outcome:?}");
    assert_eq!(*receiver.accepted.lock().unwrap(), ["msg_1"]);

    // The same request, captured and played again six minutes later, is refused.
    let (headers, captured) = receiver
        .last_request
        .lock()
        .unwrap()
        .clone()
        .expect("request");
    receiver.clock_offset.store(6 * 60, Ordering::SeqCst);
    let mut replay = reqwest::Client::new()
        .post(hook.as_str())
        .body(captured.to_vec());
    for name in [
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
        "content-type",
    ] {
        replay = replay.header(name, headers[name].to_str().unwrap());
    }
    let status = replay.send().await.expect("replay sent").status();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(matches!(
        receiver.refused.lock().unwrap().last(),
        Some(SignatureRefusal::TooOld { .. })
    ));
    receiver.clock_offset.store(0, Ordering::SeqCst);

    // Signed with another endpoint's secret: refused, and the sender will try again.
    let outcome = sender
        .send(&hook, &WebhookSecret::generate(), "msg_2", body, now)
        .await;
    assert!(
        matches!(
            outcome,
            Outcome::RetryLater(DeliveryError::HttpStatus { status: 401, .. })
        ),
        "{outcome:?}"
    );
    assert_eq!(
        receiver.refused.lock().unwrap().last(),
        Some(&SignatureRefusal::NoMatch)
    );
    assert_eq!(*receiver.accepted.lock().unwrap(), ["msg_1"]);

    // A failing receiver is tried again; one that says it is gone is not.
    match sender
        .send(&endpoint(&base, "/fails"), &secret, "msg_3", body, now)
        .await
    {
        Outcome::RetryLater(DeliveryError::HttpStatus {
            status: 500,
            body_excerpt,
        }) => assert_eq!(body_excerpt, "database down"),
        other => panic!("{other:?}"),
    }
    let outcome = sender
        .send(&endpoint(&base, "/gone"), &secret, "msg_4", body, now)
        .await;
    assert!(
        matches!(
            outcome,
            Outcome::Gone(DeliveryError::HttpStatus { status: 410, .. })
        ),
        "{outcome:?}"
    );

    // However much a receiver answers, only the start is read.
    match sender
        .send(&endpoint(&base, "/huge"), &secret, "msg_5", body, now)
        .await
    {
        Outcome::RetryLater(DeliveryError::HttpStatus {
            status: 502,
            body_excerpt,
        }) => assert_eq!(body_excerpt.len(), 64),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn webhook_timeouts_and_refused_connections_are_retried() {
    let secret = WebhookSecret::generate();
    let (base, _receiver) = start_receiver(secret.clone()).await;
    let impatient = WebhookSender::new(Duration::from_millis(300), 64).expect("sender");
    let now = Utc::now().timestamp();
    let outcome = impatient
        .send(&endpoint(&base, "/slow"), &secret, "msg_6", b"{}", now)
        .await;
    assert!(
        matches!(outcome, Outcome::RetryLater(DeliveryError::Timeout { .. })),
        "{outcome:?}"
    );
    let closed = endpoint(&format!("http://127.0.0.1:{}", free_port()), "/hook");
    let outcome = impatient.send(&closed, &secret, "msg_7", b"{}", now).await;
    assert!(
        matches!(outcome, Outcome::RetryLater(DeliveryError::Http(_))),
        "{outcome:?}"
    );
}
