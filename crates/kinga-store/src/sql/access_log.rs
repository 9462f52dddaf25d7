use super::store_impl::draft;
use super::{Engine, SqlStore};
use crate::{AccessEvent, AccessLog, Actor, Result};
use kinga_domain::audit::AuditEntry;

#[async_trait::async_trait]
impl<E: Engine> AccessLog for SqlStore<E> {
    async fn record_access(&self, actor: &Actor, event: AccessEvent) -> Result<AuditEntry> {
        let actor = actor.clone();
        self.write(move |tx, chain| {
            Box::pin(async move {
                chain
                    .append(
                        tx,
                        draft(
                            &actor,
                            event.entity(),
                            event.entity_id(),
                            event.action(),
                            None,
                            None,
                            Some(event.explanation()),
                        ),
                    )
                    .await
            })
        })
        .await
    }
}
