//! The map's SVG: one path per country, circles for points, a legend underneath.
use super::atlas::{Outline, ANTARCTICA, ATLAS};
use super::projection::equal_earth;
use super::view::Frame;
use super::{Class, Map, View, NO_DATA};
use crate::chart::PALETTE;
use crate::svg::{self, num, round_tenths, tenths, Doc, MUTED};
use std::collections::HashMap;
use std::fmt::Write;

const LEGEND_SIZE: f64 = 12.0;
const LEGEND_ROW: f64 = 20.0;
const BORDER: &str = "#ffffff";
const FOCUS: &str = "#1a1a1a";

pub(crate) fn map(m: &Map) -> String {
    let frame = Frame::new(&m.view, m.width);
    let legend = legend_entries(m);
    let legend_height = if legend.is_empty() {
        0.0
    } else {
        legend_rows(m.width, &legend) as f64 * LEGEND_ROW + 8.0
    };
    let mut doc = Doc::new(
        "kinga-map",
        m.width,
        frame.height + legend_height,
        &m.title,
        &m.desc,
    );
    // A nested viewport clips what lies past the map's edge without a clipPath, whose id could
    // clash with another figure's on the same page.
    let _ = write!(
        doc.buf(),
        r#"<svg x="0" y="0" width="{w}" height="{h}" viewBox="0 0 {w} {h}" overflow="hidden">"#,
        w = num(frame.width),
        h = num(frame.height)
    );
    countries(&mut doc, m, &frame);
    points(&mut doc, m, &frame);
    doc.raw("</svg>");
    if !legend.is_empty() {
        draw_legend(&mut doc, m.width, frame.height + 8.0, &legend);
    }
    doc.finish()
}

