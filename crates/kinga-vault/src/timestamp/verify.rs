//! Checking a token offline: what it covers, and that the certificate it carries signed it.
use super::as_sent::{contents, is_context};
use super::tst_info::TstInfo;
use super::{err, generalized_time, TimestampInfo, SHA256};
use crate::Result;
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::AnyRef;
use der::oid::ObjectIdentifier;
use der::{Decode, Encode, Tag, TagNumber, Tagged};
use rsa::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256};
use x509_cert::name::Name;
use x509_cert::spki::SubjectPublicKeyInfoOwned;

const SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
const MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
pub(super) const RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const SHA256_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");

/// Checks a token against the digest it should cover (see the module notes for the limits).
pub fn verify_token(token: &[u8], digest: &[u8; 32]) -> Result<TimestampInfo> {
    let ci = ContentInfo::from_der(token).map_err(|e| err(format!("token: {e}")))?;
    if ci.content_type != SIGNED_DATA {
        return Err(err("token is not CMS SignedData"));
    }
    let sd_der = ci
        .content
        .to_der()
        .map_err(|e| err(format!("SignedData: {e}")))?;
    let sd = SignedData::from_der(&sd_der).map_err(|e| {
        err(format!(
            "SignedData (its certificates or SignerInfo) cannot be read: {e}"
        ))
    })?;
    let encap = &sd.encap_content_info;
    if encap.econtent_type != TST_INFO {
        return Err(err("token content is not a TSTInfo"));
    }
    let octets = encap
        .econtent
        .as_ref()
        .ok_or_else(|| err("token carries no TSTInfo"))?;
    if octets.tag() != Tag::OctetString {
        return Err(err("eContent is not an OCTET STRING"));
    }
    let tst_der = octets.value();
    let tst = TstInfo::from_der(tst_der).map_err(|e| err(format!("TSTInfo: {e}")))?;
    let imprint = &tst.message_imprint;
    if imprint.hash_algorithm.oid != SHA256 {
        return Err(err("message imprint is not SHA-256"));
    }
    if imprint.hashed_message.as_bytes() != digest {
        return Err(err(
            "message imprint does not match: the token is for other content",
        ));
    }
    let gen_time = generalized_time(tst.gen_time.0)?;
    let (tsa_name, tsa_certificate) = check_signer(&sd_der, tst_der)?;
    Ok(TimestampInfo {
        gen_time,
        serial: hex::encode(tst.serial_number.as_bytes()),
        policy: tst.policy.to_string(),
        nonce: tst.nonce.map(|n| hex::encode(n.as_bytes())),
        tsa_name,
        tsa_certificate_sha256: hex::encode(Sha256::digest(&tsa_certificate)),
        tsa_certificate,
    })
}

/// Checks that the first signer's signed attributes bind this TSTInfo and that its certificate's
/// key signed them; returns that certificate's common name and DER.
fn check_signer(sd_der: &[u8], tst_der: &[u8]) -> Result<(String, Vec<u8>)> {
    let read = |what: &str| {
        let what = what.to_string();
        move |e: der::Error| err(format!("{what}: {e}"))
    };
    let parts = contents(sd_der).map_err(read("SignedData"))?;
    let infos = parts.last().ok_or_else(|| err("signerInfos missing"))?;
    let si_der = *contents(infos)
        .map_err(read("signerInfos"))?
        .first()
        .ok_or_else(|| err("no SignerInfo"))?;
    let si = SignerInfo::from_der(si_der).map_err(read("SignerInfo"))?;
    let attrs = si
        .signed_attrs
        .as_ref()
        .ok_or_else(|| err("SignerInfo has no signed attributes"))?;
    let mut bound = false;
    for attr in attrs.iter().filter(|a| a.oid == MESSAGE_DIGEST) {
        let value = attr
            .values
            .get(0)
            .filter(|v| v.tag() == Tag::OctetString)
            .ok_or_else(|| err("messageDigest attribute: no OCTET STRING value"))?;
        if value.value() != Sha256::digest(tst_der).as_slice() {
            return Err(err(
                "signed messageDigest does not match the TSTInfo (token altered)",
            ));
        }
        bound = true;
    }
    if !bound {
        return Err(err("SignerInfo carries no messageDigest attribute"));
    }
    if si.digest_alg.oid != SHA256 {
        return Err(err("signer digest is not SHA-256 (not supported)"));
    }
    let alg = si.signature_algorithm.oid;
    if alg != RSA && alg != SHA256_RSA {
        return Err(err(format!(
            "signature algorithm {alg} is not supported (RSA PKCS#1 v1.5 only)"
        )));
    }
    let SignerIdentifier::IssuerAndSerialNumber(sid) = &si.sid else {
        return Err(err(
            "SignerInfo names its certificate by key identifier (not supported)",
        ));
    };
    let certs = parts
        .iter()
        .find(|p| is_context(p, TagNumber::N0))
        .ok_or_else(|| err("token carries no certificate (request it with certReq)"))?;
    let mut signer = None;
    for raw in contents(certs).map_err(read("certificates"))? {
        let choice = CertificateChoices::from_der(raw).map_err(read("certificate"))?;
        if let CertificateChoices::Certificate(cert) = choice {
            let tbs = &cert.tbs_certificate;
            if tbs.serial_number == sid.serial_number && tbs.issuer == sid.issuer {
                signer = Some((cert, raw));
            }
        }
    }
    let (cert, raw) = signer.ok_or_else(|| err("the signer's certificate is not in the token"))?;
    let public = rsa_public_key(&cert.tbs_certificate.subject_public_key_info)
        .map_err(|e| err(format!("TSA key: {e}")))?;
    let signed_attrs = contents(si_der)
        .map_err(read("SignerInfo"))?
        .into_iter()
        .find(|p| is_context(p, TagNumber::N0))
        .ok_or_else(|| err("SignerInfo has no signed attributes"))?;
    // The signature covers the attributes as a SET, not under their [0] tag (RFC 5652 §5.4).
    let signed = AnyRef::from_der(signed_attrs)
        .and_then(|a| AnyRef::new(Tag::Set, a.value()))
        .and_then(|set| set.to_der())
        .map_err(read("signed attributes"))?;
    public
        .verify(
            rsa::Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(&signed),
            si.signature.as_bytes(),
        )
        .map_err(|_| err("the TSA's signature does not verify (token altered)"))?;
    Ok((common_name(&cert.tbs_certificate.subject), raw.to_vec()))
}

/// The RSA key of a SubjectPublicKeyInfo.
pub(super) fn rsa_public_key(
    spki: &SubjectPublicKeyInfoOwned,
) -> std::result::Result<rsa::RsaPublicKey, String> {
    if spki.algorithm.oid != RSA {
        return Err("the key is not RSA (not supported)".into());
    }
    let der = spki.to_der().map_err(|e| e.to_string())?;
    rsa::RsaPublicKey::from_public_key_der(&der).map_err(|e| e.to_string())
}

/// The first common name in a Name, its bytes read as text whatever the string type.
pub(super) fn common_name(name: &Name) -> String {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|atv| atv.oid == COMMON_NAME)
        .map(|atv| String::from_utf8_lossy(atv.value.value()).into_owned())
        .unwrap_or_default()
}
