//! Who is on this server, as the operator holding the database sees it: every organisation and
//! every user.
use crate::{Result, System};
use kinga_domain::org::{Organisation, Slug};
use kinga_domain::user::User;

impl System {
    #[tracing::instrument(skip_all, fields(organisation = %slug))]
    pub async fn organisation(&self, slug: &Slug) -> Result<Option<Organisation>> {
        Ok(self.store.organisation(slug).await?)
    }

    /// The users of every organisation.
    #[tracing::instrument(skip_all)]
    pub async fn users(&self) -> Result<Vec<User>> {
        Ok(self.store.users(None).await?)
    }
}
