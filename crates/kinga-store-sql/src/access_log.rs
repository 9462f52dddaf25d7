use crate::change::Change;
use crate::{Engine, SqlStore};
use kinga_domain::audit::AuditEntry;
use kinga_store::{AccessEvent, AccessLog, Actor, Result};

#[async_trait::async_trait]
impl<E: Engine> AccessLog for SqlStore<E> {
    async fn record_access(&self, actor: &Actor, event: AccessEvent) -> Result<AuditEntry> {
        let actor = actor.clone();
        self.write(move |tx, chain| {
            Box::pin(async move { chain.record(tx, &actor, Change::access(&event)).await })
        })
        .await
    }
}
