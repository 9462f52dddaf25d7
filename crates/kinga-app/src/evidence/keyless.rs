//! Organisations that hold no keys yet: their evidence cannot be sealed until they have some.
//! The demo makes keys for its organisations at start; an operator learns who still needs
//! `kinga keys init`.
use super::{Result, Vault};
use kinga_domain::org::Organisation;

impl Vault {
    #[tracing::instrument(skip_all)]
    pub async fn organisations_without_keys(&self) -> Result<Vec<Organisation>> {
        let mut keyless = Vec::new();
        for org in self.store.organisations().await? {
            if self.store.org_key_sets(org.id).await?.is_empty() {
                keyless.push(org);
            }
        }
        Ok(keyless)
    }
}
