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
use crate::der::{self, Tlv};
use crate::{Result, VaultError};
use rand::rngs::OsRng;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;
pub use trust::TrustAnchors;

const SHA256_OID: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
const SIGNED_DATA_OID: &str = "1.2.840.113549.1.7.2";
const TST_INFO_OID: &str = "1.2.840.113549.1.9.16.1.4";
const MESSAGE_DIGEST_OID: &str = "1.2.840.113549.1.9.4";

mod trust;

fn err(m: impl Into<String>) -> VaultError {
    VaultError::Timestamp(m.into())
}

/// DER TimeStampReq for a SHA-256 digest, asking for the TSA certificate in the token.
pub fn request(digest: &[u8; 32], nonce: u64) -> Vec<u8> {
    let alg = der::seq(&[&der::tlv(0x06, SHA256_OID), &[0x05, 0x00]]);
    let imprint = der::seq(&[&alg, &der::tlv(0x04, digest)]);
    der::seq(&[
        &der::uint(&[1]),
        &imprint,
        &der::uint(&nonce.to_be_bytes()),
        &[0x01, 0x01, 0xff],
    ])
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
    pub fn stamp(&self, digest: &[u8; 32]) -> Result<(Vec<u8>, TimestampInfo)> {
        let nonce = OsRng.next_u64() >> 1;
        let body = post(&self.url, &request(digest, nonce), self.timeout)?;
        let token = token_from_response(&body)?;
        let info = verify_token(&token, digest)?;
        let want = hex::encode(&der::uint(&nonce.to_be_bytes())[2..]);
        if info.nonce.as_deref() != Some(want.as_str()) {
            return Err(err("the TSA's answer does not carry our request's nonce"));
        }
        Ok((token, info))
    }
}

/// The token (a CMS ContentInfo) out of a TimeStampResp, or the TSA's refusal.
pub fn token_from_response(resp: &[u8]) -> Result<Vec<u8>> {
    let top = der::read_one(resp).map_err(|e| err(format!("response: {e}")))?;
    let parts = der::children(top.body).map_err(|e| err(format!("response: {e}")))?;
    let status = der::expect(parts.first(), 0x30, "PKIStatusInfo").map_err(err)?;
    let st = der::children(status.body).map_err(err)?;
    let code = der::expect(st.first(), 0x02, "status").map_err(err)?;
    let code = code.body.iter().fold(0u32, |a, &b| (a << 8) | b as u32);
    if code > 1 {
        let text: Vec<String> = st
            .get(1)
            .and_then(|t| der::children(t.body).ok())
            .unwrap_or_default()
            .iter()
            .map(|s| String::from_utf8_lossy(s.body).into_owned())
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
    let token = der::expect(parts.get(1), 0x30, "timeStampToken").map_err(err)?;
    Ok(token.raw.to_vec())
}

fn child<'a>(kids: &[Tlv<'a>], i: usize, tag: u8, what: &str) -> Result<Tlv<'a>> {
    der::expect(kids.get(i), tag, what).map_err(err)
}

fn kids<'a>(t: &Tlv<'a>, what: &str) -> Result<Vec<Tlv<'a>>> {
    der::children(t.body).map_err(|e| err(format!("{what}: {e}")))
}

