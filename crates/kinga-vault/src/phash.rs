//! Near-duplicate images by difference hash (dHash): the image in grey, shrunk to 9×8, one bit
//! per horizontal neighbour pair (is the left pixel brighter?). Re-encoding, resizing and mild
//! recompression move few bits; different pictures differ in about half of the 64.
use crate::{Result, VaultError};
use serde::{Deserialize, Serialize};
use std::fmt;

/// At most this many differing bits counts as the same picture.
pub const NEAR_DUPLICATE_BITS: u32 = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct PerceptualHash(pub u64);

impl PerceptualHash {
    /// Decodes a JPEG or PNG and hashes it.
    pub fn of_image(bytes: &[u8]) -> Result<Self> {
        let img = image::load_from_memory(bytes).map_err(|e| VaultError::Image(e.to_string()))?;
        let small = img
            .grayscale()
            .resize_exact(9, 8, image::imageops::FilterType::Triangle)
            .to_luma8();
        let mut bits = 0u64;
        for y in 0..8 {
            for x in 0..8 {
                bits <<= 1;
                if small.get_pixel(x, y)[0] > small.get_pixel(x + 1, y)[0] {
                    bits |= 1;
                }
            }
        }
        Ok(PerceptualHash(bits))
    }

    pub fn distance(self, other: PerceptualHash) -> u32 {
        hamming(self.0, other.0)
    }

    pub fn is_near_duplicate(self, other: PerceptualHash) -> bool {
        self.distance(other) <= NEAR_DUPLICATE_BITS
    }
}

pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

impl fmt::Display for PerceptualHash {
    /// `dhash:` and 16 hex digits, the form stored beside the item.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dhash:{:016x}", self.0)
    }
}

impl From<PerceptualHash> for String {
    fn from(h: PerceptualHash) -> String {
        h.to_string()
    }
}

impl TryFrom<String> for PerceptualHash {
    type Error = VaultError;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl std::str::FromStr for PerceptualHash {
    type Err = VaultError;
    fn from_str(s: &str) -> Result<Self> {
        s.strip_prefix("dhash:")
            .and_then(|h| u64::from_str_radix(h, 16).ok())
            .map(PerceptualHash)
            .ok_or_else(|| VaultError::Image(format!("`{s}` is not a dhash:<16 hex digits>")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hamming_and_text_form() {
        assert_eq!(hamming(0b1011, 0b0001), 2);
        let h = PerceptualHash(0x0123_4567_89ab_cdef);
        assert_eq!(h.to_string().parse::<PerceptualHash>().unwrap(), h);
        assert!("dhash:zz".parse::<PerceptualHash>().is_err());
    }
}
