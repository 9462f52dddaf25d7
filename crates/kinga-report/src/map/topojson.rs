//! A TopoJSON reader for polygon collections: enough for world-atlas's countries.
//!
//! A topology stores each shared border once, as an "arc"; a polygon's ring lists the arcs it
//! follows, a negative index (`!i`) meaning arc `i` walked backwards. Quantized topologies store
//! arc points as integer steps from the previous point, scaled back by the `transform`.
use serde::Deserialize;
use std::collections::HashMap;

/// A point in degrees: longitude, latitude.
pub(crate) type LonLat = (f64, f64);
/// Outer ring first, then holes; each ring closed (last point equals the first).
pub(crate) type Polygon = Vec<Vec<LonLat>>;

#[derive(Debug)]
pub(crate) struct Feature {
    pub id: Option<String>,
    pub polygons: Vec<Polygon>,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TopoError(pub String);

#[derive(Deserialize)]
struct Topology {
    arcs: Vec<Vec<Vec<f64>>>,
    transform: Option<Transform>,
    objects: HashMap<String, Collection>,
}

#[derive(Deserialize)]
struct Transform {
    scale: [f64; 2],
    translate: [f64; 2],
}

#[derive(Deserialize)]
struct Collection {
    geometries: Vec<Geometry>,
}

#[derive(Deserialize)]
struct Geometry {
    #[serde(flatten)]
    shape: Shape,
    id: Option<String>,
}

#[derive(Deserialize)]
#[serde(tag = "type", content = "arcs")]
enum Shape {
    Polygon(Vec<Vec<i64>>),
    MultiPolygon(Vec<Vec<Vec<i64>>>),
    // Points and lines carry no outline.
    #[serde(other)]
    Other,
}

/// The polygons of every geometry in the collection `object` of the topology `json`.
pub(crate) fn features(json: &str, object: &str) -> Result<Vec<Feature>, TopoError> {
    let topology: Topology =
        serde_json::from_str(json).map_err(|e| TopoError(format!("not a topology: {e}")))?;
    let arcs = decode_arcs(&topology.arcs, topology.transform.as_ref())?;
    let collection = topology
        .objects
        .get(object)
        .ok_or_else(|| TopoError(format!("no object '{object}'")))?;
    collection
        .geometries
        .iter()
        .map(|g| {
            let polygons = match &g.shape {
                Shape::Polygon(rings) => vec![polygon(rings, &arcs)?],
                Shape::MultiPolygon(polys) => polys
                    .iter()
                    .map(|rings| polygon(rings, &arcs))
                    .collect::<Result<_, _>>()?,
                Shape::Other => Vec::new(),
            };
            Ok(Feature {
                id: g.id.clone(),
                polygons,
            })
        })
        .collect()
}

fn decode_arcs(
    raw: &[Vec<Vec<f64>>],
    transform: Option<&Transform>,
) -> Result<Vec<Vec<LonLat>>, TopoError> {
    raw.iter()
        .map(|arc| {
            let (mut x, mut y) = (0.0, 0.0);
            arc.iter()
                .map(|p| {
                    let (&px, &py) = match p.as_slice() {
                        [px, py, ..] => (px, py),
                        _ => {
                            return Err(TopoError("an arc point has fewer than two numbers".into()))
                        }
                    };
                    Ok(match transform {
                        Some(t) => {
                            x += px;
                            y += py;
                            (
                                x * t.scale[0] + t.translate[0],
                                y * t.scale[1] + t.translate[1],
                            )
                        }
                        None => (px, py),
                    })
                })
                .collect()
        })
        .collect()
}

fn polygon(rings: &[Vec<i64>], arcs: &[Vec<LonLat>]) -> Result<Polygon, TopoError> {
    rings.iter().map(|ring| stitch(ring, arcs)).collect()
}

/// A ring from its arcs. Each arc starts where the previous one ended, so that shared point is
/// kept once.
fn stitch(ring: &[i64], arcs: &[Vec<LonLat>]) -> Result<Vec<LonLat>, TopoError> {
    let mut points: Vec<LonLat> = Vec::new();
    for &index in ring {
        let (i, reversed) = if index < 0 {
            (!index, true)
        } else {
            (index, false)
        };
        let arc = usize::try_from(i)
            .ok()
            .and_then(|i| arcs.get(i))
            .ok_or_else(|| TopoError(format!("arc {index} does not exist")))?;
        let skip = usize::from(!points.is_empty());
        if reversed {
            points.extend(arc.iter().rev().skip(skip));
        } else {
            points.extend(arc.iter().skip(skip));
        }
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Two squares sharing the arc x=1, quantized with a scale of 0.5 degrees.
    const TWO_SQUARES: &str = r#"{
      "type": "Topology",
      "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
      "arcs": [[[2, 0], [0, 2]], [[2, 2], [-2, 0], [0, -2], [2, 0]], [[2, 0], [2, 0], [0, 2], [-2, 0]]],
      "objects": {"shapes": {"type": "GeometryCollection", "geometries": [
        {"type": "Polygon", "arcs": [[0, 1]], "id": "001", "properties": {"name": "West"}},
        {"type": "MultiPolygon", "arcs": [[[2, -1]]], "id": "002"},
        {"type": "Point", "coordinates": [1, 2]}
      ]}}
    }"#;

    #[test]
    fn decodes_quantized_arcs_and_stitches_rings() {
        let f = features(TWO_SQUARES, "shapes").unwrap();
        assert_eq!(f.len(), 3);
        assert_eq!(f[0].id.as_deref(), Some("001"));
        let west = &f[0].polygons[0][0];
        assert_eq!(west.first(), Some(&(11.0, 20.0)));
        assert_eq!(west.last(), west.first());
        assert_eq!(west.len(), 5);
        // The east square walks the shared arc backwards: from (11, 21) down to (11, 20).
        let east = &f[1].polygons[0][0];
        assert_eq!(
            east,
            &vec![
                (11.0, 20.0),
                (12.0, 20.0),
                (12.0, 21.0),
                (11.0, 21.0),
                (11.0, 20.0)
            ]
        );
        assert!(f[2].polygons.is_empty());
    }

    #[test]
    fn a_missing_arc_or_object_is_an_error() {
        assert!(features(TWO_SQUARES, "land").is_err());
        let broken = TWO_SQUARES.replace("[[0, 1]]", "[[0, 7]]");
        assert!(features(&broken, "shapes").is_err());
    }
}
