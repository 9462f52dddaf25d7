//! The Equal Earth projection (Šavrič, Patterson and Jenny, 2018).
//!
//! An equal-area projection: a country's area on the map is in proportion to its area on the
//! ground, so a choropleth does not make high-latitude countries look larger than they are.

const A1: f64 = 1.340264;
const A2: f64 = -0.081106;
const A3: f64 = 0.000893;
const A4: f64 = 0.003796;

/// Projects longitude and latitude in degrees to plane coordinates on a sphere of radius 1,
/// y growing northwards. The world spans about ±2.71 across and ±1.32 from pole to pole.
pub fn equal_earth(lon: f64, lat: f64) -> (f64, f64) {
    let m = 3f64.sqrt() / 2.0;
    let lambda = lon.to_radians();
    let theta = (m * lat.to_radians().sin()).asin();
    let t2 = theta * theta;
    let t6 = t2 * t2 * t2;
    let x = lambda * theta.cos() / (m * (A1 + 3.0 * A2 * t2 + t6 * (7.0 * A3 + 9.0 * A4 * t2)));
    let y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2));
    (x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_is_the_centre_and_the_world_is_wider_than_tall() {
        assert_eq!(equal_earth(0.0, 0.0), (0.0, 0.0));
        let (east, _) = equal_earth(180.0, 0.0);
        let (_, north) = equal_earth(0.0, 90.0);
        assert!((east - 2.7066).abs() < 1e-3, "{east}");
        assert!((north - 1.3173).abs() < 1e-3, "{north}");
        assert!(east / north > 2.0);
    }

    #[test]
    fn symmetric_about_both_axes() {
        let (x, y) = equal_earth(20.0, 6.0);
        assert_eq!(equal_earth(-20.0, -6.0), (-x, -y));
        assert!(x > 0.0 && y > 0.0);
    }
}
