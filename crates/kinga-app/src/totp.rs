//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), the kind
//! every authenticator app reads from an `otpauth://` URI.
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const STEP: u64 = 30;

pub fn base32_encode(data: &[u8]) -> String {
    let mut out = String::new();
    let (mut buf, mut bits) = (0u64, 0u32);
    for &b in data {
        buf = (buf << 8) | u64::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u64, 0u32);
    for c in s.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = ALPHABET
            .iter()
            .position(|a| *a as char == c.to_ascii_uppercase())? as u64;
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buf >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base32_encode(&bytes)
}

pub fn code_at(secret: &str, unix_seconds: u64) -> Option<String> {
    let key = base32_decode(secret)?;
    let counter = unix_seconds / STEP;
    let mut mac = Hmac::<Sha1>::new_from_slice(&key).ok()?;
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = (h[19] & 0x0f) as usize;
    let bin = (u32::from(h[offset] & 0x7f) << 24)
        | (u32::from(h[offset + 1]) << 16)
        | (u32::from(h[offset + 2]) << 8)
        | u32::from(h[offset + 3]);
    Some(format!("{:06}", bin % 1_000_000))
}

pub fn now_code(secret: &str) -> Option<String> {
    code_at(secret, chrono::Utc::now().timestamp() as u64)
}

/// Accepts the current step and one on either side, for phones whose clocks drift.
pub fn check(secret: &str, code: &str) -> bool {
    let now = chrono::Utc::now().timestamp() as u64;
    let code = code.trim();
    [now.saturating_sub(STEP), now, now + STEP]
        .iter()
        .filter_map(|t| code_at(secret, *t))
        .any(|c| crate::token::same(&c, code))
}

pub fn otpauth_uri(secret: &str, account: &str) -> String {
    format!("otpauth://totp/Kinga:{account}?secret={secret}&issuer=Kinga&algorithm=SHA1&digits=6&period=30")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_reference_values() {
        // RFC 6238 appendix B, SHA-1 key "12345678901234567890", truncated to 6 digits.
        let secret = base32_encode(b"12345678901234567890");
        assert_eq!(code_at(&secret, 59).unwrap(), "287082");
        assert_eq!(code_at(&secret, 1111111109).unwrap(), "081804");
        assert_eq!(code_at(&secret, 2000000000).unwrap(), "279037");
    }

    #[test]
    fn base32_round_trip_and_check() {
        let s = new_secret();
        assert_eq!(base32_encode(&base32_decode(&s).unwrap()), s);
        assert!(check(&s, &now_code(&s).unwrap()));
        assert!(!check(&s, "000000x"));
    }
}
