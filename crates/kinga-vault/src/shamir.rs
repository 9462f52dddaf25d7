//! Shamir k-of-n secret sharing over GF(256) (the AES field, x^8 + x^4 + x^3 + x + 1), byte by
//! byte: each secret byte is the constant term of a random polynomial of degree k-1, and share
//! `i` holds the polynomial's value at x = i. Any k shares interpolate back to x = 0; k-1 shares
//! say nothing about the secret.
use crate::{Result, VaultError};
use rand::rngs::OsRng;
use rand::RngCore;
use zeroize::{Zeroize, Zeroizing};

/// One trustee's share. `index` is 1..=255, never 0 (x = 0 is the secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Share {
    pub index: u8,
    pub threshold: u8,
    pub data: Vec<u8>,
}

impl Drop for Share {
    fn drop(&mut self) {
        self.data.zeroize();
    }
}

fn mul(mut a: u8, mut b: u8) -> u8 {
    let mut p = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            p ^= a;
        }
        let carry = a & 0x80;
        a <<= 1;
        if carry != 0 {
            a ^= 0x1b;
        }
        b >>= 1;
    }
    p
}

/// a^254 = a^-1 in GF(256).
fn inv(a: u8) -> u8 {
    let mut result = 1u8;
    let mut base = a;
    let mut e = 254u8;
    while e != 0 {
        if e & 1 != 0 {
            result = mul(result, base);
        }
        base = mul(base, base);
        e >>= 1;
    }
    result
}

pub fn split(secret: &[u8], threshold: u8, shares: u8) -> Result<Vec<Share>> {
    if threshold < 2 || shares < threshold {
        return Err(VaultError::Shares(format!(
            "need 2 ≤ threshold ≤ shares, got threshold {threshold} of {shares}"
        )));
    }
    let mut out: Vec<Share> = (1..=shares)
        .map(|index| Share {
            index,
            threshold,
            data: Vec::with_capacity(secret.len()),
        })
        .collect();
    let mut coeffs = Zeroizing::new(vec![0u8; threshold as usize]);
    for &byte in secret {
        coeffs[0] = byte;
        OsRng.fill_bytes(&mut coeffs[1..]);
        for share in &mut out {
            // Horner's rule from the highest coefficient down.
            let y = coeffs
                .iter()
                .rev()
                .fold(0u8, |acc, &c| mul(acc, share.index) ^ c);
            share.data.push(y);
        }
    }
    Ok(out)
}

pub fn combine(shares: &[Share]) -> Result<Zeroizing<Vec<u8>>> {
    let first = shares
        .first()
        .ok_or_else(|| VaultError::Shares("no shares given".into()))?;
    let k = first.threshold as usize;
    if shares.len() < k {
        return Err(VaultError::Shares(format!(
            "{} share(s) given, {k} needed",
            shares.len()
        )));
    }
    for s in shares {
        if s.threshold != first.threshold || s.data.len() != first.data.len() {
            return Err(VaultError::Shares(format!(
                "share {} does not belong with share {} (different threshold or length)",
                s.index, first.index
            )));
        }
        if s.index == 0 {
            return Err(VaultError::Shares("share index 0 is invalid".into()));
        }
    }
    let used = &shares[..k];
    for (i, a) in used.iter().enumerate() {
        if used[..i].iter().any(|b| b.index == a.index) {
            return Err(VaultError::Shares(format!(
                "share {} was given twice",
                a.index
            )));
        }
    }
    // Lagrange basis at x = 0: l_i = Π_{j≠i} x_j / (x_j - x_i); subtraction is XOR.
    let basis: Vec<u8> = used
        .iter()
        .map(|a| {
            used.iter()
                .filter(|b| b.index != a.index)
                .fold(1u8, |acc, b| mul(acc, mul(b.index, inv(b.index ^ a.index))))
        })
        .collect();
    let mut secret = Zeroizing::new(vec![0u8; first.data.len()]);
    for (pos, byte) in secret.iter_mut().enumerate() {
        *byte = used
            .iter()
            .zip(&basis)
            .fold(0u8, |acc, (s, &l)| acc ^ mul(s.data[pos], l));
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_inverse() {
        for a in 1..=255u8 {
            assert_eq!(mul(a, inv(a)), 1, "{a}");
        }
        assert_eq!(mul(0x57, 0x83), 0xc1); // FIPS-197 §4.2 example
    }

    #[test]
    fn every_k_subset_recovers_and_fewer_do_not() {
        let secret: Vec<u8> = (0..64u8).map(|i| i.wrapping_mul(37) ^ 0xa5).collect();
        let shares = split(&secret, 3, 5).unwrap();
        for a in 0..5 {
            for b in 0..5 {
                for c in 0..5 {
                    if a < b && b < c {
                        let got =
                            combine(&[shares[c].clone(), shares[a].clone(), shares[b].clone()])
                                .unwrap();
                        assert_eq!(&got[..], &secret[..]);
                    }
                }
            }
        }
        let err = combine(&shares[..2]).unwrap_err().to_string();
        assert!(err.contains("3 needed"), "{err}");
        // Two shares with the threshold lied about interpolate to something else entirely.
        let mut forged: Vec<Share> = shares[..2].to_vec();
        for s in &mut forged {
            s.threshold = 2;
        }
        assert_ne!(&combine(&forged).unwrap()[..], &secret[..]);
    }

    #[test]
    fn duplicates_and_bad_parameters_are_refused() {
        let shares = split(b"secret", 2, 3).unwrap();
        assert!(combine(&[shares[0].clone(), shares[0].clone()]).is_err());
        assert!(split(b"x", 1, 3).is_err());
        assert!(split(b"x", 4, 3).is_err());
    }
}
