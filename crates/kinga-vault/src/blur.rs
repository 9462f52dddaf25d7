//! Obscuring a rectangle of pixels beyond recognition: averaged into coarse blocks first (so no
//! detail finer than a block survives, whatever the later smoothing), then smoothed by three box
//! blurs (close to a Gaussian) so the blocks do not leave a readable mosaic. Only pixels inside
//! the rectangle are read or written.
use crate::region::Rect;

pub const ALGORITHM: &str = "pixelate-box-blur-v1";

/// The block edge for a region: about eight blocks across its longer side, at least 4 px.
pub fn block_size(r: Rect) -> u32 {
    r.w.max(r.h).div_ceil(8).max(4)
}

/// Obscures `r` in an interleaved 8-bit buffer of `width` pixels per row and `channels` values
/// per pixel. `r` must lie inside the image (see `Region::resolve`).
pub fn obscure(buf: &mut [u8], width: u32, channels: usize, r: Rect) {
    let block = block_size(r);
    pixelate(buf, width, channels, r, block);
    let radius = block as usize;
    for _ in 0..3 {
        box_pass(buf, width, channels, r, radius, true);
        box_pass(buf, width, channels, r, radius, false);
    }
}

fn at(width: u32, channels: usize, x: u32, y: u32) -> usize {
    (y as usize * width as usize + x as usize) * channels
}

fn pixelate(buf: &mut [u8], width: u32, channels: usize, r: Rect, block: u32) {
    let mut by = r.y;
    while by < r.y + r.h {
        let bh = block.min(r.y + r.h - by);
        let mut bx = r.x;
        while bx < r.x + r.w {
            let bw = block.min(r.x + r.w - bx);
            let mut sum = [0u64; 4];
            for y in by..by + bh {
                for x in bx..bx + bw {
                    let i = at(width, channels, x, y);
                    for c in 0..channels {
                        sum[c] += u64::from(buf[i + c]);
                    }
                }
            }
            let n = u64::from(bw) * u64::from(bh);
            for y in by..by + bh {
                for x in bx..bx + bw {
                    let i = at(width, channels, x, y);
                    for c in 0..channels {
                        buf[i + c] = ((sum[c] + n / 2) / n) as u8;
                    }
                }
            }
            bx += bw;
        }
        by += bh;
    }
}

/// One sliding-window mean along rows (`horizontal`) or columns of the rectangle, the edge
/// pixels repeated beyond it.
fn box_pass(buf: &mut [u8], width: u32, channels: usize, r: Rect, radius: usize, horizontal: bool) {
    let (lines, len) = if horizontal {
        (r.h, r.w as usize)
    } else {
        (r.w, r.h as usize)
    };
    let window = (2 * radius + 1) as u32;
    let mut line = vec![0u8; len * channels];
    for l in 0..lines {
        let index = |k: usize| {
            if horizontal {
                at(width, channels, r.x + k as u32, r.y + l)
            } else {
                at(width, channels, r.x + l, r.y + k as u32)
            }
        };
        for k in 0..len {
            let i = index(k);
            line[k * channels..(k + 1) * channels].copy_from_slice(&buf[i..i + channels]);
        }
        let clamp = |j: isize| j.clamp(0, len as isize - 1) as usize;
        for c in 0..channels {
            let v = |j: isize| u32::from(line[clamp(j) * channels + c]);
            let mut sum: u32 = (-(radius as isize)..=radius as isize).map(v).sum();
            for k in 0..len {
                buf[index(k) + c] = ((sum + window / 2) / window) as u8;
                let k = k as isize;
                sum = sum + v(k + radius as isize + 1) - v(k - radius as isize);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_rectangle_changes_and_its_detail_is_gone() {
        let (w, h) = (64u32, 48u32);
        // A checkerboard: as much fine detail as an image can hold.
        let mut buf: Vec<u8> = (0..w * h)
            .flat_map(|i| {
                let v = if ((i % w) + (i / w)) % 2 == 0 { 255 } else { 0 };
                [v, v, v]
            })
            .collect();
        let before = buf.clone();
        let r = Rect {
            x: 8,
            y: 8,
            w: 32,
            h: 24,
        };
        obscure(&mut buf, w, 3, r);
        for y in 0..h {
            for x in 0..w {
                let i = at(w, 3, x, y);
                let inside = x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
                if inside {
                    assert!((120..=135).contains(&buf[i]), "({x},{y}) = {}", buf[i]);
                } else {
                    assert_eq!(buf[i], before[i], "({x},{y}) outside was touched");
                }
            }
        }
    }
}
