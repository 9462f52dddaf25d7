//! Duration of Ogg Vorbis and Ogg Opus: the granule position of the stream's last page (a
//! sample count) over the sample rate from the first page; for Opus, always counted at 48 kHz,
//! less the pre-skip the decoder drops. Only the first page and the last pages are read.

/// The stream the first page opens: its serial number, sample rate and samples to skip.
struct Stream {
    serial: u32,
    rate: u64,
    pre_skip: u64,
}

fn le16(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 2)
        .map(|x| u64::from(u16::from_le_bytes([x[0], x[1]])))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|x| u32::from_le_bytes(x.try_into().expect("4")))
}

fn first_stream(head: &[u8]) -> Option<Stream> {
    if head.get(..4)? != b"OggS" {
        return None;
    }
    let segments = usize::from(*head.get(26)?);
    let body = 27 + segments;
    let packet = head.get(body..)?;
    let serial = le32(head, 14)?;
    if packet.starts_with(b"\x01vorbis") {
        let rate = u64::from(le32(packet, 12)?);
        return (rate > 0).then_some(Stream {
            serial,
            rate,
            pre_skip: 0,
        });
    }
    if packet.starts_with(b"OpusHead") {
        return Some(Stream {
            serial,
            rate: 48_000,
            pre_skip: le16(packet, 10)?,
        });
    }
    None
}

/// CRC-32 of Ogg pages: polynomial 0x04C11DB7, not reflected, starting from 0.
pub(crate) fn crc(bytes: &[u8]) -> u32 {
    let mut c = 0u32;
    for &b in bytes {
        c ^= u32::from(b) << 24;
        for _ in 0..8 {
            c = if c & 0x8000_0000 != 0 {
                (c << 1) ^ 0x04c1_1db7
            } else {
                c << 1
            };
        }
    }
    c
}

/// The granule position of the page starting at `at`, if a whole page of `serial` with a good
/// checksum starts there (the bytes "OggS" inside audio data are not a page).
fn page_granule(b: &[u8], at: usize, serial: u32) -> Option<i64> {
    let h = b.get(at..at + 27)?;
    if &h[..4] != b"OggS" || h[4] != 0 || le32(h, 14)? != serial {
        return None;
    }
    let segments = usize::from(h[26]);
    let lacing = b.get(at + 27..at + 27 + segments)?;
    let len = 27 + segments + lacing.iter().map(|&l| usize::from(l)).sum::<usize>();
    let page = b.get(at..at + len)?;
    let mut zeroed = page.to_vec();
    zeroed[22..26].fill(0);
    if crc(&zeroed) != le32(page, 22)? {
        return None;
    }
    Some(i64::from_le_bytes(h[6..14].try_into().expect("8")))
}

/// `head`: the first bytes of the file; `tail`: its last bytes (the whole file when small).
pub fn duration(head: &[u8], tail: &[u8]) -> Option<f64> {
    let stream = first_stream(head)?;
    let mut at = tail.len();
    while at > 0 {
        at = tail[..at].windows(4).rposition(|w| w == b"OggS")?;
        // -1 marks a page on which no packet ends; an earlier page has the count.
        match page_granule(tail, at, stream.serial) {
            Some(g) if g >= 0 => {
                let samples = (g as u64).saturating_sub(stream.pre_skip);
                return Some(samples as f64 / stream.rate as f64);
            }
            _ => continue,
        }
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// One Ogg page carrying `packet` (a single segment run), its checksum set.
    pub(crate) fn page(serial: u32, seq: u32, granule: i64, flags: u8, packet: &[u8]) -> Vec<u8> {
        let mut lacing = vec![255u8; packet.len() / 255];
        lacing.push((packet.len() % 255) as u8);
        let mut p = b"OggS\0".to_vec();
        p.push(flags);
        p.extend_from_slice(&granule.to_le_bytes());
        p.extend_from_slice(&serial.to_le_bytes());
        p.extend_from_slice(&seq.to_le_bytes());
        p.extend_from_slice(&[0; 4]);
        p.push(lacing.len() as u8);
        p.extend_from_slice(&lacing);
        p.extend_from_slice(packet);
        let c = crc(&p);
        p[22..26].copy_from_slice(&c.to_le_bytes());
        p
    }

    pub(crate) fn vorbis(rate: u32, last_granule: i64, filler: usize) -> Vec<u8> {
        let mut id = b"\x01vorbis\0\0\0\0\x02".to_vec();
        id.extend_from_slice(&rate.to_le_bytes());
        id.extend_from_slice(&[0; 13]);
        let mut file = page(7, 0, 0, 2, &id);
        let mut seq = 1;
        let mut left = filler;
        while left > 0 {
            // Audio that happens to contain the capture pattern, as real data may.
            let mut data = vec![0x55u8; left.min(60_000)];
            data[100..104].copy_from_slice(b"OggS");
            left -= data.len();
            file.extend(page(7, seq, -1, 0, &data));
            seq += 1;
        }
        file.extend(page(7, seq, last_granule, 4, &[1, 2, 3]));
        file
    }

    #[test]
    fn vorbis_from_the_last_granule() {
        let file = vorbis(44_100, 44_100 * 3 + 22_050, 1000);
        assert_eq!(duration(&file, &file), Some(3.5));
    }

    #[test]
    fn opus_less_its_pre_skip() {
        let mut head = b"OpusHead\x01\x02".to_vec();
        head.extend_from_slice(&312u16.to_le_bytes());
        head.extend_from_slice(&44_100u32.to_le_bytes());
        head.extend_from_slice(&[0, 0, 0]);
        let mut file = page(9, 0, 0, 2, &head);
        file.extend(page(9, 1, 0, 0, b"OpusTags\0\0\0\0\0\0\0\0"));
        file.extend(page(9, 2, 48_000 * 2 + 312, 4, &[9; 200]));
        assert_eq!(duration(&file, &file), Some(2.0));
    }

    #[test]
    fn a_damaged_last_page_falls_back_to_the_one_before() {
        let mut file = vorbis(8_000, 16_000, 0);
        let good_before = page(7, 5, 8_000, 0, &[0; 10]);
        let last_page = file.len() - (27 + 1 + 3);
        file.splice(last_page..last_page, good_before);
        let n = file.len();
        file[n - 1] ^= 0xff; // the last page's checksum no longer matches
        assert_eq!(duration(&file, &file), Some(1.0));
        assert_eq!(duration(b"RIFF....", b"RIFF"), None);
    }
}
