//! A plain SVG map for people: roads in grey, each route in its colour, stations, served and
//! unassigned visits, a legend and the OpenStreetMap attribution. No tiles, no network.

use roads::LonLat;
use std::fmt::Write;

/// Something to draw, in WGS84.
pub enum Shape<'a> {
    Road(&'a [LonLat]),
    Route {
        line: &'a [LonLat],
        color: &'a str,
        label: &'a str,
    },
    Station {
        at: LonLat,
        label: &'a str,
    },
    Stop {
        at: LonLat,
        color: &'a str,
    },
    Unassigned {
        at: LonLat,
        label: &'a str,
    },
    /// An area such as a service circle.
    Area {
        ring: &'a [LonLat],
        color: &'a str,
    },
}

/// Equirectangular projection of a bounding box onto a `width`-wide canvas.
struct Frame {
    min: LonLat,
    kx: f64,
    ky: f64,
    width: f64,
    height: f64,
    margin: f64,
}

impl Frame {
    fn new(points: impl Iterator<Item = LonLat>, width: f64, margin: f64) -> Option<Frame> {
        let (mut min, mut max) = (
            LonLat { lon: f64::INFINITY, lat: f64::INFINITY },
            LonLat { lon: f64::NEG_INFINITY, lat: f64::NEG_INFINITY },
        );
        for p in points {
            min.lon = min.lon.min(p.lon);
            min.lat = min.lat.min(p.lat);
            max.lon = max.lon.max(p.lon);
            max.lat = max.lat.max(p.lat);
        }
        if !min.lon.is_finite() {
            return None;
        }
        // Metres per degree of longitude shrink with latitude: keep the map's aspect true.
        let cos = ((min.lat + max.lat) / 2.0).to_radians().cos();
        let span_x = ((max.lon - min.lon) * cos).max(1e-6);
        let span_y = (max.lat - min.lat).max(1e-6);
        let k = (width - 2.0 * margin) / span_x.max(span_y);
        Some(Frame { min, kx: k * cos, ky: k, width, height: span_y * k + 2.0 * margin, margin })
    }

    fn xy(&self, p: LonLat) -> (f64, f64) {
        (
            self.margin + (p.lon - self.min.lon) * self.kx,
            self.height - self.margin - (p.lat - self.min.lat) * self.ky,
        )
    }

    /// Whether a point falls on the canvas.
    fn shows(&self, p: LonLat) -> bool {
        let (x, y) = self.xy(p);
        x >= 0.0 && y >= 0.0 && x <= self.width && y <= self.height
    }

    fn polyline(&self, line: &[LonLat]) -> String {
        let mut s = String::with_capacity(line.len() * 16);
        for p in line {
            let (x, y) = self.xy(*p);
            let _ = write!(s, "{x:.1},{y:.1} ");
        }
        s
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Draws the shapes; the frame fits everything but the roads (which are clipped by the
/// view), so a whole country's roads do not shrink one station's routes to a dot.
pub fn render(title: &str, shapes: &[Shape], width: f64) -> String {
    let focus = shapes.iter().flat_map(|s| -> Vec<LonLat> {
        match s {
            Shape::Road(_) => Vec::new(),
            Shape::Route { line, .. } => line.to_vec(),
            Shape::Area { ring, .. } => ring.to_vec(),
            Shape::Station { at, .. } | Shape::Stop { at, .. } | Shape::Unassigned { at, .. } => {
                vec![*at]
            }
        }
    });
    let Some(frame) = Frame::new(focus, width, 30.0) else {
        return format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"60\"><text x=\"10\" y=\"30\">{}: nothing to draw</text></svg>\n",
            escape(title)
        );
    };
    let h = frame.height + 40.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{h:.0}\" viewBox=\"0 0 {width} {h:.0}\" font-family=\"sans-serif\">"
    );
    let _ = writeln!(out, "<rect width=\"100%\" height=\"100%\" fill=\"#fbfaf7\"/>");
    let _ = writeln!(out, "<title>{}</title>", escape(title));
    let mut legend = Vec::new();
    // Draw in layers: areas, roads, routes, then points on top.
    for s in shapes {
        if let Shape::Area { ring, color } = s {
            let _ = writeln!(
                out,
                "<polygon points=\"{}\" fill=\"{color}\" fill-opacity=\"0.08\" stroke=\"{color}\" stroke-width=\"1\" stroke-dasharray=\"4 3\"/>",
                frame.polyline(ring)
            );
        }
    }
    for s in shapes {
        if let Shape::Road(line) = s {
            if !line.iter().any(|p| frame.shows(*p)) {
                continue;
            }
            let _ = writeln!(
                out,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"#d5d2cc\" stroke-width=\"0.8\"/>",
                frame.polyline(line)
            );
        }
    }
    for s in shapes {
        if let Shape::Route { line, color, label } = s {
            let _ = writeln!(
                out,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2.2\" stroke-opacity=\"0.85\" stroke-linejoin=\"round\"><title>{}</title></polyline>",
                frame.polyline(line),
                escape(label)
            );
            legend.push((*color, *label));
        }
    }
    for s in shapes {
        match s {
            Shape::Stop { at, color } => {
                let (x, y) = frame.xy(*at);
                let _ = writeln!(
                    out,
                    "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.5\" fill=\"{color}\" stroke=\"white\" stroke-width=\"1\"/>"
                );
            }
            Shape::Unassigned { at, label } => {
                let (x, y) = frame.xy(*at);
                let _ = writeln!(
                    out,
                    "<g stroke=\"#c00\" stroke-width=\"2\"><title>{}</title><line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/><line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/></g>",
                    escape(label), x - 4.0, y - 4.0, x + 4.0, y + 4.0, x - 4.0, y + 4.0, x + 4.0, y - 4.0
                );
            }
            Shape::Station { at, label } => {
                let (x, y) = frame.xy(*at);
                let _ = writeln!(
                    out,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"#222\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" font-weight=\"bold\">{}</text>",
                    x - 5.0, y - 5.0, x + 8.0, y - 6.0, escape(label)
                );
            }
            _ => {}
        }
    }
    let _ = writeln!(
        out,
        "<text x=\"10\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{}</text>",
        escape(title)
    );
    for (i, (color, label)) in legend.iter().enumerate().take(30) {
        let y = 36.0 + i as f64 * 14.0;
        let _ = writeln!(
            out,
            "<rect x=\"10\" y=\"{:.0}\" width=\"14\" height=\"4\" fill=\"{color}\"/><text x=\"28\" y=\"{:.0}\" font-size=\"10\">{}</text>",
            y - 4.0, y, escape(label)
        );
    }
    let _ = writeln!(
        out,
        "<text x=\"{:.0}\" y=\"{:.0}\" font-size=\"10\" text-anchor=\"end\" fill=\"#555\">© OpenStreetMap contributors (ODbL)</text>",
        width - 10.0, h - 12.0
    );
    out.push_str("</svg>\n");
    out
}
