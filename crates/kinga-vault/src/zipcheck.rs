//! Strict layout check of a dossier zip, so that no byte of it goes unchecked: content is covered
//! by the manifest hashes and the zip CRCs, and everything else (local headers, central
//! directory, end records) must be the one consistent layout a writer produces: local and central
//! copies of each field equal, entries back to back, no comment, no gap, nothing after the end.
//! Fields only the central directory holds (version made by, attributes) must agree across
//! entries, so a single changed byte always disagrees with something.
use std::io::{Read, Seek, SeekFrom};

const LOCAL: u64 = 0x0403_4b50;
const CENTRAL: u64 = 0x0201_4b50;
const END: u64 = 0x0605_4b50;
const END64: u64 = 0x0606_4b50;
const LOCATOR64: u64 = 0x0706_4b50;

fn u16le(b: &[u8], at: usize) -> u64 {
    u16::from_le_bytes([b[at], b[at + 1]]) as u64
}
fn u32le(b: &[u8], at: usize) -> u64 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4")) as u64
}
fn u64le(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8"))
}

fn read_at<R: Read + Seek>(r: &mut R, at: u64, len: usize) -> Result<Vec<u8>, String> {
    r.seek(SeekFrom::Start(at)).map_err(|e| e.to_string())?;
    let mut v = vec![0u8; len];
    r.read_exact(&mut v)
        .map_err(|_| format!("zip structure: cut short at byte {at}"))?;
    Ok(v)
}

/// Extra fields as (id, data) pairs.
fn extras(b: &[u8]) -> Result<Vec<(u64, Vec<u8>)>, String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if i + 4 > b.len() {
            return Err("zip structure: malformed extra field".into());
        }
        let (id, len) = (u16le(b, i), u16le(b, i + 2) as usize);
        let data = b
            .get(i + 4..i + 4 + len)
            .ok_or("zip structure: malformed extra field")?;
        out.push((id, data.to_vec()));
        i += 4 + len;
    }
    Ok(out)
}

/// Resolves 0xFFFFFFFF placeholders from the zip64 extra field, in the order the format fixes.
fn resolve64(ex: &[(u64, Vec<u8>)], fields: &mut [&mut u64]) -> Result<(), String> {
    // Every byte of a zip64 field must be consumed: no slack for an unnoticed change.
    let z = ex
        .iter()
        .find(|(id, _)| *id == 1)
        .map(|(_, d)| d.as_slice());
    let mut at = 0;
    for f in fields.iter_mut() {
        if **f == 0xffff_ffff {
            let d = z.ok_or("zip structure: zip64 size without its extra field")?;
            if at + 8 > d.len() {
                return Err("zip structure: zip64 extra field too short".into());
            }
            **f = u64le(d, at);
            at += 8;
        }
    }
    if z.is_some_and(|d| d.len() != at) {
        return Err("zip structure: zip64 extra field does not match the header".into());
    }
    Ok(())
}