/// Checks a token against the digest it should cover (see the module notes for the limits).
pub fn verify_token(token: &[u8], digest: &[u8; 32]) -> Result<TimestampInfo> {
    let ci = der::read_one(token).map_err(|e| err(format!("token: {e}")))?;
    let ci = kids(&ci, "ContentInfo")?;
    let ct = child(&ci, 0, 0x06, "contentType")?;
    if der::oid_string(ct.body) != SIGNED_DATA_OID {
        return Err(err("token is not CMS SignedData"));
    }
    let wrapper = child(&ci, 1, 0xa0, "content")?;
    let sd = der::read_one(wrapper.body).map_err(|e| err(format!("SignedData: {e}")))?;
    let sd = kids(&sd, "SignedData")?;
    let encap = kids(
        &child(&sd, 2, 0x30, "encapContentInfo")?,
        "encapContentInfo",
    )?;
    if der::oid_string(child(&encap, 0, 0x06, "eContentType")?.body) != TST_INFO_OID {
        return Err(err("token content is not a TSTInfo"));
    }
    let explicit = child(&encap, 1, 0xa0, "eContent")?;
    let octets = der::read_one(explicit.body).map_err(|e| err(format!("eContent: {e}")))?;
    if octets.tag != 0x04 {
        return Err(err("eContent is not an OCTET STRING"));
    }
    let tst_der = octets.body;
    let tst = der::read_one(tst_der).map_err(|e| err(format!("TSTInfo: {e}")))?;
    let tst = kids(&tst, "TSTInfo")?;
    let policy = der::oid_string(child(&tst, 1, 0x06, "policy")?.body);
    let imprint = kids(&child(&tst, 2, 0x30, "messageImprint")?, "messageImprint")?;
    let alg = kids(&child(&imprint, 0, 0x30, "hashAlgorithm")?, "hashAlgorithm")?;
    if child(&alg, 0, 0x06, "hashAlgorithm")?.body != SHA256_OID {
        return Err(err("message imprint is not SHA-256"));
    }
    if child(&imprint, 1, 0x04, "hashedMessage")?.body != digest {
        return Err(err(
            "message imprint does not match: the token is for other content",
        ));
    }
    let serial = hex::encode(child(&tst, 3, 0x02, "serialNumber")?.body);
    let gen = child(&tst, 4, 0x18, "genTime")?;
    let gen_time = generalized_time(gen.body)?;
    let nonce = tst
        .iter()
        .skip(5)
        .find(|t| t.tag == 0x02)
        .map(|t| hex::encode(t.body));

    // The signer's signed attributes must bind this exact TSTInfo.
    let signer_infos = sd
        .iter()
        .rev()
        .find(|t| t.tag == 0x31)
        .ok_or_else(|| err("signerInfos missing"))?;
    let si = der::children(signer_infos.body).map_err(err)?;
    let si = kids(
        si.first().ok_or_else(|| err("no SignerInfo"))?,
        "SignerInfo",
    )?;
    let attrs = si
        .iter()
        .find(|t| t.tag == 0xa0)
        .ok_or_else(|| err("SignerInfo has no signed attributes"))?;
    let mut bound = false;
    for attr in der::children(attrs.body).map_err(err)? {
        let a = kids(&attr, "attribute")?;
        if der::oid_string(child(&a, 0, 0x06, "attrType")?.body) == MESSAGE_DIGEST_OID {
            let set = kids(&child(&a, 1, 0x31, "attrValues")?, "attrValues")?;
            let value = child(&set, 0, 0x04, "messageDigest")?;
            if value.body != Sha256::digest(tst_der).as_slice() {
                return Err(err(
                    "signed messageDigest does not match the TSTInfo (token altered)",
                ));
            }
            bound = true;
        }
    }
    if !bound {
        return Err(err("SignerInfo carries no messageDigest attribute"));
    }
    let (tsa_name, tsa_certificate) = check_signature(&sd, &si, attrs)?;
    Ok(TimestampInfo {
        gen_time,
        serial,
        policy,
        nonce,
        tsa_name,
        tsa_certificate_sha256: hex::encode(Sha256::digest(&tsa_certificate)),
        tsa_certificate,
    })
}

const RSA_OID: &str = "1.2.840.113549.1.1.1";
const SHA256_RSA_OID: &str = "1.2.840.113549.1.1.11";
const COMMON_NAME_OID: &str = "2.5.4.3";

