//! Trust in the certificate that signed a time-stamp token, decided against certificates the
//! user names (the TSA's own, or the CA that issued it), offline: no revocation lookup.
use super::{common_name, err, rsa_public_key, TimestampInfo};
use crate::der::{self, Tlv};
use crate::Result;
use base64::Engine;
use sha2::{Digest, Sha256, Sha384, Sha512};
use std::path::Path;

const TIME_STAMPING_OID: &str = "1.3.6.1.5.5.7.3.8";
const EXTENDED_KEY_USAGE_OID: &str = "2.5.29.37";

/// Certificates the user trusts to vouch for a time-stamp authority.
#[derive(Clone, Debug)]
pub struct TrustAnchors {
    /// Where they came from, to name it in errors.
    pub source: String,
    anchors: Vec<Vec<u8>>,
}

/// The parts of an X.509 certificate the trust decision reads.
struct Cert<'a> {
    raw: &'a [u8],
    tbs: &'a [u8],
    signature_alg: String,
    signature: &'a [u8],
    issuer: &'a [u8],
    subject: &'a [u8],
    not_before: String,
    not_after: String,
    spki: Tlv<'a>,
    key_usages: Option<Vec<String>>,
}

impl Cert<'_> {
    fn label(&self) -> String {
        let cn = name(self.subject);
        format!(
            "\"{cn}\" (SHA-256 {})",
            hex::encode(Sha256::digest(self.raw))
        )
    }
}

/// The common name of an encoded Name.
fn name(raw: &[u8]) -> String {
    der::read_one(raw)
        .map(|t| common_name(t.body))
        .unwrap_or_default()
}

fn parse(raw: &[u8]) -> std::result::Result<Cert<'_>, String> {
    let top = der::read_one(raw)?;
    let parts = der::children(top.body)?;
    let tbs = der::expect(parts.first(), 0x30, "tbsCertificate")?;
    let alg = der::expect(parts.get(1), 0x30, "signatureAlgorithm")?;
    let alg = der::children(alg.body)?;
    let signature_alg = der::oid_string(der::expect(alg.first(), 0x06, "algorithm")?.body);
    let bits = der::expect(parts.get(2), 0x03, "signatureValue")?;
    let t = der::children(tbs.body)?;
    let off = usize::from(t.first().is_some_and(|x| x.tag == 0xa0));
    let validity = der::expect(t.get(off + 3), 0x30, "validity")?;
    let validity = der::children(validity.body)?;
    let key_usages = match t.iter().skip(off + 6).find(|x| x.tag == 0xa3) {
        Some(ext) => extended_key_usage(ext)?,
        None => None,
    };
    Ok(Cert {
        raw: top.raw,
        tbs: tbs.raw,
        signature_alg,
        signature: bits.body.get(1..).unwrap_or_default(),
        issuer: der::expect(t.get(off + 2), 0x30, "issuer")?.raw,
        subject: der::expect(t.get(off + 4), 0x30, "subject")?.raw,
        not_before: cert_time(validity.first())?,
        not_after: cert_time(validity.get(1))?,
        spki: der::expect(t.get(off + 5), 0x30, "subjectPublicKeyInfo")?,
        key_usages,
    })
}

/// The extendedKeyUsage purposes, or None when the certificate has no such extension.
fn extended_key_usage(ext: &Tlv<'_>) -> std::result::Result<Option<Vec<String>>, String> {
    let list = der::read_one(ext.body)?;
    for e in der::children(list.body)? {
        let e = der::children(e.body)?;
        if der::oid_string(der::expect(e.first(), 0x06, "extnID")?.body) != EXTENDED_KEY_USAGE_OID {
            continue;
        }
        let value = der::expect(e.last(), 0x04, "extnValue")?;
        let seq = der::read_one(value.body)?;
        let usages = der::children(seq.body)?
            .iter()
            .map(|o| der::oid_string(o.body))
            .collect();
        return Ok(Some(usages));
    }
    Ok(None)
}

/// UTCTime or GeneralizedTime as `YYYYMMDDHHMMSS`, comparable as text.
fn cert_time(t: Option<&Tlv<'_>>) -> std::result::Result<String, String> {
    let t = t.ok_or("validity time missing")?;
    let s = std::str::from_utf8(t.body).map_err(|_| "validity time is not text")?;
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    match (t.tag, digits.len()) {
        (0x17, 12) => {
            let century = if digits[..2] < *"50" { "20" } else { "19" };
            Ok(format!("{century}{digits}"))
        }
        (0x18, 14) => Ok(digits),
        _ => Err(format!("validity time `{s}` is not understood")),
    }
}

/// RFC 3339 genTime as `YYYYMMDDHHMMSS`.
fn compact(rfc3339: &str) -> String {
    rfc3339
        .chars()
        .filter(char::is_ascii_digit)
        .take(14)
        .collect()
}

fn readable(t: &str) -> String {
    if t.len() < 14 {
        return t.to_string();
    }
    format!(
        "{}-{}-{}T{}:{}:{}Z",
        &t[..4],
        &t[4..6],
        &t[6..8],
        &t[8..10],
        &t[10..12],
        &t[12..14]
    )
}

