//! The exchange with the authority: one POST of a DER query, one DER reply (RFC 3161 §3.4).
use super::err;
use crate::{Result, VaultError};
use std::time::Duration;

/// A reply carries one token and a certificate or a short chain: a few kilobytes. Anything
/// near this is not a time-stamp reply, and is not read into memory.
const MAX_REPLY: usize = 1 << 20;
const QUERY: &str = "application/timestamp-query";
const REPLY: &str = "application/timestamp-reply";

pub(super) struct Reply {
    pub body: Vec<u8>,
    url: String,
    content_type: Option<String>,
}

impl Reply {
    /// An unreadable reply, with what the TSA said it was when that was not a time-stamp reply
    /// (an HTML error page sent as 200, say).
    pub fn explain(&self, e: VaultError) -> VaultError {
        match &self.content_type {
            Some(t) if !t.starts_with(REPLY) => err(format!(
                "TSA {}: answered with {t}, not {REPLY}: {e}",
                self.url
            )),
            _ => e,
        }
    }
}

/// The error and what caused it: reqwest's own message names the step, its sources the reason.
fn reason(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

pub(super) async fn post(url: &str, query: Vec<u8>, timeout: Duration) -> Result<Reply> {
    if !url.starts_with("http://") {
        return Err(err(format!(
            "TSA URL `{url}`: only http:// is supported (tokens are signed, TLS adds nothing)"
        )));
    }
    let failed = |e: reqwest::Error| err(format!("TSA {url}: {}", reason(e)));
    // A redirect would turn the POST into a GET on another host; the URL given is the one used.
    let client = reqwest::Client::builder()
        .connect_timeout(timeout)
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(failed)?;
    let mut resp = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, QUERY)
        .header(reqwest::header::ACCEPT, REPLY)
        .body(query)
        .send()
        .await
        .map_err(failed)?;
    let status = resp.status();
    if !status.is_success() {
        return Err(err(format!("TSA {url} answered HTTP {status}")));
    }
    let too_big = || err(format!("TSA {url}: the reply is over {MAX_REPLY} bytes"));
    if resp.content_length().is_some_and(|n| n > MAX_REPLY as u64) {
        return Err(too_big());
    }
    let content_type = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).to_ascii_lowercase());
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(failed)? {
        if body.len() + chunk.len() > MAX_REPLY {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Reply {
        body,
        url: url.to_string(),
        content_type,
    })
}