/// Verifies the signer's signature over its signed attributes with the certificate the token
/// carries; returns that certificate's common name and DER.
fn check_signature(sd: &[Tlv<'_>], si: &[Tlv<'_>], attrs: &Tlv<'_>) -> Result<(String, Vec<u8>)> {
    let digest_alg = kids(&child(si, 2, 0x30, "digestAlgorithm")?, "digestAlgorithm")?;
    if child(&digest_alg, 0, 0x06, "digestAlgorithm")?.body != SHA256_OID {
        return Err(err("signer digest is not SHA-256 (not supported)"));
    }
    let sig_pos = si
        .iter()
        .position(|t| t.tag == 0x04)
        .ok_or_else(|| err("SignerInfo has no signature"))?;
    // The algorithm stands just before the signature; a signature first has none.
    let alg_pos = sig_pos
        .checked_sub(1)
        .ok_or_else(|| err("SignerInfo has no signatureAlgorithm"))?;
    let sig_alg = kids(
        &child(si, alg_pos, 0x30, "signatureAlgorithm")?,
        "signatureAlgorithm",
    )?;
    let alg = der::oid_string(child(&sig_alg, 0, 0x06, "signatureAlgorithm")?.body);
    if alg != RSA_OID && alg != SHA256_RSA_OID {
        return Err(err(format!(
            "signature algorithm {alg} is not supported (RSA PKCS#1 v1.5 only)"
        )));
    }
    let signature = si[sig_pos].body;
    // issuerAndSerialNumber: find the certificate it names.
    let sid = child(si, 1, 0x30, "issuerAndSerialNumber")?;
    let sid = kids(&sid, "issuerAndSerialNumber")?;
    let (issuer, serial) = (
        child(&sid, 0, 0x30, "issuer")?.raw,
        child(&sid, 1, 0x02, "serialNumber")?.body,
    );
    let certs = sd
        .iter()
        .find(|t| t.tag == 0xa0)
        .ok_or_else(|| err("token carries no certificate (request it with certReq)"))?;
    let mut signer = None;
    for cert in der::children(certs.body).map_err(err)? {
        let c = kids(&cert, "certificate")?;
        let tbs = kids(&child(&c, 0, 0x30, "tbsCertificate")?, "tbsCertificate")?;
        let off = usize::from(tbs.first().is_some_and(|t| t.tag == 0xa0));
        if tbs.get(off).map(|t| t.body) == Some(serial)
            && tbs.get(off + 2).map(|t| t.raw) == Some(issuer)
        {
            signer = Some((cert, tbs, off));
        }
    }
    let (cert, tbs, off) =
        signer.ok_or_else(|| err("the signer's certificate is not in the token"))?;
    let subject = child(&tbs, off + 4, 0x30, "subject")?;
    let public = rsa_public_key(&child(&tbs, off + 5, 0x30, "subjectPublicKeyInfo")?)
        .map_err(|e| err(format!("TSA key: {e}")))?;
    // The signature covers the attributes encoded as a SET, not with their [0] context tag.
    let mut signed = attrs.raw.to_vec();
    signed[0] = 0x31;
    let hashed = Sha256::digest(&signed);
    public
        .verify(rsa::Pkcs1v15Sign::new::<Sha256>(), &hashed, signature)
        .map_err(|_| err("the TSA's signature does not verify (token altered)"))?;
    Ok((common_name(subject.body), cert.raw.to_vec()))
}

/// The RSA key of a SubjectPublicKeyInfo.
fn rsa_public_key(spki: &Tlv<'_>) -> std::result::Result<rsa::RsaPublicKey, String> {
    let spki = der::children(spki.body)?;
    let key_alg = der::expect(spki.first(), 0x30, "algorithm")?;
    let key_alg = der::children(key_alg.body)?;
    if der::oid_string(der::expect(key_alg.first(), 0x06, "algorithm")?.body) != RSA_OID {
        return Err("the key is not RSA (not supported)".into());
    }
    let bits = der::expect(spki.get(1), 0x03, "subjectPublicKey")?;
    let key = der::read_one(bits.body.get(1..).unwrap_or_default())?;
    let key = der::children(key.body)?;
    let n = rsa::BigUint::from_bytes_be(der::expect(key.first(), 0x02, "modulus")?.body);
    let e = rsa::BigUint::from_bytes_be(der::expect(key.get(1), 0x02, "exponent")?.body);
    rsa::RsaPublicKey::new(n, e).map_err(|e| e.to_string())
}

