//! The figures as a reader's browser gets them: well-formed, accessible, self-contained SVG.
use chrono::NaiveDate;
use kinga_domain::Country;
use kinga_report::chart::{Bar, BarChart, ChartText, LineChart, Series, Sparkline};
use kinga_report::map::{self, Class, Map, Point, Shade, View};
use kinga_report::{Lang, Locale};
use roxmltree::{Document, Node};

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// Parses `svg` and checks what every figure must be: an SVG root with fixed size and a
/// viewBox, named for screen readers, with no script and nothing fetched from elsewhere.
fn check(svg: &str) -> Document<'_> {
    let doc = Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{svg}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().namespace(), Some(SVG_NS));
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("role"), Some("img"));
    for attr in ["width", "height", "viewBox"] {
        assert!(root.attribute(attr).is_some(), "no {attr}");
    }
    let children: Vec<_> = root.children().filter(Node::is_element).collect();
    assert_eq!(children[0].tag_name().name(), "title");
    assert_eq!(children[1].tag_name().name(), "desc");
    for node in doc.descendants().filter(Node::is_element) {
        assert_ne!(node.tag_name().name(), "script");
        assert_ne!(node.tag_name().name(), "foreignObject");
        for attr in node.attributes() {
            assert!(
                !attr.name().contains("href"),
                "{} links out",
                node.tag_name().name()
            );
            assert!(
                !attr.value().contains("url("),
                "{} refers to {}",
                attr.name(),
                attr.value()
            );
            assert!(
                !attr.name().starts_with("on"),
                "event handler {}",
                attr.name()
            );
        }
    }
    doc
}

fn elements<'a>(doc: &'a Document<'a>, name: &str) -> Vec<Node<'a, 'a>> {
    doc.descendants().filter(|n| n.has_tag_name(name)).collect()
}

fn in_group<'a>(doc: &'a Document<'a>, class: &str, name: &str) -> Vec<Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| n.has_tag_name(name))
        .filter(|n| n.ancestors().any(|a| a.attribute("class") == Some(class)))
        .collect()
}

fn texts(doc: &Document<'_>) -> Vec<String> {
    elements(doc, "text")
        .iter()
        .filter_map(|t| t.text().map(str::to_string))
        .collect()
}