/// Whether `issuer`'s key made `cert`'s signature over its tbsCertificate.
fn signed_by(cert: &Cert<'_>, issuer: &Cert<'_>) -> std::result::Result<(), String> {
    let key = rsa_public_key(&issuer.spki)?;
    let (scheme, hashed) = match cert.signature_alg.as_str() {
        "1.2.840.113549.1.1.11" => (
            rsa::Pkcs1v15Sign::new::<Sha256>(),
            Sha256::digest(cert.tbs).to_vec(),
        ),
        "1.2.840.113549.1.1.12" => (
            rsa::Pkcs1v15Sign::new::<Sha384>(),
            Sha384::digest(cert.tbs).to_vec(),
        ),
        "1.2.840.113549.1.1.13" => (
            rsa::Pkcs1v15Sign::new::<Sha512>(),
            Sha512::digest(cert.tbs).to_vec(),
        ),
        other => {
            return Err(format!(
                "its signature algorithm {other} is not supported (RSA PKCS#1 v1.5 with SHA-256/384/512 only)"
            ))
        }
    };
    key.verify(scheme, &hashed, cert.signature)
        .map_err(|_| "its signature does not verify under that certificate's key".to_string())
}

impl TrustAnchors {
    /// One or more PEM certificates; `source` names them in errors (a file name).
    pub fn from_pem(text: &str, source: &str) -> Result<Self> {
        let bad = |m: String| err(format!("trusted TSA certificate {source}: {m}"));
        let mut anchors = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
            let body = &rest[start + 27..];
            let end = body
                .find("-----END CERTIFICATE-----")
                .ok_or_else(|| bad("a certificate has no END line".into()))?;
            let b64: String = body[..end].chars().filter(|c| !c.is_whitespace()).collect();
            let der = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|e| {
                    bad(format!(
                        "certificate {} is not base64: {e}",
                        anchors.len() + 1
                    ))
                })?;
            parse(&der).map_err(|e| {
                bad(format!(
                    "certificate {} is not an X.509 certificate: {e}",
                    anchors.len() + 1
                ))
            })?;
            anchors.push(der);
            rest = &body[end..];
        }
        if anchors.is_empty() {
            return Err(bad(
                "no PEM certificate (-----BEGIN CERTIFICATE-----) in it".into(),
            ));
        }
        Ok(TrustAnchors {
            source: source.to_string(),
            anchors,
        })
    }

    /// Reads a PEM file; errors name the file.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| err(format!("trusted TSA certificate {}: {e}", path.display())))?;
        Self::from_pem(&text, &path.display().to_string())
    }

    /// Checks the certificate that signed a verified token; on success says what vouched for it.
    pub fn check(&self, info: &TimestampInfo) -> Result<String> {
        let fail = |m: String| err(format!("TSA certificate not trusted: {m}"));
        let cert = parse(&info.tsa_certificate)
            .map_err(|e| fail(format!("the token's certificate cannot be read: {e}")))?;
        let anchors: Vec<Cert<'_>> = self.anchors.iter().filter_map(|a| parse(a).ok()).collect();
        let vouched = if anchors.iter().any(|a| a.raw == cert.raw) {
            format!("is itself a trusted certificate from {}", self.source)
        } else {
            let issuers: Vec<&Cert<'_>> = anchors
                .iter()
                .filter(|a| a.subject == cert.issuer)
                .collect();
            if issuers.is_empty() {
                let names: Vec<String> = anchors.iter().map(Cert::label).collect();
                return Err(fail(format!(
                    "{} is neither one of the trusted certificates in {} ({}) nor issued by one of them (its issuer is \"{}\")",
                    cert.label(),
                    self.source,
                    names.join(", "),
                    name(cert.issuer)
                )));
            }
            let mut why = Vec::new();
            let mut by = None;
            for a in issuers {
                match signed_by(&cert, a) {
                    Ok(()) => {
                        by = Some(a);
                        break;
                    }
                    Err(e) => why.push(format!("by {}: {e}", a.label())),
                }
            }
            match by {
                Some(a) => format!(
                    "is issued by the trusted {} from {}",
                    a.label(),
                    self.source
                ),
                None => {
                    return Err(fail(format!(
                        "{} names a trusted issuer but is not signed by it ({})",
                        cert.label(),
                        why.join("; ")
                    )))
                }
            }
        };
        let at = compact(&info.gen_time);
        if at < cert.not_before || at > cert.not_after {
            return Err(fail(format!(
                "{} is valid from {} to {}, the token's genTime {} is outside that period",
                cert.label(),
                readable(&cert.not_before),
                readable(&cert.not_after),
                info.gen_time
            )));
        }
        match &cert.key_usages {
            Some(u) if u.iter().any(|o| o == TIME_STAMPING_OID) => {}
            Some(u) => {
                return Err(fail(format!(
                    "{} lacks the extended key usage timeStamping ({TIME_STAMPING_OID}); it allows only {}",
                    cert.label(),
                    u.join(", ")
                )))
            }
            None => {
                return Err(fail(format!(
                    "{} lacks the extended key usage timeStamping ({TIME_STAMPING_OID}): it has no extendedKeyUsage extension",
                    cert.label()
                )))
            }
        }
        Ok(format!(
            "TSA certificate {} {}, valid at genTime {}, with the timeStamping key usage (revocation not checked)",
            cert.label(),
            vouched,
            info.gen_time
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_compare_as_text() {
        let utc = der::tlv(0x17, b"491231235959Z");
        let t = der::read_one(&utc).unwrap();
        assert_eq!(cert_time(Some(&t)).unwrap(), "20491231235959");
        let utc = der::tlv(0x17, b"500101000000Z");
        let t = der::read_one(&utc).unwrap();
        assert_eq!(cert_time(Some(&t)).unwrap(), "19500101000000");
        assert_eq!(compact("2026-11-26T22:30:01.5Z"), "20261126223001");
        assert!(TrustAnchors::from_pem("nothing here", "x.pem")
            .unwrap_err()
            .to_string()
            .contains("no PEM certificate"));
    }
}
