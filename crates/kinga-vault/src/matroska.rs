//! Duration of WebM and Matroska from the Segment's Info element: Duration (a float counted in
//! TimecodeScale nanoseconds, 1 ms unless said otherwise). Info comes before the first Cluster
//! in files written by every common muxer, so the head of the file is enough. Recordings cut
//! off while live (a browser's MediaRecorder) carry no Duration and get none here.

const EBML: u32 = 0x1a45_dfa3;
const SEGMENT: u32 = 0x1853_8067;
const INFO: u32 = 0x1549_a966;
const CLUSTER: u32 = 0x1f43_b675;
const TIMECODE_SCALE: u32 = 0x2a_d7b1;
const DURATION: u32 = 0x4489;

/// An element ID as written (length marker kept) and its length in bytes.
fn element_id(b: &[u8], at: usize) -> Option<(u32, usize)> {
    let first = *b.get(at)?;
    let len = first.leading_zeros() as usize + 1;
    if len > 4 {
        return None;
    }
    let id = b
        .get(at..at + len)?
        .iter()
        .fold(0u32, |acc, &x| (acc << 8) | u32::from(x));
    Some((id, len))
}

/// A data size and its length in bytes; `None` as size means "unknown" (all value bits set),
/// as live streams write for the Segment.
fn data_size(b: &[u8], at: usize) -> Option<(Option<u64>, usize)> {
    let first = *b.get(at)?;
    let len = first.leading_zeros() as usize + 1;
    if len > 8 {
        return None;
    }
    let bytes = b.get(at..at + len)?;
    let mask = if len == 8 { 0 } else { 0xffu8 >> len };
    let value = bytes[1..]
        .iter()
        .fold(u64::from(first & mask), |acc, &x| (acc << 8) | u64::from(x));
    let unknown = value == (1u64 << (7 * len)) - 1;
    Some(((!unknown).then_some(value), len))
}

/// Children of the element whose data spans `from..to`: (id, data start, data end).
fn children(b: &[u8], from: usize, to: usize) -> impl Iterator<Item = (u32, usize, usize)> + '_ {
    let mut at = from;
    std::iter::from_fn(move || {
        if at >= to {
            return None;
        }
        let (id, il) = element_id(b, at)?;
        let (size, sl) = data_size(b, at + il)?;
        let start = at + il + sl;
        let end = size.map_or(to, |s| start.saturating_add(s as usize).min(to));
        at = end;
        Some((id, start, end))
    })
}

fn uint(b: &[u8]) -> Option<u64> {
    (b.len() <= 8).then(|| b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x)))
}

fn float(b: &[u8]) -> Option<f64> {
    match b.len() {
        4 => Some(f64::from(f32::from_be_bytes(b.try_into().ok()?))),
        8 => Some(f64::from_be_bytes(b.try_into().ok()?)),
        _ => None,
    }
}

pub fn duration(head: &[u8]) -> Option<f64> {
    let (id, il) = element_id(head, 0)?;
    if id != EBML {
        return None;
    }
    let (size, sl) = data_size(head, il)?;
    let after_header = il + sl + size? as usize;
    let (_, seg_start, seg_end) =
        children(head, after_header, head.len()).find(|(id, _, _)| *id == SEGMENT)?;
    for (id, start, end) in children(head, seg_start, seg_end) {
        match id {
            INFO => {
                let (mut scale, mut duration) = (1_000_000u64, None);
                for (field, s, e) in children(head, start, end) {
                    match field {
                        TIMECODE_SCALE => scale = uint(&head[s..e])?,
                        DURATION => duration = float(&head[s..e]),
                        _ => {}
                    }
                }
                return duration
                    .filter(|d| d.is_finite() && *d >= 0.0)
                    .map(|d| d * scale as f64 / 1e9);
            }
            CLUSTER => return None,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn element(id: &[u8], body: &[u8]) -> Vec<u8> {
        let mut v = id.to_vec();
        // An 8-byte size, as some muxers write even for small elements.
        v.push(0x01);
        v.extend_from_slice(&(body.len() as u64).to_be_bytes()[1..]);
        v.extend_from_slice(body);
        v
    }

    fn file(info: &[u8]) -> Vec<u8> {
        let mut f = element(&[0x1a, 0x45, 0xdf, 0xa3], &element(&[0x42, 0x82], b"webm"));
        let mut segment = element(&[0x11, 0x4d, 0x9b, 0x74], &[0xec, 0x80]); // SeekHead, Void
        segment.extend(element(&[0x15, 0x49, 0xa9, 0x66], info));
        segment.extend(element(&[0x1f, 0x43, 0xb6, 0x75], &[0u8; 64]));
        // The Segment of unknown size, as a live recorder writes it.
        f.extend_from_slice(&[
            0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ]);
        f.extend(segment);
        f
    }

    #[test]
    fn duration_times_timecode_scale() {
        let mut info = vec![0x2a, 0xd7, 0xb1, 0x83, 0x0f, 0x42, 0x40]; // 1,000,000 ns
        info.extend_from_slice(&[0x44, 0x89, 0x88]);
        info.extend_from_slice(&12_345.0f64.to_be_bytes());
        assert_eq!(duration(&file(&info)), Some(12.345));

        // Another scale (100 µs) and a 4-byte float.
        let mut info = vec![0x2a, 0xd7, 0xb1, 0x83, 0x01, 0x86, 0xa0];
        info.extend_from_slice(&[0x44, 0x89, 0x84]);
        info.extend_from_slice(&900.0f32.to_be_bytes());
        assert_eq!(duration(&file(&info)), Some(0.09));

        // No Duration: no answer rather than a wrong one.
        assert_eq!(duration(&file(&[0x2a, 0xd7, 0xb1, 0x81, 0x01])), None);
        assert_eq!(duration(b"\x1a\x45\xdf"), None);
    }
}
