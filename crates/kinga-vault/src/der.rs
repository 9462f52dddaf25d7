//! Just enough DER to write a time-stamp request and read a time-stamp token: single-byte tags,
//! definite lengths.

#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub body: &'a [u8],
    /// The whole encoding, tag and length included.
    pub raw: &'a [u8],
}

pub(crate) type DerResult<T> = std::result::Result<T, String>;

pub(crate) fn read(input: &[u8]) -> DerResult<(Tlv<'_>, &[u8])> {
    let tag = *input.first().ok_or("unexpected end of data")?;
    if tag & 0x1f == 0x1f {
        return Err("multi-byte tags are not supported".into());
    }
    let first = *input.get(1).ok_or("length missing")?;
    let (len, hdr) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return Err("unsupported length encoding".into());
        }
        let bytes = input.get(2..2 + n).ok_or("length cut short")?;
        (
            bytes.iter().fold(0usize, |a, &b| (a << 8) | b as usize),
            2 + n,
        )
    };
    let end = hdr.checked_add(len).ok_or("length overflow")?;
    if end > input.len() {
        return Err(format!("element of {len} bytes overruns its container"));
    }
    Ok((
        Tlv {
            tag,
            body: &input[hdr..end],
            raw: &input[..end],
        },
        &input[end..],
    ))
}

/// Exactly one element filling `input`.
pub(crate) fn read_one(input: &[u8]) -> DerResult<Tlv<'_>> {
    let (t, rest) = read(input)?;
    if !rest.is_empty() {
        return Err("trailing bytes after element".into());
    }
    Ok(t)
}

pub(crate) fn children(body: &[u8]) -> DerResult<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let (t, r) = read(rest)?;
        out.push(t);
        rest = r;
    }
    Ok(out)
}

pub(crate) fn expect<'a>(t: Option<&Tlv<'a>>, tag: u8, what: &str) -> DerResult<Tlv<'a>> {
    match t {
        Some(t) if t.tag == tag => Ok(*t),
        Some(t) => Err(format!(
            "{what}: expected tag {tag:#04x}, found {:#04x}",
            t.tag
        )),
        None => Err(format!("{what}: missing")),
    }
}

pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    let n = content.len();
    if n < 0x80 {
        v.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|&b| b == 0)
            .collect();
        v.push(0x80 | bytes.len() as u8);
        v.extend(bytes);
    }
    v.extend_from_slice(content);
    v
}

pub(crate) fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

pub(crate) fn uint(bytes: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|&b| b == 0).collect();
    let mut c = if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
        vec![0]
    } else {
        Vec::new()
    };
    c.extend(trimmed);
    if c.is_empty() {
        c.push(0);
    }
    tlv(0x02, &c)
}

/// Dotted form of an OBJECT IDENTIFIER body.
pub(crate) fn oid_string(body: &[u8]) -> String {
    let mut parts: Vec<u64> = Vec::new();
    let mut acc = 0u64;
    for &b in body {
        acc = (acc << 7) | (b & 0x7f) as u64;
        if b & 0x80 == 0 {
            if parts.is_empty() {
                let first = (acc / 40).min(2);
                parts.push(first);
                parts.push(acc - first * 40);
            } else {
                parts.push(acc);
            }
            acc = 0;
        }
    }
    parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let big = vec![7u8; 300];
        let s = seq(&[&uint(&[0x80]), &tlv(0x04, &big)]);
        let top = read_one(&s).unwrap();
        let kids = children(top.body).unwrap();
        assert_eq!(kids[0].body, &[0, 0x80]);
        assert_eq!(kids[1].body.len(), 300);
        assert_eq!(
            oid_string(&[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]),
            "2.16.840.1.101.3.4.2.1"
        );
        assert!(read(&[0x30, 0x05, 1]).is_err());
    }
}
