//! RFC 3161 trusted timestamps: request a token for a SHA-256 digest from a time-stamp authority
//! over HTTP, and check a token offline.
//!
//! What [`verify_token`] checks: the token is a CMS SignedData whose content is a TSTInfo; the
//! TSTInfo's message imprint is SHA-256 and equals the digest given; the signer's signed
//! `messageDigest` attribute equals the SHA-256 of the TSTInfo (so the time and imprint are the
//! ones the signature covers); the RSA (PKCS#1 v1.5, SHA-256) signature over the signed
//! attributes verifies under the public key of the signer's certificate carried in the token;
//! genTime, serial number, policy, the TSA's name and its certificate's SHA-256 are reported.
//!
//! That alone proves only that whoever holds the certificate's key signed the token. Against a
//! trust anchor the user gives ([`TrustAnchors`]: the TSA's own certificate, or the CA that issued
//! it), [`TrustAnchors::check`] also proves the signer certificate IS an anchor or is signed by
//! one (RSA, issuer = the anchor's subject), its validity period contains genTime, and it carries
//! the extendedKeyUsage timeStamping. Still NOT checked: revocation (no CRL or OCSP is fetched,
//! the check stays offline), chains longer than anchor → TSA certificate, and the anchor's own
//! validity or constraints (it is trusted because the user named it).
//!
//! The messages are read and written with RustCrypto's `der`, `cms`, `x509-cert` and `x509-tsp`
//! (decision 0014); the request goes out through `reqwest`.
use crate::{Result, VaultError};
use der::asn1::{Any, Int, OctetString, Uint};
use der::oid::ObjectIdentifier;
use der::{Decode, Encode};
use rand::rngs::OsRng;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use x509_cert::spki::AlgorithmIdentifier;
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampResp, TspVersion};

pub use trust::TrustAnchors;
pub use verify::verify_token;

mod as_sent;
mod http;
mod trust;
mod tst_info;
mod verify;

const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

fn err(m: impl Into<String>) -> VaultError {
    VaultError::Timestamp(m.into())
}

/// The nonce as the INTEGER's content octets: how it is sent, and how the TSA echoes it.
fn nonce_int(nonce: u64) -> Int {
    Int::from(Uint::new(&nonce.to_be_bytes()).expect("eight bytes make an INTEGER"))
}

/// DER TimeStampReq for a SHA-256 digest, asking for the TSA certificate in the token.
pub fn request(digest: &[u8; 32], nonce: u64) -> Vec<u8> {
    let req = TimeStampReq {
        version: TspVersion::V1,
        message_imprint: MessageImprint {
            hash_algorithm: AlgorithmIdentifier {
                oid: SHA256,
                parameters: Some(Any::null()),
            },
            hashed_message: OctetString::new(digest.as_slice()).expect("32 bytes"),
        },
        req_policy: None,
        nonce: Some(nonce_int(nonce)),
        cert_req: true,
        extensions: None,
    };
    req.to_der().expect("a request of fixed shape encodes")
}

/// What a verified token says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimestampInfo {
    /// RFC 3339 UTC.
    pub gen_time: String,
    pub serial: String,
    pub policy: String,
    /// Hex of the nonce the TSA echoed, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// Common name of the certificate that signed the token.
    pub tsa_name: String,
    /// SHA-256 of that certificate (DER), to compare with the TSA's published fingerprint.
    pub tsa_certificate_sha256: String,
    /// That certificate (DER), for [`TrustAnchors::check`]; not kept when serialised.
    #[serde(skip)]
    pub tsa_certificate: Vec<u8>,
}

/// A time-stamp authority reached over plain HTTP (the token is itself signed, so transport
/// security adds nothing to its validity).
#[derive(Clone, Debug)]
pub struct Tsa {
    pub url: String,
    /// For connecting and for the whole exchange.
    pub timeout: Duration,
}

impl Tsa {
    pub fn new(url: impl Into<String>) -> Self {
        Tsa {
            url: url.into(),
            timeout: Duration::from_secs(30),
        }
    }

    /// Asks for a token over `digest` and checks it before returning its DER bytes.
    pub async fn stamp(&self, digest: &[u8; 32]) -> Result<(Vec<u8>, TimestampInfo)> {
        // Kept below 2^63 so the INTEGER stays eight octets and positive.
        let nonce = OsRng.next_u64() >> 1;
        let reply = http::post(&self.url, request(digest, nonce), self.timeout).await?;
        let token = token_from_response(&reply.body).map_err(|e| reply.explain(e))?;
        let info = verify_token(&token, digest)?;
        let want = hex::encode(nonce_int(nonce).as_bytes());
        if info.nonce.as_deref() != Some(want.as_str()) {
            return Err(err("the TSA's answer does not carry our request's nonce"));
        }
        Ok((token, info))
    }
}

