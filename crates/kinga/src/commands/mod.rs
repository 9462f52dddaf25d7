pub(crate) mod alert;
pub(crate) mod assessment;
mod backup;
pub(crate) mod bench;
mod checkpoint;
mod derive;
pub(crate) mod detect;
mod evidence;
mod export;
pub(crate) mod import;
pub(crate) mod incident;
mod init;
pub(crate) mod keys;
mod org;
pub(crate) mod risk;
mod serve;
mod token;
mod user;
mod verify;
mod verify_bundle;

use crate::cli::{
    BackupAction, Cli, Command, EvidenceAction, ExportWhat, KeysAction, OrgAction, TokenAction,
    UserAction,
};
use crate::Failure;

pub async fn dispatch(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Serve {
            db,
            listen,
            demo,
            insecure_cookies,
            backups,
            checkpoint_every,
            checkpoint_tsa,
        } => {
            let checkpoints = checkpoint_every.zip(checkpoint_tsa);
            serve::run(&db, &listen, demo, !insecure_cookies, &backups, checkpoints).await
        }
        Command::Backup {
            action: Some(BackupAction::Keygen { out }),
            ..
        } => backup::keygen(&out),
        Command::Backup { db, out, to, .. } => {
            let out = out.ok_or_else(|| Failure::Input("backup: give --out FILE".into()))?;
            backup::run(&db, &out, to.as_deref()).await
        }
        Command::Restore { file, db, key } => backup::restore(&db, &file, key.as_deref()).await,
        Command::Org {
            action:
                OrgAction::Add {
                    db,
                    slug,
                    name,
                    country,
                    network,
                },
        } => org::add(&db, &slug, &name, country.as_deref(), &network).await,
        Command::Org {
            action: OrgAction::List { db, format },
        } => org::list(&db, format).await,
        Command::User {
            action:
                UserAction::Add {
                    db,
                    org,
                    role,
                    email,
                },
        } => user::add(&db, &org, &role, &email).await,
        Command::User {
            action: UserAction::List { db, format },
        } => user::list(&db, format).await,
        Command::Token {
            action:
                TokenAction::Create {
                    db,
                    email,
                    days,
                    second_factor,
                },
        } => token::create(&db, &email, days, second_factor).await,
        Command::Token {
            action:
                TokenAction::Revoke {
                    db,
                    email,
                    token,
                    all: _,
                },
        } => token::revoke(&db, &email, token.as_deref()).await,
        Command::Init { db, org } => init::run(&db, org.as_deref()).await,
        Command::Verify { db, tsa_cert } => verify::run(&db, tsa_cert.as_deref()).await,
        Command::Detect(command) => detect::run(command).await,
        Command::Risk { action } => risk::run(action).await,
        Command::Assessment { action } => assessment::run(action).await,
        Command::Alert { action } => alert::run(action).await,
        Command::Bench { what } => bench::run(what).await,
        Command::Import { source } => import::run(source).await,
        Command::Incident { action } => incident::run(action).await,
        Command::Evidence {
            action:
                EvidenceAction::Derive {
                    db,
                    id,
                    thumbnail,
                    size,
                    blur,
                    out,
                },
        } => derive::run(&db, &id, thumbnail, size, blur, out.as_deref()).await,
        Command::Evidence {
            action: EvidenceAction::Log { db, id },
        } => evidence::log(&db, &id).await,
        Command::Evidence {
            action: EvidenceAction::Verify { db, id },
        } => evidence::verify(&db, &id).await,
        Command::Evidence {
            action: EvidenceAction::Transfer { db, id, to, how },
        } => evidence::note(&db, &id, evidence::CustodyNote::Transfer { to, how }).await,
        Command::Evidence {
            action: EvidenceAction::RequestDeletion { db, id, reason },
        } => evidence::note(&db, &id, evidence::CustodyNote::DeletionRequest { reason }).await,
        Command::Evidence {
            action: EvidenceAction::Checkpoint { db, tsa },
        } => checkpoint::run(&db, &tsa).await,
        Command::Evidence {
            action:
                EvidenceAction::Add {
                    db,
                    incident,
                    report,
                    visibility,
                    expect_size,
                    expect_sha256,
                    name,
                    file,
                },
        } => {
            let target = evidence::Target {
                incident,
                report,
                visibility,
            };
            let announced = evidence::Announce {
                size: expect_size,
                sha256: expect_sha256,
                name,
            };
            evidence::add(&db, target, announced, &file).await
        }
        Command::Export {
            what:
                ExportWhat::Dossier {
                    db,
                    incident,
                    out,
                    working_copies,
                    with_metadata,
                    tsa,
                },
        } => {
            let options = export::Options {
                working_copies,
                with_metadata,
                tsa,
            };
            export::dossier(&db, &incident, &out, options).await
        }
        Command::VerifyBundle {
            file,
            key,
            tsa_cert,
        } => verify_bundle::run(&file, &key, tsa_cert.as_deref()),
        Command::Keys { action } => match action {
            KeysAction::Init { db, org } => keys::init(&db, &org).await,
            KeysAction::ExportPublic { db, org, out } => keys::export_public(&db, &org, &out).await,
            KeysAction::Split {
                db,
                org,
                shares,
                threshold,
            } => keys::split(&db, &org, shares, threshold).await,
            KeysAction::Recover { db, org } => keys::recover(&db, &org).await,
            KeysAction::Rotate { db, org } => keys::rotate(&db, &org).await,
        },
    }
}

/// Work done by the command line itself, recorded in the audit chain as `system:<task>`.
async fn system(db: &crate::cli::Db, task: &str) -> Result<kinga_app::System, Failure> {
    Ok(crate::database::open(db).await?.system(task))
}
