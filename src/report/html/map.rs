//! Inline SVG maps in the layer's projected coordinates (metres): each feature one `<path>`
//! with its classes and a hover text, plus a scale bar and a north arrow. Coordinates are
//! shifted to the frame's corner and rounded to 0.1 m, so the output is compact and the same
//! for the same input.

use std::fmt::Write as _;

use geo::{BoundingRect, Centroid, LineString, MultiPolygon, Rect};

use super::esc;

/// Share of the framed extent added on every side.
const PAD: f64 = 0.04;

/// The part of the plane a map shows: world x grows to the right, y up; SVG y grows down.
#[derive(Debug, Clone, Copy)]
pub(super) struct Frame {
    min_x: f64,
    max_y: f64,
    /// Width and height in metres (= SVG user units).
    width: f64,
    height: f64,
}

impl Frame {
    /// The padded union of the rectangles, or `None` when there is none (no geometry).
    pub(super) fn around(rects: impl IntoIterator<Item = Rect<f64>>) -> Option<Frame> {
        let mut it = rects.into_iter();
        let first = it.next()?;
        let (mut x0, mut y0, mut x1, mut y1) =
            (first.min().x, first.min().y, first.max().x, first.max().y);
        for r in it {
            x0 = x0.min(r.min().x);
            y0 = y0.min(r.min().y);
            x1 = x1.max(r.max().x);
            y1 = y1.max(r.max().y);
        }
        // A point or a line still gets a visible frame.
        let size = (x1 - x0).max(y1 - y0).max(1.0);
        let pad = size * PAD;
        Some(Frame {
            min_x: x0 - pad,
            max_y: y1 + pad,
            width: (x1 - x0).max(size * 0.3) + 2.0 * pad,
            height: (y1 - y0).max(size * 0.3) + 2.0 * pad,
        })
    }

    /// The frame of the features' bounding boxes.
    pub(super) fn of<'a>(geoms: impl IntoIterator<Item = &'a MultiPolygon<f64>>) -> Option<Frame> {
        Frame::around(geoms.into_iter().filter_map(|g| g.bounding_rect()))
    }

    fn x(&self, x: f64) -> f64 {
        x - self.min_x
    }

    fn y(&self, y: f64) -> f64 {
        self.max_y - y
    }

    /// One SVG user unit per `px` screen pixels when the map is ~1000 px wide.
    fn px(&self) -> f64 {
        self.width / 1000.0
    }
}

/// One feature of a map.
pub(super) struct Shape<'a> {
    /// CSS classes (e.g. `parcel s-counted t-state_granted`).
    pub(super) class: String,
    /// `data-id`: the feature's id, to find it from a table.
    pub(super) id: String,
    /// Hover text (lines separated by `\n`).
    pub(super) tip: String,
    /// `href` to wrap the shape in (the index links each project to its report).
    pub(super) href: Option<String>,
    pub(super) geometry: &'a MultiPolygon<f64>,
}

/// A label at a feature's centroid.
pub(super) struct Label<'a> {
    pub(super) text: String,
    pub(super) class: &'static str,
    pub(super) geometry: &'a MultiPolygon<f64>,
}

/// A map being written: groups of shapes, then the labels and the furniture.
pub(super) struct SvgMap {
    frame: Frame,
    out: String,
}

impl SvgMap {
    /// Starts a map of `frame`; `class` is the `<svg>` element's class.
    pub(super) fn begin(frame: Frame, class: &str, aria_label: &str) -> SvgMap {
        let mut out = String::new();
        let _ = write!(
            out,
            "<svg class=\"{class}\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\" \
             xmlns=\"http://www.w3.org/2000/svg\">",
            coord(frame.width),
            coord(frame.height),
            esc(aria_label)
        );
        SvgMap { frame, out }
    }