pub(crate) fn check<R: Read + Seek>(r: &mut R) -> Result<(), String> {
    let total = r.seek(SeekFrom::End(0)).map_err(|e| e.to_string())?;
    if total < 22 {
        return Err("zip structure: too short to be a zip".into());
    }
    let eocd_at = total - 22;
    let e = read_at(r, eocd_at, 22)?;
    if u32le(&e, 0) != END {
        return Err(
            "zip structure: end record not at the end (trailing bytes or a comment)".into(),
        );
    }
    let (mut count, mut cd_size, mut cd_at) = (u16le(&e, 10), u32le(&e, 12), u32le(&e, 16));
    if u16le(&e, 4) != 0 || u16le(&e, 6) != 0 || u16le(&e, 8) != count || u16le(&e, 20) != 0 {
        return Err("zip structure: end record fields are inconsistent".into());
    }
    let mut cd_end = eocd_at;
    if count == 0xffff || cd_size == 0xffff_ffff || cd_at == 0xffff_ffff {
        let loc = read_at(
            r,
            eocd_at
                .checked_sub(20)
                .ok_or("zip structure: zip64 locator missing")?,
            20,
        )?;
        if u32le(&loc, 0) != LOCATOR64 || u32le(&loc, 4) != 0 || u32le(&loc, 16) != 1 {
            return Err("zip structure: zip64 locator is inconsistent".into());
        }
        let e64_at = u64le(&loc, 8);
        // Checked: a forged offset near 2^64 must not wrap into a plausible one.
        if e64_at.checked_add(56) != Some(eocd_at - 20) {
            return Err("zip structure: zip64 end record misplaced".into());
        }
        let e64 = read_at(r, e64_at, 56)?;
        let n64 = u64le(&e64, 24);
        if u32le(&e64, 0) != END64
            || u64le(&e64, 4) != 44
            || u32le(&e64, 16) != 0
            || u32le(&e64, 20) != 0
            || u64le(&e64, 32) != n64
            || (count != 0xffff && count != n64)
        {
            return Err("zip structure: zip64 end record fields are inconsistent".into());
        }
        let (s64, a64) = (u64le(&e64, 40), u64le(&e64, 48));
        if (cd_size != 0xffff_ffff && cd_size != s64) || (cd_at != 0xffff_ffff && cd_at != a64) {
            return Err("zip structure: zip64 end record disagrees with the end record".into());
        }
        // A writer sets both versions of the zip64 record alike; one changed byte breaks that.
        if u16le(&e64, 12) != u16le(&e64, 14) {
            return Err("zip structure: zip64 end record versions are inconsistent".into());
        }
        count = n64;
        cd_size = s64;
        cd_at = a64;
        cd_end = e64_at;
    }
    if cd_at.checked_add(cd_size) != Some(cd_end) {
        return Err("zip structure: central directory size or offset is wrong".into());
    }

    let mut pos = cd_at;
    let mut expect_local = 0u64;
    let mut shared: Option<Vec<u8>> = None;
    for i in 0..count {
        let c = read_at(r, pos, 46)?;
        if u32le(&c, 0) != CENTRAL {
            return Err(format!("zip structure: central entry {} is damaged", i + 1));
        }
        let (nlen, xlen, clen) = (
            u16le(&c, 28) as usize,
            u16le(&c, 30) as usize,
            u16le(&c, 32),
        );
        let rest = read_at(r, pos + 46, nlen + xlen)?;
        let name = String::from_utf8_lossy(&rest[..nlen]).into_owned();
        let cex = extras(&rest[nlen..])?;
        let bad = |what: &str| format!("zip structure: entry {name}: {what}");
        if clen != 0 {
            return Err(bad("has a comment"));
        }
        // Fields only the central directory holds: identical for every entry a writer makes.
        let mut central_only = vec![c[5]];
        central_only.extend_from_slice(&c[34..42]);
        if c[4] != c[6] {
            return Err(bad("version made by differs from version needed"));
        }
        match &shared {
            None => shared = Some(central_only),
            Some(s) if *s == central_only => {}
            Some(_) => return Err(bad("version or attributes differ from the other entries")),
        }
        let (mut csize, mut usize_, mut offset) = (u32le(&c, 20), u32le(&c, 24), u32le(&c, 42));
        resolve64(&cex, &mut [&mut usize_, &mut csize, &mut offset])?;
        if offset != expect_local {
            return Err(bad(
                "local header is not where the directory says, or there is a gap",
            ));
        }
        let l = read_at(r, offset, 30)?;
        if u32le(&l, 0) != LOCAL {
            return Err(bad("local header is damaged"));
        }
        // version needed, flags, method, time, date, CRC-32 are stored twice: must agree.
        if l[4..18] != c[6..20] {
            return Err(bad("local header disagrees with the central directory"));
        }
        if u16le(&l, 6) & 0x08 != 0 {
            return Err(bad("uses a data descriptor"));
        }
        let (lnlen, lxlen) = (u16le(&l, 26) as usize, u16le(&l, 28) as usize);
        let lrest = read_at(r, offset + 30, lnlen + lxlen)?;
        if lrest[..lnlen] != rest[..nlen] {
            return Err(bad("local file name differs"));
        }
        let lex = extras(&lrest[lnlen..])?;
        let (mut lc, mut lu) = (u32le(&l, 18), u32le(&l, 22));
        resolve64(&lex, &mut [&mut lu, &mut lc])?;
        if (lc, lu) != (csize, usize_) {
            return Err(bad("sizes differ between local header and directory"));
        }
        let strip = |v: &[(u64, Vec<u8>)]| -> Vec<(u64, Vec<u8>)> {
            v.iter().filter(|(id, _)| *id != 1).cloned().collect()
        };
        if strip(&lex) != strip(&cex) {
            return Err(bad(
                "extra fields differ between local header and directory",
            ));
        }
        expect_local = (offset + 30 + (lnlen + lxlen) as u64)
            .checked_add(csize)
            .ok_or_else(|| bad("size is larger than any file"))?;
        pos += 46 + (nlen + xlen) as u64 + clen;
    }
    if pos != cd_at + cd_size {
        return Err("zip structure: central directory has trailing bytes".into());
    }
    if expect_local != cd_at {
        return Err("zip structure: bytes between the last entry and the directory".into());
    }
    Ok(())
}
