//! Rings that cross the 180th meridian, cut in two.
//!
//! Natural Earth's Russia and Fiji have rings that step from 179.9° to -179.9°; projected as
//! they are, that step becomes a line across the whole map. Such a ring is made continuous
//! (longitudes past 180°), then cut at the meridian, and the far part moved back by 360°.
use super::topojson::LonLat;

/// The ring as one or more rings that each stay on one side of the 180th meridian.
pub(crate) fn split(ring: &[LonLat]) -> Vec<Vec<LonLat>> {
    let crosses = ring.windows(2).any(|w| (w[1].0 - w[0].0).abs() > 180.0);
    if !crosses {
        return vec![ring.to_vec()];
    }
    let mut continuous = Vec::with_capacity(ring.len());
    let mut shift = 0.0;
    for (i, &(lon, lat)) in ring.iter().enumerate() {
        if i > 0 {
            let step = lon - ring[i - 1].0;
            if step > 180.0 {
                shift -= 360.0;
            } else if step < -180.0 {
                shift += 360.0;
            }
        }
        continuous.push((lon + shift, lat));
    }
    // A ring around a pole (Antarctica) winds once around the globe; it is not cut, since its
    // step at the meridian runs along the map's edge.
    if shift != 0.0 {
        return vec![ring.to_vec()];
    }
    let mut parts = Vec::new();
    let main = clip(&clip(&continuous, -180.0, true), 180.0, false);
    let east = clip(&continuous, 180.0, true);
    let west = clip(&continuous, -180.0, false);
    for (part, offset) in [(main, 0.0), (east, -360.0), (west, 360.0)] {
        if part.len() >= 3 {
            parts.push(part.iter().map(|&(lon, lat)| (lon + offset, lat)).collect());
        }
    }
    parts
}

/// Sutherland–Hodgman against one meridian: keeps the part at or east of `lon` when `keep_east`,
/// else the part at or west of it. Where the ring is concave across the line, the kept part
/// gets edges along the line, which fill the same.
fn clip(ring: &[LonLat], lon: f64, keep_east: bool) -> Vec<LonLat> {
    let inside = |p: &LonLat| if keep_east { p.0 >= lon } else { p.0 <= lon };
    let cross = |a: &LonLat, b: &LonLat| {
        let t = (lon - a.0) / (b.0 - a.0);
        (lon, a.1 + t * (b.1 - a.1))
    };
    let mut out = Vec::with_capacity(ring.len());
    for (i, b) in ring.iter().enumerate() {
        let a = &ring[(i + ring.len() - 1) % ring.len()];
        match (inside(a), inside(b)) {
            (true, true) => out.push(*b),
            (true, false) => out.push(cross(a, b)),
            (false, true) => {
                out.push(cross(a, b));
                out.push(*b);
            }
            (false, false) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_across_the_meridian_becomes_two() {
        let ring = vec![
            (170.0, 0.0),
            (-170.0, 0.0),
            (-170.0, 10.0),
            (170.0, 10.0),
            (170.0, 0.0),
        ];
        let parts = split(&ring);
        assert_eq!(parts.len(), 2);
        for part in &parts {
            let lons: Vec<f64> = part.iter().map(|p| p.0).collect();
            let span = lons.iter().copied().fold(f64::MIN, f64::max)
                - lons.iter().copied().fold(f64::MAX, f64::min);
            assert!(span <= 10.0 + 1e-9, "{part:?}");
        }
    }

    #[test]
    fn other_rings_are_kept() {
        let ring = vec![(10.0, 0.0), (20.0, 0.0), (20.0, 10.0), (10.0, 0.0)];
        assert_eq!(split(&ring), vec![ring.clone()]);
        let polar = vec![
            (-180.0, -80.0),
            (0.0, -80.0),
            (180.0, -80.0),
            (180.0, -90.0),
            (-180.0, -90.0),
            (-180.0, -80.0),
        ];
        assert_eq!(split(&polar).len(), 1);
    }
}
