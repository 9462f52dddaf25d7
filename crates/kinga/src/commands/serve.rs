use crate::cli::{BackupSchedule, Db};
use crate::database::Database;
use crate::Failure;
use kinga_web::{Application, WebOptions};
use std::sync::Arc;
use tokio::net::TcpListener;

pub async fn run(
    db: &Db,
    listen: &str,
    demo: bool,
    secure_cookies: bool,
    backups: &BackupSchedule,
    checkpoints: Option<(std::time::Duration, String)>,
) -> Result<(), Failure> {
    let checkpoints = match checkpoints {
        Some((every, tsa)) => Some((every, super::checkpoint::tsa_url(&tsa, "--checkpoint-tsa")?)),
        None => None,
    };
    // Checked before anything starts: a schedule that cannot run should stop the start, not
    // fail quietly a day later.
    let scheduled = match (backups.backup_every, &backups.backup_dir) {
        (Some(every), Some(dir)) => {
            let to = super::backup::destination(backups.backup_to.as_deref(), false)?;
            std::fs::create_dir_all(dir)
                .map_err(|e| Failure::Input(format!("--backup-dir {}: {e}", dir.display())))?;
            Some((every, dir.clone(), to))
        }
        _ => None,
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KINGA_LOG")
                // Scheduled backups report each outcome, success included. The request span
                // is on, so that every warning and error written while serving a request
                // carries the request's id.
                .unwrap_or_else(|_| {
                    "warn,kinga::backup=info,kinga::commands::checkpoint=info,kinga_web::request_id=info"
                        .into()
                }),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, not in a journal or a log file.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    // The address first: the demo prints its sign-ins and key passphrase only once, so a server
    // that then could not listen would lose them. Until the set-up ends, connections wait.
    let listener = bind(listen).await?;
    if !secure_cookies {
        eprintln!("Cookies are sent without the Secure mark (--insecure-cookies): the session cookie crosses the network in clear unless a TLS proxy is in front.");
    }
    let database = crate::database::open(db).await?;
    let access = Arc::new(database.access());
    let vault = database.vault();
    let demo = demo.then(|| database.system("demo"));
    if let Some(system) = &demo {
        set_up_demo(&database, system).await?;
    }
    super::keys::prepare_for_serving(&vault, demo.as_ref()).await?;
    if let Some((every, url)) = checkpoints {
        println!(
            "Audit chain checkpoints every {} by {url}",
            humantime(every)
        );
        let system = database.system(super::checkpoint::CHECKPOINT_TASK);
        super::checkpoint::schedule(system, every, url);
    }
    let app = Application::build(
        access,
        listener,
        WebOptions {
            secure_cookies,
            vault: Some(vault),
        },
    );
    let addr = app
        .local_addr()
        .map_err(|e| Failure::Other(e.to_string()))?;
    if let Some((every, dir, to)) = scheduled {
        println!(
            "Backups every {} into {} (keeping {}), {}",
            humantime(every),
            dir.display(),
            backups.backup_keep,
            to.describe()
        );
        crate::backup::schedule(db.clone(), every, dir, backups.backup_keep, to);
    }
    println!("Kinga listening on http://{addr}/");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    app.run_until_stopped()
        .await
        .map_err(|e| Failure::Other(format!("server stopped: {e}")))
}

fn humantime(d: std::time::Duration) -> String {
    let s = d.as_secs();
    match s {
        s if s % 86400 == 0 => format!("{}d", s / 86400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

async fn bind(listen: &str) -> Result<TcpListener, Failure> {
    TcpListener::bind(listen).await.map_err(|e| {
        Failure::Input(format!(
            "--listen {listen}: {e}; nothing was set up (choose another address with --listen)"
        ))
    })
}

async fn set_up_demo(database: &Database, system: &kinga_app::System) -> Result<(), Failure> {
    let (logins, outcome, home) = crate::demo::set_up(system).await?;
    let events = crate::demo::load_events(system).await?;
    let cited = crate::demo::cite_events(system, &home).await?;
    if crate::demo::sample_assessment(system, &home).await? {
        println!("Added one sample Framework assessment of the Central African Republic, labelled as a demonstration.");
    }
    println!(
        "UCDP GED v23.1 Central African Republic as events: {} new, {} already present.",
        events.new,
        events.unchanged + events.updated
    );
    if cited > 0 {
        println!("Each UCDP incident cites the UCDP event of the same row: {cited} citations.");
    }
    let (by_division, by_country) = crate::demo::detect_signals(&database.system("detect")).await?;
    println!(
        "Escalation signals from the default detectors (weekly): {} stored ({by_division} by first-level division, {by_country} by country).",
        by_division + by_country
    );
    println!(
        "Demo network '{}': 17 organisations; UCDP GED v23.1 Central African Republic: {} incidents imported, {} already present (owned by {}).",
        crate::demo::NETWORK,
        outcome.created,
        outcome.already_present,
        home.slug
    );
    print_logins(&logins);
    Ok(())
}

fn print_logins(logins: &[crate::demo::DemoLogin]) {
    if logins.is_empty() {
        println!("Demo users already exist; their passwords were printed when the demo was first set up.");
        return;
    }
    println!("Demo sign-ins (shown once; keep them):");
    for l in logins {
        match &l.totp_secret {
            Some(s) => println!(
                "  {:<12} {:<34} {}  (second-factor secret {s})",
                l.role.as_str(),
                l.email,
                l.password
            ),
            None => println!("  {:<12} {:<34} {}", l.role.as_str(), l.email, l.password),
        }
    }
}
