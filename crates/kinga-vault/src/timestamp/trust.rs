//! Trust in the certificate that signed a time-stamp token, decided against certificates the
//! user names (the TSA's own, or the CA that issued it), offline: no revocation lookup.
use super::as_sent::contents;
use super::verify::{common_name, rsa_public_key};
use super::{err, TimestampInfo};
use crate::Result;
use der::oid::ObjectIdentifier;
use der::Decode;
use sha2::{Digest, Sha256, Sha384, Sha512};
use std::path::Path;
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::time::Time;
use x509_cert::Certificate;

const TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
const EXTENDED_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
const SHA256_RSA: &str = "1.2.840.113549.1.1.11";
const SHA384_RSA: &str = "1.2.840.113549.1.1.12";
const SHA512_RSA: &str = "1.2.840.113549.1.1.13";

/// Certificates the user trusts to vouch for a time-stamp authority.
#[derive(Clone, Debug)]
pub struct TrustAnchors {
    /// Where they came from, to name it in errors.
    pub source: String,
    anchors: Vec<Vec<u8>>,
}

/// A certificate with the bytes it came as: its fingerprint and the issuer's signature are over
/// those, not over an encoding made again.
struct Cert<'a> {
    raw: &'a [u8],
    tbs: &'a [u8],
    cert: Certificate,
    key_usages: Option<Vec<String>>,
}

impl Cert<'_> {
    fn label(&self) -> String {
        let cn = common_name(&self.cert.tbs_certificate.subject);
        format!(
            "\"{cn}\" (SHA-256 {})",
            hex::encode(Sha256::digest(self.raw))
        )
    }

    fn validity(&self) -> (Time, Time) {
        let v = &self.cert.tbs_certificate.validity;
        (v.not_before, v.not_after)
    }
}

fn parse(raw: &[u8]) -> std::result::Result<Cert<'_>, String> {
    let cert = Certificate::from_der(raw).map_err(|e| e.to_string())?;
    let tbs = *contents(raw)
        .map_err(|e| e.to_string())?
        .first()
        .ok_or("tbsCertificate missing")?;
    let key_usages = match cert
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == EXTENDED_KEY_USAGE)
    {
        Some(ext) => Some(
            ExtendedKeyUsage::from_der(ext.extn_value.as_bytes())
                .map_err(|e| format!("extendedKeyUsage: {e}"))?
                .0
                .iter()
                .map(ToString::to_string)
                .collect(),
        ),
        None => None,
    };
    Ok(Cert {
        raw,
        tbs,
        cert,
        key_usages,
    })
}

/// Seconds since 1970 of an RFC 3339 genTime, its fraction dropped as a certificate's times
/// have none.
fn unix_seconds(rfc3339: &str) -> Option<u64> {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339).ok()?;
    u64::try_from(t.timestamp()).ok()
}

/// Whether `issuer`'s key made `cert`'s signature over its tbsCertificate.
fn signed_by(cert: &Cert<'_>, issuer: &Cert<'_>) -> std::result::Result<(), String> {
    let key = rsa_public_key(&issuer.cert.tbs_certificate.subject_public_key_info)?;
    let alg = cert.cert.signature_algorithm.oid.to_string();
    let (scheme, hashed) = match alg.as_str() {
        SHA256_RSA => (
            rsa::Pkcs1v15Sign::new::<Sha256>(),
            Sha256::digest(cert.tbs).to_vec(),
        ),
        SHA384_RSA => (
            rsa::Pkcs1v15Sign::new::<Sha384>(),
            Sha384::digest(cert.tbs).to_vec(),
        ),
        SHA512_RSA => (
            rsa::Pkcs1v15Sign::new::<Sha512>(),
            Sha512::digest(cert.tbs).to_vec(),
        ),
        other => {
            return Err(format!(
                "its signature algorithm {other} is not supported (RSA PKCS#1 v1.5 with SHA-256/384/512 only)"
            ))
        }
    };
    key.verify(scheme, &hashed, cert.cert.signature.raw_bytes())
        .map_err(|_| "its signature does not verify under that certificate's key".to_string())
}

impl TrustAnchors {
    /// One or more PEM certificates; `source` names them in errors (a file name). Text around
    /// the certificates (comments in a CA bundle) is passed over.
    pub fn from_pem(text: &str, source: &str) -> Result<Self> {
        const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
        const END: &str = "-----END CERTIFICATE-----";
        let bad = |m: String| err(format!("trusted TSA certificate {source}: {m}"));
        let mut anchors = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find(BEGIN) {
            let block = &rest[start..];
            let end = block
                .find(END)
                .ok_or_else(|| bad("a certificate has no END line".into()))?
                + END.len();
            let n = anchors.len() + 1;
            let (label, der) = der::pem::decode_vec(&block.as_bytes()[..end])
                .map_err(|e| bad(format!("certificate {n} is not PEM: {e}")))?;
            if label != "CERTIFICATE" {
                return Err(bad(format!("certificate {n} is labelled {label}")));
            }
            parse(&der)
                .map_err(|e| bad(format!("certificate {n} is not an X.509 certificate: {e}")))?;
            anchors.push(der);
            rest = &block[end..];
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
        let issuer = &cert.cert.tbs_certificate.issuer;
        let vouched = if anchors.iter().any(|a| a.raw == cert.raw) {
            format!("is itself a trusted certificate from {}", self.source)
        } else {
            let issuers: Vec<&Cert<'_>> = anchors
                .iter()
                .filter(|a| &a.cert.tbs_certificate.subject == issuer)
                .collect();
            if issuers.is_empty() {
                let names: Vec<String> = anchors.iter().map(Cert::label).collect();
                return Err(fail(format!(
                    "{} is neither one of the trusted certificates in {} ({}) nor issued by one of them (its issuer is \"{}\")",
                    cert.label(),
                    self.source,
                    names.join(", "),
                    common_name(issuer)
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
        let at = unix_seconds(&info.gen_time).ok_or_else(|| {
            fail(format!(
                "the token's genTime {} is not understood",
                info.gen_time
            ))
        })?;
        let (not_before, not_after) = cert.validity();
        if at < not_before.to_unix_duration().as_secs()
            || at > not_after.to_unix_duration().as_secs()
        {
            return Err(fail(format!(
                "{} is valid from {} to {}, the token's genTime {} is outside that period",
                cert.label(),
                not_before.to_date_time(),
                not_after.to_date_time(),
                info.gen_time
            )));
        }
        match &cert.key_usages {
            Some(u) if u.iter().any(|o| *o == TIME_STAMPING.to_string()) => {}
            Some(u) => {
                return Err(fail(format!(
                    "{} lacks the extended key usage timeStamping ({TIME_STAMPING}); it allows only {}",
                    cert.label(),
                    u.join(", ")
                )))
            }
            None => {
                return Err(fail(format!(
                    "{} lacks the extended key usage timeStamping ({TIME_STAMPING}): it has no extendedKeyUsage extension",
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
    fn gen_time_reads_as_seconds_and_pem_needs_a_certificate() {
        assert_eq!(unix_seconds("1970-01-01T00:01:40.5Z"), Some(100));
        assert_eq!(unix_seconds("2026-11-26T22:30:01Z"), Some(1_795_732_201));
        assert_eq!(unix_seconds("not a time"), None);
        assert!(TrustAnchors::from_pem("nothing here", "x.pem")
            .unwrap_err()
            .to_string()
            .contains("no PEM certificate"));
        let e = TrustAnchors::from_pem(
            "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
            "x.pem",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("x.pem") && e.contains("certificate 1"), "{e}");
    }
}