fn common_name(name: &[u8]) -> String {
    for rdn in der::children(name).unwrap_or_default() {
        for atv in der::children(rdn.body).unwrap_or_default() {
            let parts = der::children(atv.body).unwrap_or_default();
            if parts.len() == 2 && der::oid_string(parts[0].body) == COMMON_NAME_OID {
                return String::from_utf8_lossy(parts[1].body).into_owned();
            }
        }
    }
    String::new()
}

/// `YYYYMMDDHHMMSS[.fff]Z` → RFC 3339.
fn generalized_time(body: &[u8]) -> Result<String> {
    let s = std::str::from_utf8(body).map_err(|_| err("genTime is not text"))?;
    let bad = || err(format!("genTime `{s}` is not YYYYMMDDHHMMSS[.f]Z"));
    let core = s.strip_suffix('Z').ok_or_else(bad)?;
    // Bytes, not text: a character straddling byte 14 must be refused, not sliced through.
    if core.len() < 14 || !core.as_bytes()[..14].iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let frac = &core[14..];
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

/// A minimal HTTP/1.1 POST: the TSA protocol needs nothing more, and it keeps the vault free
/// of an HTTP stack.
fn post(url: &str, body: &[u8], timeout: Duration) -> Result<Vec<u8>> {
    let rest = url.strip_prefix("http://").ok_or_else(|| {
        err(format!(
            "TSA URL `{url}`: only http:// is supported (tokens are signed, TLS adds nothing)"
        ))
    })?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let addr = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let sock = addr
        .to_socket_addrs()
        .map_err(|e| err(format!("TSA {authority}: {e}")))?
        .next()
        .ok_or_else(|| err(format!("TSA {authority}: no address")))?;
    let mut s = TcpStream::connect_timeout(&sock, timeout)
        .map_err(|e| err(format!("TSA {authority}: {e}")))?;
    s.set_read_timeout(Some(timeout)).ok();
    s.set_write_timeout(Some(timeout)).ok();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/timestamp-query\r\nAccept: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let io = |e: std::io::Error| err(format!("TSA {authority}: {e}"));
    s.write_all(head.as_bytes()).map_err(io)?;
    s.write_all(body).map_err(io)?;
    let mut resp = Vec::new();
    s.take(16 << 20).read_to_end(&mut resp).map_err(io)?;
    let split = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| err("TSA answer has no HTTP header"))?;
    let headers = String::from_utf8_lossy(&resp[..split]).to_ascii_lowercase();
    let status = headers.split_whitespace().nth(1).unwrap_or("");
    if status != "200" {
        return Err(err(format!("TSA answered HTTP {status}")));
    }
    let payload = &resp[split + 4..];
    if headers.contains("transfer-encoding: chunked") {
        dechunk(payload)
    } else {
        Ok(payload.to_vec())
    }
}

fn dechunk(mut data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or_else(|| err("bad chunked encoding"))?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| err("bad chunk size"))?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(data.get(..size).ok_or_else(|| err("chunk cut short"))?);
        data = data.get(size + 2..).ok_or_else(|| err("chunk cut short"))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_shape() {
        let r = request(&[0xab; 32], 0x8000_0000_0000_0001);
        let top = der::read_one(&r).unwrap();
        let k = der::children(top.body).unwrap();
        assert_eq!(k.len(), 4);
        assert_eq!(k[2].body[0], 0, "nonce kept positive");
        assert_eq!(
            generalized_time(b"20261126223001.5Z").unwrap(),
            "2026-11-26T22:30:01.5Z"
        );
        assert!(generalized_time(b"2026").is_err());
        assert!(generalized_time("2026112622300\u{e9}Z".as_bytes()).is_err());
        assert_eq!(
            dechunk(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").unwrap(),
            b"abcde"
        );
    }
}