fn number(n: &Node<'_, '_>, attr: &str) -> f64 {
    n.attribute(attr).unwrap().parse().unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn text(title: &str) -> ChartText {
    ChartText {
        title: title.into(),
        desc: "description".into(),
        x_label: "x".into(),
        y_label: "y".into(),
        empty: "nothing to show".into(),
    }
}

/// Incidents per month in a made-up series, growing to a peak.
fn monthly(n: u32, scale: f64) -> Vec<(NaiveDate, f64)> {
    (0..n)
        .map(|i| {
            let date = d(2013, 1, 1)
                .checked_add_months(chrono::Months::new(i))
                .unwrap();
            (
                date,
                (f64::from(i) * 0.7).sin().abs() * scale + f64::from(i) * scale / 20.0,
            )
        })
        .collect()
}

/// Ticks at whole multiples of a step of 1, 2 or 5 times a power of ten.
fn round_ticks(ticks: &[f64]) -> bool {
    let step = ticks[1] - ticks[0];
    let magnitude = 10f64.powf(step.log10().floor());
    let nice = [1.0, 2.0, 5.0]
        .iter()
        .any(|f| (step / magnitude - f).abs() < 1e-9);
    let multiples = ticks
        .iter()
        .all(|t| ((t / step) - (t / step).round()).abs() < 1e-9);
    nice && multiples && ticks.len() >= 3
}

#[test]
fn a_line_chart_has_one_path_per_series_and_round_ticks() {
    let chart = LineChart::new(text("Incidents"), Locale::new(Lang::En))
        .with_series(Series::new("Bangui", monthly(24, 900.0)))
        .with_series(Series::new("Ouham", monthly(24, 300.0)));
    let svg = chart.to_svg();
    let doc = check(&svg);
    assert_eq!(in_group(&doc, "series", "path").len(), 2);
    let ticks: Vec<f64> = in_group(&doc, "y-axis", "text")
        .iter()
        .map(|t| t.text().unwrap().replace(',', "").parse().unwrap())
        .collect();
    assert_eq!(ticks.first(), Some(&0.0));
    assert!(round_ticks(&ticks), "{ticks:?}");
    assert!(ticks.windows(2).all(|w| w[1] > w[0]));
    // Two years of months: ticks on months, written as ISO dates without month names.
    let dates: Vec<_> = in_group(&doc, "x-axis", "text")
        .iter()
        .map(|t| t.text().unwrap().to_string())
        .collect();
    assert!(
        dates.iter().all(|l| l.len() == 7 && l.starts_with("201")),
        "{dates:?}"
    );
    // Two named series get a legend.
    assert!(texts(&doc).contains(&"Ouham".to_string()));
}

#[test]
fn french_charts_group_thousands_with_a_narrow_space() {
    let chart = LineChart::new(text("Incidents"), Locale::new(Lang::Fr)).with_series(Series::new(
        "",
        vec![(d(2020, 1, 1), 1234.5), (d(2021, 1, 1), 4321.0)],
    ));
    let svg = chart.to_svg();
    let doc = check(&svg);
    let labels = texts(&doc);
    assert!(labels.iter().any(|l| l == "1\u{202f}000"), "{labels:?}");
    assert!(!labels.iter().any(|l| l.contains(',')));
    let bars = BarChart::new(
        text("Taux"),
        Locale::new(Lang::Fr),
        vec![Bar::new("a", 0.25), Bar::new("b", 0.5)],
    );
    let svg = bars.to_svg();
    let doc = check(&svg);
    assert!(texts(&doc).contains(&"0,1".to_string()));
}

#[test]
fn text_is_escaped_everywhere() {
    let nasty = r#"<script>alert("x")</script> & 'quotes'"#;
    let chart_text = ChartText {
        title: nasty.into(),
        desc: nasty.into(),
        x_label: nasty.into(),
        y_label: nasty.into(),
        empty: nasty.into(),
    };
    let line = LineChart::new(chart_text.clone(), Locale::default())
        .with_series(Series::new(
            nasty,
            vec![(d(2020, 1, 1), 1.0), (d(2020, 2, 1), 2.0)],
        ))
        .with_series(Series::new("b", vec![(d(2020, 1, 1), 3.0)]));
    let bars = BarChart::new(
        chart_text.clone(),
        Locale::default(),
        vec![Bar::new(nasty, 3.0)],
    );
    let empty = LineChart::new(chart_text, Locale::default()).to_svg();
    let spark = Sparkline::new(nasty, nasty, nasty, vec![1.0, 2.0]);
    let mut world = Map::new(nasty, nasty, View::World);
    world.country_classes = vec![Class::new(nasty, r#"red" onload="x"#)];
    world.shades = vec![Shade {
        country: Country::parse("CAF").unwrap(),
        class: 0,
        label: Some(nasty.into()),
    }];
    world.points = vec![Point {
        lat: 4.4,
        lon: 18.6,
        radius: 3.0,
        class: 0,
        label: Some(nasty.into()),
    }];
    for svg in [
        line.to_svg(),
        bars.to_svg(),
        empty,
        spark.to_svg(),
        world.to_svg(),
    ] {
        let doc = check(&svg);
        assert_eq!(
            doc.root_element().first_element_child().unwrap().text(),
            Some(nasty)
        );
        assert!(!svg.contains("<script"));
    }
}

#[test]
fn empty_and_non_finite_data_say_so_instead_of_panicking() {
    let no_series = LineChart::new(text("t"), Locale::default());
    let all_nan = LineChart::new(text("t"), Locale::default()).with_series(Series::new(
        "a",
        vec![(d(2020, 1, 1), f64::NAN), (d(2020, 2, 1), f64::INFINITY)],
    ));
    let no_bars = BarChart::new(text("t"), Locale::default(), Vec::new());
    let nan_bars = BarChart::new(text("t"), Locale::default(), vec![Bar::new("a", f64::NAN)]);
    for svg in [
        no_series.to_svg(),
        all_nan.to_svg(),
        no_bars.to_svg(),
        nan_bars.to_svg(),
    ] {
        let doc = check(&svg);
        assert!(texts(&doc).contains(&"nothing to show".to_string()));
        assert!(elements(&doc, "path").is_empty());
    }
    let spark = Sparkline::new("t", "d", "none", vec![f64::NAN]);
    assert!(texts(&check(&spark.to_svg())).contains(&"none".to_string()));
}

#[test]
fn missing_values_break_the_line_and_leave_a_gap() {
    let points = vec![
        (d(2020, 1, 1), 1.0),
        (d(2020, 2, 1), 2.0),
        (d(2020, 3, 1), f64::NAN),
        (d(2020, 4, 1), 3.0),
        (d(2020, 5, 1), 1.0),
        (d(2020, 6, 1), f64::NEG_INFINITY),
        (d(2020, 7, 1), 4.0),
    ];
    let chart = LineChart::new(text("t"), Locale::default()).with_series(Series::new("a", points));
    let svg = chart.to_svg();
    let doc = check(&svg);
    let path = &in_group(&doc, "series", "path")[0];
    assert_eq!(path.attribute("d").unwrap().matches('M').count(), 2);
    // The last value stands alone between a gap and the end: a dot.
    assert_eq!(in_group(&doc, "series", "circle").len(), 1);

    let bars = vec![
        Bar::new("Jan", 4.0),
        Bar::new("Feb", f64::NAN),
        Bar::new("Mar", 7.0),
    ];
    let svg = BarChart::new(text("t"), Locale::default(), bars).to_svg();
    let doc = check(&svg);
    assert_eq!(in_group(&doc, "bars", "rect").len(), 2);
    // The missing month keeps its label.
    assert!(texts(&doc).contains(&"Feb".to_string()));
}

#[test]
fn a_bar_chart_has_a_bar_per_value_and_round_ticks() {
    let bars: Vec<Bar> = monthly(30, 40.0)
        .iter()
        .map(|(date, v)| Bar::new(date.format("%Y-%m").to_string(), v.round()))
        .collect();
    let svg = BarChart::new(text("Incidents per month"), Locale::default(), bars).to_svg();
    let doc = check(&svg);
    assert_eq!(in_group(&doc, "bars", "rect").len(), 30);
    let ticks: Vec<f64> = in_group(&doc, "y-axis", "text")
        .iter()
        .map(|t| t.text().unwrap().parse().unwrap())
        .collect();
    assert_eq!(ticks[0], 0.0);
    assert!(round_ticks(&ticks), "{ticks:?}");
}

#[test]
fn a_sparkline_is_one_line_and_a_dot() {
    let svg = Sparkline::new("Bangui", "weekly incidents", "", vec![3.0, 5.0, 2.0, 8.0]).to_svg();
    let doc = check(&svg);
    assert_eq!(elements(&doc, "path").len(), 1);
    assert_eq!(elements(&doc, "circle").len(), 1);
}

fn risk_classes() -> Vec<Class> {
    vec![
        Class::new("high", "#b2182b"),
        Class::new("elevated", "#ef8a62"),
        Class::new("watch", "#fddbc7"),
    ]
}

#[test]
fn a_world_choropleth_shades_one_path_per_country_with_a_value() {
    let mut world = Map::new("Risk", "Risk classes", View::World);
    world.country_classes = risk_classes();
    world.no_data = Some("no class".into());
    let shaded = ["CAF", "SSD", "MMR", "SDN", "COD"];
    world.shades = shaded
        .iter()
        .enumerate()
        .map(|(i, c)| Shade {
            country: Country::parse(c).unwrap(),
            class: i % 3,
            label: None,
        })
        .collect();
    // A country below the atlas's scale is skipped, not an error.
    world.shades.push(Shade {
        country: Country::parse("SGP").unwrap(),
        class: 0,
        label: None,
    });
    let svg = world.to_svg();
    let doc = check(&svg);
    let paths = in_group(&doc, "countries", "path");
    assert_eq!(
        paths
            .iter()
            .filter(|p| p.attribute("class") == Some("shaded"))
            .count(),
        shaded.len()
    );
    // Every outline but Antarctica's, one path each.
    assert_eq!(paths.len(), map::countries().len() + 3 - 1);
    let iso: Vec<_> = paths
        .iter()
        .filter_map(|p| p.attribute("data-iso"))
        .collect();
    let mut unique = iso.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), iso.len());
    assert!(!iso.contains(&"ATA"));
    let caf = paths
        .iter()
        .find(|p| p.attribute("data-iso") == Some("CAF"))
        .unwrap();
    assert_eq!(caf.attribute("fill"), Some("#b2182b"));
    let grey = paths
        .iter()
        .find(|p| p.attribute("data-iso") == Some("FRA"))
        .unwrap();
    assert_eq!(grey.attribute("fill"), Some(map::NO_DATA));
    // The legend: three classes and "no class".
    assert_eq!(in_group(&doc, "legend", "rect").len(), 4);
    let root = doc.root_element();
    assert!(number(&root, "width") > number(&root, "height"));
    assert!(svg.len() < 200_000, "{} bytes", svg.len());
}

fn caf_incidents() -> Vec<Point> {
    // Bangui, Bria, Birao, Bambari, Bossangoa, Paoua, Obo; then Paris, far outside the view.
    let places = [
        (4.36, 18.56),
        (6.54, 21.99),
        (10.28, 22.78),
        (5.76, 20.67),
        (6.49, 17.45),
        (7.24, 16.44),
        (5.40, 26.49),
        (48.86, 2.35),
    ];
    places
        .iter()
        .enumerate()
        .map(|(i, (lat, lon))| Point {
            lat: *lat,
            lon: *lon,
            radius: 4.0,
            class: i % 2,
            label: Some(format!("#{i}")),
        })
        .collect()
}

#[test]
fn a_country_page_map_zooms_to_the_country_with_its_incidents() {
    let caf = Country::parse("CAF").unwrap();
    let mut m = Map::new(
        "CAF",
        "Incidents",
        View::Country {
            country: caf,
            margin: 0.1,
        },
    );
    m.width = 640.0;
    m.point_classes = vec![
        Class::new("incident", "#d55e00"),
        Class::new("signal", "#0072b2"),
    ];
    m.points = caf_incidents();
    let svg = m.to_svg();
    let doc = check(&svg);
    let frame = elements(&doc, "svg")[1];
    let (w, h) = (number(&frame, "width"), number(&frame, "height"));
    assert!(w / h >= 0.99 && w / h <= 2.01);
    let paths = in_group(&doc, "countries", "path");
    let outline = paths
        .iter()
        .find(|p| p.attribute("data-iso") == Some("CAF"))
        .expect("the CAF outline");
    assert!(outline.attribute("stroke").is_some());
    // Its neighbours are drawn, far countries are not.
    assert!(paths.iter().any(|p| p.attribute("data-iso") == Some("TCD")));
    assert!(!paths.iter().any(|p| p.attribute("data-iso") == Some("BRA")));
    let circles = in_group(&doc, "points", "circle");
    assert_eq!(circles.len(), 7, "Paris is outside the view");
    for c in &circles {
        let (x, y) = (number(c, "cx"), number(c, "cy"));
        assert!(
            (0.0..=w).contains(&x) && (0.0..=h).contains(&y),
            "({x}, {y}) outside {w}×{h}"
        );
    }
    // The outline's start lies inside the view too.
    let d = outline.attribute("d").unwrap();
    let start: Vec<f64> = d[1..]
        .split('l')
        .next()
        .unwrap()
        .split(' ')
        .map(|v| v.parse().unwrap())
        .collect();
    assert!((0.0..=w).contains(&start[0]) && (0.0..=h).contains(&start[1]));
}

#[test]
fn a_box_of_degrees_and_a_country_without_an_outline_still_draw() {
    let sahel = Map::new(
        "Sahel",
        "",
        View::Bounds {
            west: -18.0,
            south: 8.0,
            east: 40.0,
            north: 25.0,
        },
    );
    let svg = sahel.to_svg();
    let doc = check(&svg);
    let iso: Vec<_> = in_group(&doc, "countries", "path")
        .iter()
        .filter_map(|p| p.attribute("data-iso"))
        .map(str::to_string)
        .collect();
    assert!(iso.contains(&"MLI".to_string()) && iso.contains(&"SDN".to_string()));
    let singapore = Map::new(
        "SGP",
        "",
        View::Country {
            country: Country::parse("SGP").unwrap(),
            margin: 0.1,
        },
    );
    check(&singapore.to_svg());
}

/// Writes sample figures where a developer can open them (`target/tmp/kinga-report/`).
#[test]
fn render_samples() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("kinga-report");
    std::fs::create_dir_all(&dir).unwrap();
    let months = [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
        "déc.",
    ]
    .map(String::from);
    let fr = Locale::new(Lang::Fr).with_month_names(months);
    let line = LineChart::new(
        ChartText {
            title: "Incidents par mois, République centrafricaine".into(),
            desc: "Deux séries mensuelles de 2013 à 2014".into(),
            x_label: "Mois".into(),
            y_label: "Incidents".into(),
            empty: "Aucune donnée".into(),
        },
        fr.clone(),
    )
    .with_series(Series::new("Bangui", monthly(24, 1300.0)))
    .with_series(Series::new("Ouham", monthly(24, 400.0)));
    let bars: Vec<Bar> = ["CAF", "SSD", "SDN", "COD", "MLI", "BFA", "NGA", "MMR"]
        .iter()
        .enumerate()
        .map(|(i, c)| Bar::new(Country::parse(c).unwrap().name(), 1848.0 / (i as f64 + 1.0)))
        .collect();
    let bar = BarChart::new(text("Incidents per country"), Locale::default(), bars);
    let spark = Sparkline::new(
        "Bangui",
        "weekly",
        "",
        monthly(30, 10.0).iter().map(|(_, v)| *v).collect(),
    );

    let mut world = Map::new("Risk classes", "Countries by risk class", View::World);
    world.country_classes = risk_classes();
    world.no_data = Some("not assessed".into());
    for (i, c) in [
        "CAF", "SSD", "SDN", "COD", "MLI", "BFA", "NGA", "MMR", "AFG", "SYR", "YEM", "ETH", "HTI",
        "VEN", "UKR", "RUS",
    ]
    .iter()
    .enumerate()
    {
        world.shades.push(Shade {
            country: Country::parse(c).unwrap(),
            class: i % 3,
            label: Some((*c).into()),
        });
    }
    world.point_classes = vec![Class::new("signal", "#0072b2")];
    world.points = vec![Point {
        lat: 4.36,
        lon: 18.56,
        radius: 5.0,
        class: 0,
        label: None,
    }];
    let caf = Country::parse("CAF").unwrap();
    let mut zoom = Map::new(
        "CAF",
        "Incidents",
        View::Country {
            country: caf,
            margin: 0.15,
        },
    );
    zoom.width = 640.0;
    zoom.shades = vec![Shade {
        country: caf,
        class: 0,
        label: None,
    }];
    zoom.country_classes = vec![Class::new("high", "#fddbc7")];
    zoom.point_classes = vec![
        Class::new("incident", "#d55e00"),
        Class::new("signal", "#0072b2"),
    ];
    zoom.points = caf_incidents();

    for (name, svg) in [
        ("line.svg", line.to_svg()),
        ("bar.svg", bar.to_svg()),
        ("sparkline.svg", spark.to_svg()),
        ("world.svg", world.to_svg()),
        ("caf.svg", zoom.to_svg()),
    ] {
        check(&svg);
        std::fs::write(dir.join(name), svg).unwrap();
    }
}
