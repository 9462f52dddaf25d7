//! Parts of a token exactly as the TSA encoded them. Signatures cover bytes, and decoding a
//! SET OF sorts it, so a signed part is taken from the token rather than encoded again.
use der::asn1::AnyRef;
use der::{Decode, Reader, SliceReader, Tag, TagNumber};

/// The elements inside one constructed element, each with its tag and length.
pub(super) fn contents(tlv: &[u8]) -> der::Result<Vec<&[u8]>> {
    let outer = AnyRef::from_der(tlv)?;
    let mut reader = SliceReader::new(outer.value())?;
    let mut out = Vec::new();
    while !reader.is_finished() {
        out.push(reader.tlv_bytes()?);
    }
    Ok(out)
}

/// Whether an element is the constructed context-specific `[n]`.
pub(super) fn is_context(tlv: &[u8], n: TagNumber) -> bool {
    Tag::from_der(&tlv[..1.min(tlv.len())]).is_ok_and(|t| {
        t == Tag::ContextSpecific {
            constructed: true,
            number: n,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_come_back_as_encoded() {
        // SEQUENCE { SET { INTEGER 2, INTEGER 1 } (unsorted), [0] { NULL } }
        let data = [
            0x30, 0x0c, 0x31, 0x06, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01, 0xa0, 0x02, 0x05, 0x00,
        ];
        let parts = contents(&data).unwrap();
        assert_eq!(parts[0], &data[2..10]);
        assert_eq!(contents(parts[0]).unwrap(), [&data[4..7], &data[7..10]]);
        assert!(is_context(parts[1], TagNumber::N0) && !is_context(parts[0], TagNumber::N0));
        assert!(contents(&data[..5]).is_err());
    }
}
