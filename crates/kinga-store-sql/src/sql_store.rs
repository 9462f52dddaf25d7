use crate::{Chain, Engine, Tx};
use futures::future::BoxFuture;
use kinga_store::{Result, StoreError};

/// The storage port implemented once over any driver's `Engine`.
pub struct SqlStore<E: Engine> {
    pub(crate) engine: E,
    pub(crate) written: std::sync::Arc<crate::events::WrittenSinceEmpty>,
}

impl<E: Engine> SqlStore<E> {
    pub fn new(engine: E) -> Self {
        SqlStore {
            engine,
            written: Default::default(),
        }
    }

    pub fn engine(&self) -> &E {
        &self.engine
    }

    /// Runs `f` as one audited, durable transaction.
    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut dyn Tx, &'a mut Chain) -> BoxFuture<'a, Result<T>>
            + Send
            + 'static,
    {
        let out = self
            .engine
            .write(Box::new(move |tx, chain| {
                Box::pin(async move {
                    f(tx, chain)
                        .await
                        .map(|v| Box::new(v) as crate::WriteOutput)
                })
            }))
            .await?;
        out.downcast::<T>()
            .map(|b| *b)
            .map_err(|_| StoreError::Backend("write job returned an unexpected type".into()))
    }
}
