mod import;
mod org;
mod serve;
mod token;
mod user;
mod verify;

use crate::cli::{Cli, Command, ImportSource, OrgAction, TokenAction, UserAction};
use crate::Failure;

pub async fn dispatch(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Serve {
            db,
            listen,
            demo,
            secure_cookies,
        } => serve::run(&db, &listen, demo, secure_cookies).await,
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
            action: TokenAction::Create { db, email },
        } => token::create(&db, &email).await,
        Command::Verify { db } => verify::run(&db).await,
        Command::Import {
            source:
                ImportSource::Ucdp {
                    db,
                    file,
                    org,
                    visibility,
                },
        } => import::ucdp(&db, &file, &org, &visibility).await,
    }
}

/// Work done by the command line itself, recorded in the audit chain as `system:<task>`.
async fn system(db: &crate::cli::Db, task: &str) -> Result<kinga_access::System, Failure> {
    let store = crate::database::open(db).await?;
    Ok(kinga_access::Access::new(store).system(task))
}
