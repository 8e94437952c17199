//! SVG line charts drawn with plotters' SVG backend (text is left to the
//! browser: no font files are read).
//!
//! **Invariant:** a chart never fails the report: a drawing error yields an
//! SVG that says so, and empty or non-finite data is dropped before drawing.

use plotters::prelude::*;

pub struct Series<'a> {
    pub name: &'a str,
    pub color: RGBColor,
    pub points: Vec<(f64, f64)>,
}

/// A horizontal (`Y`) or vertical (`X`) marker line with a label, red;
/// `Event` is a grey vertical line (a drift start, a retrain).
pub enum Marker<'a> {
    X(&'a str, f64),
    Y(&'a str, f64),
    Event(&'a str, f64, RGBColor),
}

pub struct Chart<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub series: Vec<Series<'a>>,
    pub markers: Vec<Marker<'a>>,
    /// Fixed y range, else from the data (and markers) with 5% headroom.
    pub y_range: Option<(f64, f64)>,
}

pub const BLUE: RGBColor = RGBColor(31, 119, 180);
pub const ORANGE: RGBColor = RGBColor(230, 120, 20);
pub const GREEN: RGBColor = RGBColor(44, 160, 44);
pub const RED: RGBColor = RGBColor(214, 39, 40);
pub const GREY: RGBColor = RGBColor(110, 110, 110);
pub const PURPLE: RGBColor = RGBColor(148, 103, 189);

const SIZE: (u32, u32) = (860, 300);

impl<'a> Chart<'a> {
    pub fn new(title: &'a str, x_label: &'a str, y_label: &'a str, series: Vec<Series<'a>>) -> Chart<'a> {
        Chart { title, x_label, y_label, series, markers: Vec::new(), y_range: None }
    }

    pub fn markers(mut self, markers: Vec<Marker<'a>>) -> Chart<'a> {
        self.markers = markers;
        self
    }

    /// Adds a vertical line for each `(label, x)` event, in `color`.
    pub fn events(mut self, events: &'a [(String, f64)], color: RGBColor) -> Chart<'a> {
        self.markers.extend(events.iter().map(|(l, x)| Marker::Event(l, *x, color)));
        self
    }

    pub fn y_range(mut self, lo: f64, hi: f64) -> Chart<'a> {
        self.y_range = Some((lo, hi));
        self
    }

    pub fn svg(&self) -> String {
        let mut out = String::new();
        let drawn = {
            let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
            self.draw(&root).and_then(|_| root.present().map_err(|e| e.to_string()))
        };
        match drawn {
            Ok(()) => out,
            Err(e) => format!("<p class=\"chart-error\">chart `{}` could not be drawn: {}</p>", self.title, escape(&e)),
        }
    }

    fn draw(&self, root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let points = || self.series.iter().flat_map(|s| s.points.iter()).filter(|p| p.0.is_finite() && p.1.is_finite());
        let (mut x0, mut x1) = points().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.0), b.max(p.0)));
        let (y0, mut y1) = points().fold((0.0f64, f64::NEG_INFINITY), |(a, b), p| (a.min(p.1), b.max(p.1)));
        for m in &self.markers {
            match m {
                Marker::X(_, x) | Marker::Event(_, x, _) => {
                    x0 = x0.min(*x);
                    x1 = x1.max(*x);
                }
                Marker::Y(_, y) => y1 = y1.max(*y),
            }
        }
        if !x0.is_finite() || !x1.is_finite() {
            (x0, x1) = (0.0, 1.0);
        }
        if x1 <= x0 {
            x1 = x0 + 1.0;
        }
        if !y1.is_finite() || y1 <= y0 {
            y1 = y0 + 1.0;
        }
        let (y0, y1) = self.y_range.unwrap_or((y0, y1 * 1.05));
        let mut chart = ChartBuilder::on(root)
            .caption(self.title, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(60)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(self.x_label)
            .y_desc(self.y_label)
            .light_line_style(RGBColor(235, 235, 235))
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(|e| e.to_string())?;
        for s in &self.series {
            let pts: Vec<(f64, f64)> = s.points.iter().copied().filter(|p| p.0.is_finite() && p.1.is_finite()).collect();
            let color = s.color;
            chart
                .draw_series(LineSeries::new(pts, color.stroke_width(2)))
                .map_err(|e| e.to_string())?
                .label(s.name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
        }
        let mut labelled = std::collections::BTreeSet::new();
        for m in &self.markers {
            let (line, label, color): (Vec<(f64, f64)>, &str, RGBColor) = match m {
                Marker::X(l, x) => (vec![(*x, y0), (*x, y1)], l, RED),
                Marker::Y(l, y) => (vec![(x0, *y), (x1, *y)], l, RED),
                Marker::Event(l, x, c) => (vec![(*x, y0), (*x, y1)], l, *c),
            };
            let drawn = chart.draw_series(LineSeries::new(line, color.stroke_width(1))).map_err(|e| e.to_string())?;
            // Markers that share a label share one legend entry.
            if labelled.insert(label) {
                drawn.label(label).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(1)));
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(GREY)
            .label_font(("sans-serif", 12))
            .draw()
            .map_err(|e| e.to_string())?;
        Ok(())
    }
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
