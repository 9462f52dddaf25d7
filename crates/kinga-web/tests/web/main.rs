//! The web layer over a real server on 127.0.0.1:0 with a temporary SQLite database.
mod alerts;
mod api;
mod cited_events;
mod credentials;
mod derivatives;
mod desk;
mod evidence;
mod evidence_attacks;
mod helpers;
mod hostile_input;
mod matrix;
mod request_ids;
mod risk;
mod signals;
mod signin_flow;
mod ui;
