//! Duration of MPEG audio (MP3) from its first frames and the file size, never from decoding.
//!
//! In order of trust: the frame count of a Xing/Info header (written by LAME and most encoders,
//! exact for VBR and CBR alike), then a VBRI header (Fraunhofer encoders), and failing both an
//! estimate that assumes a constant bit rate: audio bytes × 8 / the first frame's bit rate. The
//! estimate is exact for CBR files and wrong for VBR files without a header, which are rare.

/// What the first frame header says.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Frame {
    bitrate: u32,
    sample_rate: u32,
    samples: u32,
    length: usize,
    mpeg1: bool,
    layer3: bool,
    mono: bool,
}

const BITRATES_V1: [[u32; 15]; 3] = [
    [
        0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
    ],
    [
        0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
    ],
    [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ],
];
const BITRATES_V2: [[u32; 15]; 2] = [
    [
        0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
    ],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
];

fn frame_at(b: &[u8], at: usize) -> Option<Frame> {
    let h = b.get(at..at + 4)?;
    if h[0] != 0xff || h[1] & 0xe0 != 0xe0 {
        return None;
    }
    let version = (h[1] >> 3) & 3; // 0: MPEG 2.5, 2: MPEG 2, 3: MPEG 1
    let layer = (h[1] >> 1) & 3; // 1: III, 2: II, 3: I
    let bitrate_index = (h[2] >> 4) as usize;
    let rate_index = ((h[2] >> 2) & 3) as usize;
    if version == 1 || layer == 0 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3 {
        return None;
    }
    let mpeg1 = version == 3;
    let bitrate = if mpeg1 {
        BITRATES_V1[(3 - layer) as usize][bitrate_index]
    } else {
        BITRATES_V2[usize::from(layer != 3)][bitrate_index]
    } * 1000;
    let sample_rate = [44_100, 48_000, 32_000][rate_index]
        >> match version {
            3 => 0,
            2 => 1,
            _ => 2,
        };
    let samples = match (layer, mpeg1) {
        (3, _) => 384,
        (2, _) | (1, true) => 1152,
        _ => 576,
    };
    let padding = usize::from((h[2] >> 1) & 1);
    let length = if layer == 3 {
        (12 * bitrate as usize / sample_rate as usize + padding) * 4
    } else {
        samples as usize / 8 * bitrate as usize / sample_rate as usize + padding
    };
    Some(Frame {
        bitrate,
        sample_rate,
        samples,
        length,
        mpeg1,
        layer3: layer == 1,
        mono: h[3] >> 6 == 3,
    })
}

/// Bytes taken by an ID3v2 tag at the start, if any.
fn id3v2_len(b: &[u8]) -> usize {
    if b.len() < 10 || &b[..3] != b"ID3" {
        return 0;
    }
    let size = b[6..10]
        .iter()
        .fold(0usize, |acc, &x| (acc << 7) | usize::from(x & 0x7f));
    let footer = if b[5] & 0x10 != 0 { 10 } else { 0 };
    10 + size + footer
}

/// The first frame, confirmed by the frame that follows it when `head` holds it (a stray 0xFF
/// byte is not a frame). Without an ID3 tag the file must start with a frame: searching other
/// content (a photo) for sync bytes would find some.
fn first_frame(head: &[u8]) -> Option<(usize, Frame)> {
    let start = id3v2_len(head);
    let end = if start == 0 {
        1
    } else {
        head.len().min(start + (64 << 10))
    };
    (start..end).find_map(|at| {
        let f = frame_at(head, at)?;
        let next = at + f.length;
        if next + 4 <= head.len() && frame_at(head, next).is_none() {
            return None;
        }
        Some((at, f))
    })
}

/// Whether the content starts like MPEG audio (two consecutive frames, after any ID3 tag).
pub fn looks_like_mp3(head: &[u8]) -> bool {
    first_frame(head).is_some_and(|(at, f)| head.len() >= at + f.length + 4)
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|x| u32::from_be_bytes(x.try_into().expect("4")))
}

/// `head`: the first bytes of the file; `tail`: its last bytes; `size`: its length.
pub fn duration(head: &[u8], tail: &[u8], size: u64) -> Option<f64> {
    let (at, f) = first_frame(head)?;
    let per_frame = f64::from(f.samples) / f64::from(f.sample_rate);
    if f.layer3 {
        let side = match (f.mpeg1, f.mono) {
            (true, false) => 32,
            (true, true) | (false, false) => 17,
            (false, true) => 9,
        };
        let x = at + 4 + side;
        if matches!(head.get(x..x + 4), Some(b"Xing" | b"Info")) {
            let flags = be32(head, x + 4)?;
            if flags & 1 != 0 {
                return Some(f64::from(be32(head, x + 8)?) * per_frame);
            }
        }
        let v = at + 36;
        if head.get(v..v + 4) == Some(b"VBRI") {
            return Some(f64::from(be32(head, v + 14)?) * per_frame);
        }
    }
    let id3v1 = if tail.len() >= 128 && &tail[tail.len() - 128..tail.len() - 125] == b"TAG" {
        128
    } else {
        0
    };
    let audio = size.checked_sub(at as u64 + id3v1)?;
    Some(audio as f64 * 8.0 / f64::from(f.bitrate))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An MPEG-1 Layer III frame, 128 kbit/s, 44.1 kHz, joint stereo: 417 bytes.
    fn frame(body: &[u8]) -> Vec<u8> {
        let mut f = vec![0xff, 0xfb, 0x90, 0x40];
        f.extend_from_slice(body);
        f.resize(417, 0);
        f
    }

    fn id3() -> Vec<u8> {
        let mut t = b"ID3\x03\x00\x00\x00\x00\x00\x14".to_vec();
        t.extend_from_slice(&[0xff; 20]); // a tag full of bytes that look like sync
        t
    }

    #[test]
    fn constant_bit_rate_from_the_size() {
        let mut file = id3();
        for _ in 0..100 {
            file.extend(frame(&[]));
        }
        file.extend_from_slice(b"TAG");
        file.extend_from_slice(&[0u8; 125]);
        assert!(looks_like_mp3(&file));
        let d = duration(&file, &file, file.len() as u64).unwrap();
        let exact = 100.0 * 1152.0 / 44_100.0;
        assert!((d - exact).abs() / exact < 0.01, "{d} vs {exact}");
    }

    #[test]
    fn xing_and_vbri_frame_counts() {
        let mut xing = vec![0u8; 32];
        xing.extend_from_slice(b"Xing");
        xing.extend_from_slice(&3u32.to_be_bytes()); // frames and bytes present
        xing.extend_from_slice(&2_000u32.to_be_bytes());
        let mut file = frame(&xing);
        file.extend(frame(&[]));
        let want = 2_000.0 * 1152.0 / 44_100.0;
        assert_eq!(
            duration(&file, &file, file.len() as u64),
            Some(want),
            "the header, not the two frames present"
        );
        let mut vbri = vec![0u8; 32];
        vbri.extend_from_slice(b"VBRI\0\x01\0\0\0\0");
        vbri.extend_from_slice(&1_000_000u32.to_be_bytes());
        vbri.extend_from_slice(&500u32.to_be_bytes());
        let mut file = frame(&vbri);
        file.extend(frame(&[]));
        assert_eq!(
            duration(&file, &file, file.len() as u64),
            Some(500.0 * 1152.0 / 44_100.0)
        );
    }

    #[test]
    fn not_mpeg_audio() {
        assert_eq!(duration(b"plain text", b"plain text", 10), None);
        assert!(!looks_like_mp3(&[0xff, 0xfb, 0x90, 0x40, 1, 2, 3]));
    }
}
