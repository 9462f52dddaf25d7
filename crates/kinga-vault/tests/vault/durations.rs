//! Audio durations found at intake, for files far larger than the head the vault keeps: the Ogg
//! stream's last page is found in the tail, and a constant-bit-rate MP3 is measured by its size.
use crate::support::org;
use kinga_vault::{intake, IntakeOptions};

fn crc(bytes: &[u8]) -> u32 {
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

fn ogg_page(seq: u32, granule: i64, flags: u8, packet: &[u8]) -> Vec<u8> {
    let mut lacing = vec![255u8; packet.len() / 255];
    lacing.push((packet.len() % 255) as u8);
    let mut p = b"OggS\0".to_vec();
    p.push(flags);
    p.extend_from_slice(&granule.to_le_bytes());
    p.extend_from_slice(&0x4b49_4e47u32.to_le_bytes());
    p.extend_from_slice(&seq.to_le_bytes());
    p.extend_from_slice(&[0; 4]);
    p.push(lacing.len() as u8);
    p.extend_from_slice(&lacing);
    p.extend_from_slice(packet);
    let c = crc(&p);
    p[22..26].copy_from_slice(&c.to_le_bytes());
    p
}

fn intake_of(bytes: &[u8]) -> kinga_vault::Intake {
    let dir = tempfile::tempdir().unwrap();
    let opts = IntakeOptions {
        chunk_size: 4096,
        ..Default::default()
    };
    intake(dir.path(), bytes, &org().public(), &opts).unwrap()
}

#[test]
fn a_long_ogg_vorbis_stream_is_timed_by_its_last_page() {
    let mut id = b"\x01vorbis\0\0\0\0\x01".to_vec();
    id.extend_from_slice(&22_050u32.to_le_bytes());
    id.extend_from_slice(&[0; 13]);
    let mut file = ogg_page(0, 0, 2, &id);
    // About 1.2 MiB of pages: the last one is far beyond the head kept at intake.
    for seq in 1..=20u32 {
        file.extend(ogg_page(
            seq,
            i64::from(seq) * 22_050,
            0,
            &[seq as u8; 60_000],
        ));
    }
    file.extend(ogg_page(21, 22_050 * 90, 4, &[7; 100]));
    let got = intake_of(&file);
    assert_eq!(got.media.mime, "audio/ogg");
    assert_eq!(got.capture.duration_seconds, Some(90.0));
}

#[test]
fn a_constant_bit_rate_mp3_is_timed_by_its_size() {
    // MPEG-1 Layer III, 128 kbit/s, 44.1 kHz: 417-byte frames, 1152 samples each.
    let mut frame = vec![0xff, 0xfb, 0x90, 0x40];
    frame.resize(417, 0x11);
    let mut file = b"ID3\x03\0\0\0\0\0\x0a".to_vec();
    file.extend_from_slice(&[0; 10]);
    for _ in 0..5_000 {
        file.extend_from_slice(&frame);
    }
    let got = intake_of(&file);
    assert_eq!(got.media.mime, "audio/mpeg");
    let d = got.capture.duration_seconds.expect("a duration");
    let exact = 5_000.0 * 1152.0 / 44_100.0;
    assert!((d - exact).abs() / exact < 0.01, "{d} s against {exact} s");
}