    /// A `<g class=…>` of shapes.
    pub(super) fn group(&mut self, class: &str, shapes: &[Shape<'_>]) {
        let _ = write!(self.out, "<g class=\"{class}\">");
        for s in shapes {
            if let Some(href) = &s.href {
                let _ = write!(self.out, "<a href=\"{}\">", esc(href));
            }
            let _ = write!(
                self.out,
                "<path class=\"{}\" data-id=\"{}\" data-tip=\"{}\" d=\"{}\"/>",
                esc(&s.class),
                esc(&s.id),
                esc(&s.tip),
                path_d(&self.frame, s.geometry)
            );
            if s.href.is_some() {
                self.out.push_str("</a>");
            }
        }
        self.out.push_str("</g>");
    }

    /// Text labels at the features' centroids (ignored by the mouse).
    pub(super) fn labels(&mut self, class: &str, labels: &[Label<'_>]) {
        let size = 13.0 * self.frame.px();
        let _ = write!(
            self.out,
            "<g class=\"{class}\" font-size=\"{}\">",
            coord(size)
        );
        for l in labels {
            if let Some(c) = l.geometry.centroid() {
                let _ = write!(
                    self.out,
                    "<text class=\"{}\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                    l.class,
                    coord(self.frame.x(c.x())),
                    coord(self.frame.y(c.y())),
                    esc(&l.text)
                );
            }
        }
        self.out.push_str("</g>");
    }

    /// Adds the scale bar and the north arrow and closes the map.
    pub(super) fn finish(mut self, north_label: &str) -> String {
        self.scale_bar();
        self.north_arrow(north_label);
        self.out.push_str("</svg>");
        self.out
    }

    /// A two-segment bar of a round length near a fifth of the map's width, bottom left.
    fn scale_bar(&mut self) {
        let f = self.frame;
        let px = f.px();
        let len = nice_length(f.width / 5.0);
        let (x, y, h) = (24.0 * px, f.height - 28.0 * px, 7.0 * px);
        let half = len / 2.0;
        let _ = write!(
            self.out,
            "<g class=\"scalebar\" font-size=\"{fs}\">\
             <rect x=\"{bx}\" y=\"{by}\" width=\"{bw}\" height=\"{bh}\" class=\"sb-bg\"/>\
             <rect x=\"{x}\" y=\"{y}\" width=\"{half}\" height=\"{h}\" class=\"sb-dark\"/>\
             <rect x=\"{x2}\" y=\"{y}\" width=\"{half}\" height=\"{h}\" class=\"sb-light\"/>\
             <text x=\"{x}\" y=\"{ty}\" text-anchor=\"middle\">0</text>\
             <text x=\"{x3}\" y=\"{ty}\" text-anchor=\"middle\">{label}</text></g>",
            fs = coord(12.0 * px),
            bx = coord(x - 12.0 * px),
            by = coord(y - 20.0 * px),
            bw = coord(len + 40.0 * px),
            bh = coord(h + 26.0 * px),
            x = coord(x),
            y = coord(y),
            half = coord(half),
            h = coord(h),
            x2 = coord(x + half),
            x3 = coord(x + len),
            ty = coord(y - 5.0 * px),
            label = length_label(len),
        );
    }

    /// An arrow pointing up (grid north of the projected CRS), top right.
    fn north_arrow(&mut self, label: &str) {
        let f = self.frame;
        let px = f.px();
        let (cx, top) = (f.width - 40.0 * px, 18.0 * px);
        let (w, h) = (11.0 * px, 38.0 * px);
        let _ = write!(
            self.out,
            "<g class=\"north\"><rect x=\"{bx}\" y=\"{by}\" width=\"{bw}\" height=\"{bh}\" \
             class=\"sb-bg\"/><path d=\"M{cx} {top}L{r} {base}L{cx} {mid}Z\" class=\"sb-dark\"/>\
             <path d=\"M{cx} {top}L{l} {base}L{cx} {mid}Z\" class=\"sb-light\"/>\
             <text x=\"{cx}\" y=\"{ny}\" text-anchor=\"middle\" font-size=\"{fs}\" \
             font-weight=\"bold\">N</text><text x=\"{cx}\" y=\"{gy}\" text-anchor=\"middle\" \
             font-size=\"{gs}\">{label}</text></g>",
            bx = coord(cx - 30.0 * px),
            by = coord(top - 8.0 * px),
            bw = coord(60.0 * px),
            bh = coord(h + 42.0 * px),
            cx = coord(cx),
            top = coord(top),
            r = coord(cx + w),
            l = coord(cx - w),
            base = coord(top + h),
            mid = coord(top + h * 0.72),
            ny = coord(top + h + 16.0 * px),
            fs = coord(15.0 * px),
            gy = coord(top + h + 29.0 * px),
            gs = coord(10.0 * px),
            label = esc(label),
        );
    }
}

/// 1, 2 or 5 × 10ⁿ metres, at most `max`.
fn nice_length(max: f64) -> f64 {
    if !(max.is_finite() && max > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(max.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * p)
        .find(|&l| l <= max)
        .unwrap_or(p)
}

fn length_label(len: f64) -> String {
    if len >= 1000.0 {
        format!("{} km", trim(len / 1000.0))
    } else {
        format!("{} m", trim(len))
    }
}

fn trim(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// An SVG number: 0.1 m, without a trailing `.0`.
fn coord(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    // -0.0 and 0.0 print the same.
    let r = if r == 0.0 { 0.0 } else { r };
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// The path data of a multipolygon: one closed subpath per ring (fill-rule evenodd makes
/// the holes).
fn path_d(frame: &Frame, mp: &MultiPolygon<f64>) -> String {
    let mut d = String::new();
    for poly in &mp.0 {
        ring_d(frame, poly.exterior(), &mut d);
        for hole in poly.interiors() {
            ring_d(frame, hole, &mut d);
        }
    }
    d
}

fn ring_d(frame: &Frame, ring: &LineString<f64>, d: &mut String) {
    let n = ring.0.len();
    // The closing point repeats the first: `Z` draws that edge.
    let pts = if n > 1 && ring.0[0] == ring.0[n - 1] {
        &ring.0[..n - 1]
    } else {
        &ring.0[..]
    };
    for (i, c) in pts.iter().enumerate() {
        d.push(if i == 0 { 'M' } else { 'L' });
        d.push_str(&coord(frame.x(c.x)));
        d.push(' ');
        d.push_str(&coord(frame.y(c.y)));
    }
    if !pts.is_empty() {
        d.push('Z');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn nice_lengths_are_round() {
        assert_eq!(nice_length(730.0), 500.0);
        assert_eq!(nice_length(250.0), 200.0);
        assert_eq!(nice_length(1.5), 1.0);
        assert_eq!(length_label(2000.0), "2 km");
        assert_eq!(length_label(500.0), "500 m");
    }

    #[test]
    fn paths_flip_y_and_round() {
        let mp = MultiPolygon(vec![polygon![
            (x: 100.0, y: 200.0), (x: 110.04, y: 200.0), (x: 110.0, y: 210.0), (x: 100.0, y: 200.0)
        ]]);
        let frame = Frame::of([&mp]).expect("frame");
        let d = path_d(&frame, &mp);
        // Padding is 4% of 10 m = 0.4 m; the top edge (y = 210) is at 0.4.
        assert_eq!(d, "M0.4 10.4L10.4 10.4L10.4 0.4Z");
        assert_eq!(coord(-0.01), "0");
    }
}