/// The token (a CMS ContentInfo) out of a TimeStampResp, or the TSA's refusal.
pub fn token_from_response(resp: &[u8]) -> Result<Vec<u8>> {
    let resp = TimeStampResp::from_der(resp).map_err(|e| err(format!("response: {e}")))?;
    // granted (0) and grantedWithMods (1) carry a token; the rest are refusals.
    let code = resp.status.status as u8;
    if code > 1 {
        let text: Vec<String> = resp
            .status
            .status_string
            .iter()
            .flat_map(|s| s.iter())
            .map(|s| s.as_str().to_string())
            .collect();
        return Err(err(format!(
            "the TSA refused the request (status {code}{})",
            if text.is_empty() {
                String::new()
            } else {
                format!(": {}", text.join("; "))
            }
        )));
    }
    let token = resp
        .time_stamp_token
        .ok_or_else(|| err("response: the TSA granted the request but sent no timeStampToken"))?;
    // DER has one encoding per value, so this is the token as the TSA sent it.
    token
        .to_der()
        .map_err(|e| err(format!("timeStampToken: {e}")))
}

/// `YYYYMMDDHHMMSS[.f]Z` → RFC 3339; fractions of a second are kept as the TSA gave them.
fn generalized_time(body: &[u8]) -> Result<String> {
    let s = std::str::from_utf8(body).map_err(|_| err("genTime is not text"))?;
    let bad = || err(format!("genTime `{s}` is not YYYYMMDDHHMMSS[.f]Z"));
    let core = s.strip_suffix('Z').ok_or_else(bad)?;
    // Bytes, not text: a character straddling byte 14 must be refused, not sliced through.
    if core.len() < 14 || !core.as_bytes()[..14].iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let frac = &core[14..];
    if !frac.is_empty()
        && (frac.len() < 2
            || !frac.starts_with('.')
            || !frac.as_bytes()[1..].iter().all(u8::is_ascii_digit))
    {
        return Err(bad());
    }
    Ok(format!(
        "{}-{}-{}T{}:{}:{}{}Z",
        &core[..4],
        &core[4..6],
        &core[6..8],
        &core[8..10],
        &core[10..12],
        &core[12..14],
        frac
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_shape() {
        let r = request(&[0xab; 32], 0x4000_0000_0000_0001);
        let req = TimeStampReq::from_der(&r).unwrap();
        assert!(req.cert_req);
        assert_eq!(req.message_imprint.hash_algorithm.oid, SHA256);
        assert_eq!(req.message_imprint.hashed_message.as_bytes(), &[0xab; 32]);
        assert_eq!(req.nonce.unwrap().as_bytes()[0], 0x40);
        // A small nonce is sent in as few octets as it needs.
        let small = TimeStampReq::from_der(&request(&[0; 32], 5)).unwrap();
        assert_eq!(small.nonce.unwrap().as_bytes(), &[5]);
    }

    #[test]
    fn gen_time_keeps_fractions_and_refuses_the_rest() {
        assert_eq!(
            generalized_time(b"20261126223001.5Z").unwrap(),
            "2026-11-26T22:30:01.5Z"
        );
        assert_eq!(
            generalized_time(b"20261126223001Z").unwrap(),
            "2026-11-26T22:30:01Z"
        );
        assert!(generalized_time(b"2026").is_err());
        assert!(generalized_time(b"20261126223001.Z").is_err());
        assert!(generalized_time(b"20261126223001+0100").is_err());
        assert!(generalized_time("2026112622300\u{e9}Z".as_bytes()).is_err());
    }

    #[test]
    fn refusals_name_the_status_and_the_text() {
        // status 2 (rejection) with the text "busy"
        let resp = [
            0x30, 0x0c, 0x30, 0x0a, 0x02, 0x01, 0x02, 0x30, 0x05, 0x0c, 0x03, b'b', b'u', b'y',
        ];
        let e = token_from_response(&resp).unwrap_err().to_string();
        assert!(e.contains("refused") && e.contains("status 2: buy"), "{e}");
        let granted_empty = [0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00];
        let e = token_from_response(&granted_empty).unwrap_err().to_string();
        assert!(e.contains("no timeStampToken"), "{e}");
    }
}