fn countries(doc: &mut Doc, m: &Map, frame: &Frame) {
    let shades: HashMap<_, _> = m.shades.iter().map(|s| (s.country, s)).collect();
    let focus = match m.view {
        View::Country { country, .. } => Some(country),
        _ => None,
    };
    let visible = ATLAS.iter().filter(|o| {
        o.bounds.intersects(&frame.bounds)
            && !(matches!(m.view, View::World) && o.numeric.as_deref() == Some(ANTARCTICA))
    });
    // Shaded countries are drawn after the grey ones and the focus country last, so their
    // borders are not painted over by a neighbour's.
    let mut order: Vec<(u8, &Outline)> = visible
        .map(|o| {
            let rank = match o.country {
                Some(c) if Some(c) == focus => 2,
                Some(c) if shades.contains_key(&c) => 1,
                _ => 0,
            };
            (rank, o)
        })
        .collect();
    order.sort_by_key(|(rank, _)| *rank);

    let _ = write!(
        doc.buf(),
        r#"<g class="countries" stroke="{BORDER}" stroke-width="0.5" stroke-linejoin="round">"#
    );
    for (rank, outline) in order {
        let d = path_data(outline, frame);
        if d.is_empty() {
            continue;
        }
        let shade = outline.country.and_then(|c| shades.get(&c));
        let fill = shade
            .and_then(|s| m.country_classes.get(s.class))
            .map_or(NO_DATA, |c| c.colour.as_str());
        doc.raw("<path");
        if let Some(country) = outline.country {
            let _ = write!(doc.buf(), r#" data-iso="{}""#, country.code());
        }
        if shade.is_some() {
            doc.raw(r#" class="shaded""#);
        }
        if rank == 2 {
            let _ = write!(doc.buf(), r#" stroke="{FOCUS}" stroke-width="1.5""#);
        }
        let _ = write!(doc.buf(), r#" fill="{}" d="{d}""#, svg::escape(fill));
        match shade.and_then(|s| s.label.as_deref()) {
            Some(label) => {
                let _ = write!(doc.buf(), "><title>{}</title></path>", svg::escape(label));
            }
            None => doc.raw("/>"),
        }
    }
    doc.raw("</g>");
}

/// Every ring as a move and relative lines, in tenths of a pixel. Rounding before taking the
/// differences keeps the rounding errors from adding up along a ring; points that round onto
/// the previous one, and rings too small to see, are left out.
fn path_data(outline: &Outline, frame: &Frame) -> String {
    let mut d = String::new();
    for ring in outline.polygons.iter().flatten() {
        let mut pts: Vec<(i64, i64)> = Vec::with_capacity(ring.len());
        for p in ring {
            let (x, y) = frame.pixel(*p);
            let q = (round_tenths(x), round_tenths(y));
            if pts.last() != Some(&q) {
                pts.push(q);
            }
        }
        if pts.len() > 1 && pts.first() == pts.last() {
            pts.pop();
        }
        if pts.len() < 3 {
            continue;
        }
        let (mut px, mut py) = pts[0];
        let _ = write!(d, "M{} {}", tenths(px), tenths(py));
        d.push('l');
        for (i, &(x, y)) in pts[1..].iter().enumerate() {
            let (dx, dy) = (x - px, y - py);
            if i > 0 && dx >= 0 {
                d.push(' ');
            }
            d.push_str(&tenths(dx));
            if dy >= 0 {
                d.push(' ');
            }
            d.push_str(&tenths(dy));
            (px, py) = (x, y);
        }
        d.push('z');
    }
    d
}

fn points(doc: &mut Doc, m: &Map, frame: &Frame) {
    if m.points.is_empty() {
        return;
    }
    doc.raw(r##"<g class="points" fill-opacity="0.75" stroke="#ffffff" stroke-width="0.5">"##);
    for p in &m.points {
        if !(p.lat.is_finite() && p.lon.is_finite() && p.radius.is_finite()) {
            continue;
        }
        let (x, y) = frame.pixel(equal_earth(p.lon, p.lat));
        // Points outside the view are left out rather than drawn off the edge.
        if !(0.0..=frame.width).contains(&x) || !(0.0..=frame.height).contains(&y) {
            continue;
        }
        let colour = point_colour(&m.point_classes, p.class);
        let _ = write!(
            doc.buf(),
            r#"<circle cx="{}" cy="{}" r="{}" fill="{}""#,
            num(x),
            num(y),
            num(p.radius.max(0.5)),
            svg::escape(&colour)
        );
        match &p.label {
            Some(label) => {
                let _ = write!(doc.buf(), "><title>{}</title></circle>", svg::escape(label));
            }
            None => doc.raw("/>"),
        }
    }
    doc.raw("</g>");
}

fn point_colour(classes: &[Class], class: usize) -> String {
    classes.get(class).map_or_else(
        || PALETTE[class % PALETTE.len()].to_string(),
        |c| c.colour.clone(),
    )
}

enum Swatch {
    Area,
    Point,
}

fn legend_entries(m: &Map) -> Vec<(Swatch, &str, String)> {
    let mut entries: Vec<(Swatch, &str, String)> = m
        .country_classes
        .iter()
        .map(|c| (Swatch::Area, c.label.as_str(), c.colour.clone()))
        .collect();
    if let Some(label) = &m.no_data {
        entries.push((Swatch::Area, label, NO_DATA.to_string()));
    }
    entries.extend(
        m.point_classes
            .iter()
            .map(|c| (Swatch::Point, c.label.as_str(), c.colour.clone())),
    );
    entries
}

fn entry_width(label: &str) -> f64 {
    LEGEND_SIZE + 6.0 + svg::text_width(label, LEGEND_SIZE) + 16.0
}

fn legend_rows(width: f64, entries: &[(Swatch, &str, String)]) -> usize {
    let mut rows = 1;
    let mut x = 10.0;
    for (_, label, _) in entries {
        let w = entry_width(label);
        if x + w > width && x > 10.0 {
            rows += 1;
            x = 10.0;
        }
        x += w;
    }
    rows
}

fn draw_legend(doc: &mut Doc, width: f64, top: f64, entries: &[(Swatch, &str, String)]) {
    doc.raw(r#"<g class="legend">"#);
    let (mut x, mut y) = (10.0, top);
    for (swatch, label, colour) in entries {
        let w = entry_width(label);
        if x + w > width && x > 10.0 {
            x = 10.0;
            y += LEGEND_ROW;
        }
        let colour = svg::escape(colour);
        let _ = match swatch {
            Swatch::Area => write!(
                doc.buf(),
                r#"<rect x="{}" y="{}" width="{s}" height="{s}" fill="{colour}" stroke="{MUTED}" stroke-width="0.5"/>"#,
                num(x),
                num(y),
                s = num(LEGEND_SIZE)
            ),
            Swatch::Point => write!(
                doc.buf(),
                r#"<circle cx="{}" cy="{}" r="{}" fill="{colour}"/>"#,
                num(x + LEGEND_SIZE / 2.0),
                num(y + LEGEND_SIZE / 2.0),
                num(LEGEND_SIZE / 2.5)
            ),
        };
        doc.text(
            x + LEGEND_SIZE + 6.0,
            y + LEGEND_SIZE - 1.0,
            LEGEND_SIZE,
            "start",
            MUTED,
            label,
        );
        x += w;
    }
    doc.raw("</g>");
}
