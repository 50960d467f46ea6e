//! Small SVG line charts: one line per series over a shared integer x axis (staffing levels).

use std::fmt::Write;

use super::geojson::PALETTE;

pub struct Series<'a> {
    pub label: &'a str,
    pub points: Vec<(f64, f64)>,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A line chart of `series`, y from 0 to the largest value (or `y_max`), with axis labels.
pub fn line_chart(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
    y_max: Option<f64>,
) -> String {
    let (w, h, left, right, top, bottom) = (640.0, 400.0, 70.0, 150.0, 40.0, 50.0);
    let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (x_min, x_max) =
        xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    let (x_min, x_max) =
        if x_min.is_finite() { (x_min, x_max.max(x_min + 1.0)) } else { (0.0, 1.0) };
    let top_value = y_max
        .unwrap_or_else(|| {
            series.iter().flat_map(|s| s.points.iter().map(|p| p.1)).fold(0.0, f64::max)
        })
        .max(1e-9);
    let px = |x: f64| left + (x - x_min) / (x_max - x_min) * (w - left - right);
    let py = |y: f64| h - bottom - y / top_value * (h - top - bottom);
    let mut out = String::new();
    let _ = writeln!(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"11\">");
    let _ = writeln!(out, "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
    let _ = writeln!(
        out,
        "<text x=\"{left}\" y=\"22\" font-size=\"14\" font-weight=\"bold\">{}</text>",
        escape(title)
    );
    // Axes with five y ticks and a tick per distinct x.
    let _ = writeln!(
        out,
        "<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#333\"/>",
        h - bottom,
        w - right,
        h - bottom
    );
    let _ = writeln!(
        out,
        "<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{}\" stroke=\"#333\"/>",
        h - bottom
    );
    for k in 0..=4 {
        let y = top_value * k as f64 / 4.0;
        let _ = writeln!(out, "<line x1=\"{left}\" y1=\"{0:.1}\" x2=\"{1}\" y2=\"{0:.1}\" stroke=\"#eee\"/><text x=\"{2}\" y=\"{3:.1}\" text-anchor=\"end\">{4}</text>",
            py(y), w - right, left - 6.0, py(y) + 4.0, format_value(y));
    }
    let mut xs: Vec<f64> = series.iter().flat_map(|s| s.points.iter().map(|p| p.0)).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    for x in &xs {
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{x}</text>",
            px(*x),
            h - bottom + 16.0
        );
    }
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
        (left + w - right) / 2.0,
        h - 12.0,
        escape(x_label)
    );
    let _ = writeln!(out, "<text x=\"16\" y=\"{:.1}\" transform=\"rotate(-90 16 {:.1})\" text-anchor=\"middle\">{}</text>", (top + h - bottom) / 2.0, (top + h - bottom) / 2.0, escape(y_label));
    for (i, s) in series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let pts: Vec<String> =
            s.points.iter().map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y))).collect();
        let _ = writeln!(
            out,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>",
            pts.join(" ")
        );
        for &(x, y) in &s.points {
            let _ = writeln!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{color}\"/>",
                px(x),
                py(y)
            );
        }
        let ly = top + 14.0 * i as f64;
        let _ = writeln!(out, "<rect x=\"{}\" y=\"{:.1}\" width=\"12\" height=\"3\" fill=\"{color}\"/><text x=\"{}\" y=\"{:.1}\">{}</text>",
            w - right + 12.0, ly, w - right + 28.0, ly + 4.0, escape(s.label));
    }
    out.push_str("</svg>\n");
    out
}

fn format_value(y: f64) -> String {
    if y.fract().abs() < 1e-9 {
        format!("{y:.0}")
    } else {
        format!("{y:.2}")
    }
}
