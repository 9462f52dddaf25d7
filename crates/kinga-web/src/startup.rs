use crate::state::AppState;
use axum::Router;
use kinga_app::Access;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

#[derive(Debug, Clone, Default)]
pub struct WebOptions {
    pub secure_cookies: bool,
    /// Evidence upload and download; without it those routes answer 503.
    pub vault: Option<Arc<crate::vault::Vault>>,
}

/// The server, bound to a listener it was given: tests hand it port 0, the binary the
/// address from `--listen`.
pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    pub fn build(access: Arc<Access>, listener: TcpListener, options: WebOptions) -> Self {
        let state = AppState {
            access,
            secure_cookies: options.secure_cookies,
            started: chrono::Utc::now(),
            vault: options.vault,
            key_unlocks: Arc::new(kinga_app::LoginLimiter::default()),
        };
        let api = crate::api::routes()
            .fallback(|| async { axum::http::StatusCode::NOT_FOUND })
            .layer(axum::middleware::map_response(crate::headers::api_problems));
        let router = Router::new()
            .nest("/api/v1", api)
            .merge(crate::ui::routes())
            .merge(crate::assets::routes())
            .layer(axum::middleware::map_response(
                crate::headers::security_headers,
            ))
            .layer(
                tower_http::trace::TraceLayer::new_for_http()
                    .make_span_with(crate::request_id::span)
                    .on_request(())
                    .on_response(
                        tower_http::trace::DefaultOnResponse::new().level(tracing::Level::DEBUG),
                    ),
            )
            .layer(axum::middleware::from_fn(crate::request_id::assign))
            .with_state(state);
        Application { listener, router }
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown())
        .await
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
