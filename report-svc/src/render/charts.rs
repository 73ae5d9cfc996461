//! Charts as SVG documents, drawn with plotters' SVG backend.
//!
//! The backend writes `<text>` elements with a generic `sans-serif` family, so no font file is read
//! and the browser picks the font; plotters only estimates text widths for layout. Every function
//! returns a standalone SVG document (the Markdown report writes it beside the text; the HTML report
//! inlines it).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::format;
use super::i18n::Lang;
use crate::{Error, Result};

/// Colour of churned customers (and of values above the bank average).
pub const CHURN_COLOR: RGBColor = RGBColor(0xc8, 0x3e, 0x3e);
/// Colour of retained customers (and of ordinary bars).
pub const RETAIN_COLOR: RGBColor = RGBColor(0x3b, 0x6e, 0xa8);
const REFERENCE_COLOR: RGBColor = RGBColor(0x22, 0x22, 0x22);
const GRID_COLOR: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
const TEXT_COLOR: RGBColor = RGBColor(0x22, 0x22, 0x22);
const FONT: &str = "sans-serif";
const WIDTH: u32 = 760;

/// How values on a chart's value axis are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    /// Shares in `[0, 1]`, written as percentages.
    Percent,
    /// Counts.
    Count,
    /// Plain numbers with this many decimals.
    Number(usize),
}

impl Axis {
    fn label(self, value: f64, lang: Lang) -> String {
        match self {
            Axis::Percent => format::pct(value, 0, lang),
            // Counts have no fractional ticks.
            Axis::Count if value.fract().abs() > 1e-9 => String::new(),
            Axis::Count => format::compact(value, lang),
            Axis::Number(decimals) if value.abs() < 1.0 => {
                format::num(value, decimals.min(2), lang)
            }
            Axis::Number(_) => format::compact(value, lang),
        }
    }

    fn value(self, value: f64, lang: Lang) -> String {
        match self {
            Axis::Percent => format::pct(value, 1, lang),
            Axis::Count => format::num(value, 0, lang),
            Axis::Number(decimals) => format::num(value, decimals, lang),
        }
    }
}

/// One bar of a horizontal bar chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Category label, drawn left of the bar.
    pub label: String,
    /// Bar length (may be negative).
    pub value: f64,
    /// Confidence interval drawn as a whisker.
    pub interval: Option<(f64, f64)>,
    /// Drawn in the churn colour (e.g. above the bank average).
    pub highlight: bool,
    /// Text written after the bar instead of its value.
    pub text: Option<String>,
}

impl Bar {
    /// A bar without interval, highlighted when `highlight`.
    pub fn new(label: impl Into<String>, value: f64, highlight: bool) -> Self {
        Self {
            label: label.into(),
            value,
            interval: None,
            highlight,
            text: None,
        }
    }

    /// The same bar with `text` written after it instead of its value.
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }
}

/// A vertical reference line across a bar chart, e.g. the bank's churn rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// Where the line is.
    pub value: f64,
    /// What it is, written above the chart.
    pub label: String,
}

fn chart_error(chart: &str) -> impl Fn(DrawingAreaErrorKind<std::io::Error>) -> Error + '_ {
    move |e| Error::Chart {
        chart: chart.to_string(),
        message: e.to_string(),
    }
}

fn text_style(size: u32, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    let mut style = TextStyle::from((FONT, size).into_font()).pos(Pos::new(h, v));
    style.color = color.to_backend_color();
    style
}

fn shorten(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        let mut out: String = label.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// Horizontal bars, first bar on top, each labelled with its value; optional whiskers and a
/// reference line. `name` identifies the chart in errors.
pub fn bars(
    name: &str,
    items: &[Bar],
    reference: Option<&Reference>,
    axis: Axis,
    lang: Lang,
) -> Result<String> {
    let err = chart_error(name);
    let n = items.len().max(1);
    let labels: Vec<String> = items.iter().map(|b| shorten(&b.label, 44)).collect();
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(4);
    let label_width = (longest as u32 * 7 + 14).clamp(60, 330);
    let top = if reference.is_some() { 26 } else { 8 };
    let height = top + 26 * n as u32 + 36;

    let mut lo = 0.0f64;
    let mut hi = 0.0f64;
    for bar in items {
        for v in [
            Some(bar.value),
            bar.interval.map(|i| i.0),
            bar.interval.map(|i| i.1),
        ]
        .into_iter()
        .flatten()
        .filter(|v| v.is_finite())
        {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if let Some(r) = reference.filter(|r| r.value.is_finite()) {
        lo = lo.min(r.value);
        hi = hi.max(r.value);
    }
    if hi - lo <= f64::EPSILON {
        hi = lo + 1.0;
    }
    let span = hi - lo;
    // Room for the value written after each bar.
    let hi = if hi > 0.0 {
        hi + span * 0.16
    } else {
        hi + span * 0.02
    };
    let lo = if lo < 0.0 { lo - span * 0.16 } else { lo };

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        let mut chart = ChartBuilder::on(&root)
            .margin_top(top)
            .margin_right(16)
            .margin_bottom(6)
            .margin_left(6)
            .x_label_area_size(26)
            .y_label_area_size(label_width)
            .build_cartesian_2d(lo..hi, 0.0..n as f64)
            .map_err(&err)?;
        let x_fmt = |v: &f64| axis.label(*v, lang);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(6)
            .x_label_formatter(&x_fmt)
            .light_line_style(WHITE)
            .bold_line_style(GRID_COLOR)
            .label_style((FONT, 15).into_font().color(&TEXT_COLOR))
            .draw()
            .map_err(&err)?;

        for (i, bar) in items.iter().enumerate() {
            let y_top = (n - i) as f64 - 0.15;
            let y_bottom = (n - i - 1) as f64 + 0.15;
            let value = if bar.value.is_finite() {
                bar.value
            } else {
                0.0
            };
            let color = if bar.highlight {
                CHURN_COLOR
            } else {
                RETAIN_COLOR
            };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y_bottom), (value, y_top)],
                    color.mix(0.85).filled(),
                )))
                .map_err(&err)?;
            let y_mid = (n - i) as f64 - 0.5;
            if let Some((low, high)) = bar.interval.filter(|(l, h)| l.is_finite() && h.is_finite())
            {
                let whisker = REFERENCE_COLOR.stroke_width(1);
                chart
                    .draw_series([
                        PathElement::new(vec![(low, y_mid), (high, y_mid)], whisker),
                        PathElement::new(vec![(low, y_mid - 0.18), (low, y_mid + 0.18)], whisker),
                        PathElement::new(vec![(high, y_mid - 0.18), (high, y_mid + 0.18)], whisker),
                    ])
                    .map_err(&err)?;
            }
            let end = bar.interval.map_or(value, |(l, h)| {
                if value >= 0.0 {
                    h.max(value)
                } else {
                    l.min(value)
                }
            });
            let (px, py) = chart.backend_coord(&(end, y_mid));
            let (h, dx) = if value >= 0.0 {
                (HPos::Left, 5)
            } else {
                (HPos::Right, -5)
            };
            root.draw(&Text::new(
                bar.text
                    .clone()
                    .unwrap_or_else(|| axis.value(bar.value, lang)),
                (px + dx, py),
                text_style(15, TEXT_COLOR, h, VPos::Center),
            ))
            .map_err(&err)?;
            let (lx, ly) = chart.backend_coord(&(lo, y_mid));
            root.draw(&Text::new(
                labels[i].clone(),
                (lx - 6, ly),
                text_style(15, TEXT_COLOR, HPos::Right, VPos::Center),
            ))
            .map_err(&err)?;
        }

        if let Some(r) = reference.filter(|r| r.value.is_finite()) {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(r.value, 0.0), (r.value, n as f64)],
                    REFERENCE_COLOR.stroke_width(2),
                )))
                .map_err(&err)?;
            let (px, py) = chart.backend_coord(&(r.value, n as f64));
            root.draw(&Text::new(
                format!("{} {}", r.label, axis.value(r.value, lang)),
                (px, py - 4),
                text_style(15, REFERENCE_COLOR, HPos::Center, VPos::Bottom),
            ))
            .map_err(&err)?;
        }
        root.present().map_err(&err)?;
    }
    Ok(svg)
}

/// Where a histogram's overflow bin starts and how wide its regular bins are.
///
/// analysis-svc cuts a heavy-tailed column into equal-width bins up to its 99th percentile and
/// gathers the rest in one last bin up to the maximum (`edges` stay the true bounds). The last
/// bin counts as an overflow bin when at least two bins of one width precede it and it is more
/// than 1.5 times as wide as they are.
pub fn overflow_bin(edges: &[f64]) -> Option<(f64, f64)> {
    let bins = edges.len().checked_sub(1)?;
    if bins < 3 || !edges.iter().all(|e| e.is_finite()) {
        return None;
    }
    let width = edges[1] - edges[0];
    if width <= 0.0 {
        return None;
    }
    let regular = edges[..bins]
        .windows(2)
        .all(|w| ((w[1] - w[0]) - width).abs() <= 1e-6 * width);
    let last = edges[bins] - edges[bins - 1];
    (regular && last > 1.5 * width).then_some((edges[bins - 1], width))
}

/// Distribution of a numeric feature among churned and retained customers: each group's share per
/// bin, overlaid, so groups of different sizes compare.
///
/// An overflow bin (see [`overflow_bin`]) is drawn as wide as the others and labelled `≥ <start>`;
/// the axis carries no ticks beyond its start.
pub fn histogram(
    name: &str,
    edges: &[f64],
    churned: &[u64],
    retained: &[u64],
    labels: (&str, &str),
    lang: Lang,
) -> Result<String> {
    let err = chart_error(name);
    let bins = edges
        .len()
        .saturating_sub(1)
        .min(churned.len())
        .min(retained.len());
    if bins == 0 || !edges.iter().all(|e| e.is_finite()) {
        return Err(Error::Chart {
            chart: name.to_string(),
            message: format!(
                "expected bin edges (bins + 1 finite values) and counts per bin, got {} edges, {} and {} counts",
                edges.len(),
                churned.len(),
                retained.len()
            ),
        });
    }
    let share = |counts: &[u64]| -> Vec<f64> {
        let total: u64 = counts[..bins].iter().sum();
        counts[..bins]
            .iter()
            .map(|&c| {
                if total == 0 {
                    0.0
                } else {
                    c as f64 / total as f64
                }
            })
            .collect()
    };
    let churned = share(churned);
    let retained = share(retained);
    let top = churned
        .iter()
        .chain(&retained)
        .copied()
        .fold(0.0f64, f64::max)
        .max(0.01)
        * 1.12;
    let overflow = overflow_bin(&edges[..=bins]);
    let x0 = edges[0];
    let x1 = match overflow {
        Some((start, width)) => start + width,
        None => edges[bins],
    };
    let x1 = if x1 > x0 { x1 } else { x0 + 1.0 };
    // Right edge of bin `i` on the drawing: the overflow bin ends where the axis ends.
    let right = |i: usize| {
        if overflow.is_some() && i + 1 == bins {
            x1
        } else {
            edges[i + 1]
        }
    };

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 300)).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .margin_right(20)
            .x_label_area_size(28)
            .y_label_area_size(56)
            .build_cartesian_2d(x0..x1, 0.0..top)
            .map_err(&err)?;
        // Ticks near the overflow bin would collide with its label or lie about its scale.
        let x_fmt = |v: &f64| match overflow {
            Some((start, width)) if *v > start - 1.5 * width => String::new(),
            _ => format::compact(*v, lang),
        };
        let y_fmt = |v: &f64| format::pct(*v, 0, lang);
        chart
            .configure_mesh()
            .x_labels(8)
            .y_labels(6)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .light_line_style(WHITE)
            .bold_line_style(GRID_COLOR)
            .label_style((FONT, 15).into_font().color(&TEXT_COLOR))
            .draw()
            .map_err(&err)?;
        chart
            .draw_series((0..bins).map(|i| {
                Rectangle::new(
                    [(edges[i], 0.0), (right(i), retained[i])],
                    RETAIN_COLOR.mix(0.5).filled(),
                )
            }))
            .map_err(&err)?
            .label(labels.1)
            .legend(|(x, y)| {
                Rectangle::new(
                    [(x, y - 5), (x + 12, y + 5)],
                    RETAIN_COLOR.mix(0.5).filled(),
                )
            });
        chart
            .draw_series((0..bins).map(|i| {
                Rectangle::new(
                    [(edges[i], 0.0), (right(i), churned[i])],
                    CHURN_COLOR.mix(0.5).filled(),
                )
            }))
            .map_err(&err)?
            .label(labels.0)
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 5), (x + 12, y + 5)], CHURN_COLOR.mix(0.5).filled())
            });
        if let Some((start, width)) = overflow {
            let label = format!("≥ {}", format::compact(start, lang));
            let (px, py) = chart.backend_coord(&(start + width / 2.0, 0.0));
            // centred under the bar, but kept inside the picture (about 8 px per character)
            let half = label.chars().count() as i32 * 4;
            let px = px.min(WIDTH as i32 - 2 - half);
            root.draw(&Text::new(
                label,
                (px, py + 10),
                text_style(15, TEXT_COLOR, HPos::Center, VPos::Top),
            ))
            .map_err(&err)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(GRID_COLOR)
            .label_font((FONT, 15).into_font().color(&TEXT_COLOR))
            .draw()
            .map_err(&err)?;
        root.present().map_err(&err)?;
    }
    Ok(svg)
}

/// A square matrix as coloured cells with their values; rows are labelled `k. name`, columns `k`.
/// `signed` scales colours over `[-1, 1]` (blue to red) instead of `[0, 1]` (white to red).
pub fn heatmap(
    name: &str,
    labels: &[String],
    values: &[f64],
    signed: bool,
    lang: Lang,
) -> Result<String> {
    let err = chart_error(name);
    let n = labels.len();
    if n == 0 || values.len() != n * n {
        return Err(Error::Chart {
            chart: name.to_string(),
            message: format!(
                "expected {} values for {} columns, got {}",
                n * n,
                n,
                values.len()
            ),
        });
    }
    let cell: i32 = (560 / n as i32).clamp(26, 56);
    let row_labels: Vec<String> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{}. {}", i + 1, shorten(l, 28)))
        .collect();
    let longest = row_labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(4) as i32;
    let left = (longest * 7 + 16).clamp(80, 260);
    let top = 26;
    let width = (left + cell * n as i32 + 20).max(300) as u32;
    let height = (top + cell * n as i32 + 16) as u32;
    let font = if cell >= 40 { 15 } else { 12 };

    let mut svg = String::new();
    {
        let root: DrawingArea<SVGBackend, Shift> =
            SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        for (j, _) in labels.iter().enumerate() {
            let x = left + cell * j as i32 + cell / 2;
            root.draw(&Text::new(
                format!("{}", j + 1),
                (x, top - 6),
                text_style(15, TEXT_COLOR, HPos::Center, VPos::Bottom),
            ))
            .map_err(&err)?;
        }
        for i in 0..n {
            let y = top + cell * i as i32;
            root.draw(&Text::new(
                row_labels[i].clone(),
                (left - 6, y + cell / 2),
                text_style(15, TEXT_COLOR, HPos::Right, VPos::Center),
            ))
            .map_err(&err)?;
            for j in 0..n {
                let x = left + cell * j as i32;
                let v = values[i * n + j];
                let (fill, dark) = heat_color(v, signed);
                root.draw(&Rectangle::new(
                    [(x, y), (x + cell, y + cell)],
                    fill.filled(),
                ))
                .map_err(&err)?;
                root.draw(&Rectangle::new(
                    [(x, y), (x + cell, y + cell)],
                    WHITE.stroke_width(1),
                ))
                .map_err(&err)?;
                let text = if v.is_finite() {
                    format::num(v, 2, lang)
                } else {
                    String::new()
                };
                if !text.is_empty() {
                    let color = if dark { WHITE } else { TEXT_COLOR };
                    root.draw(&Text::new(
                        text,
                        (x + cell / 2, y + cell / 2),
                        text_style(font, color, HPos::Center, VPos::Center),
                    ))
                    .map_err(&err)?;
                }
            }
        }
        root.present().map_err(&err)?;
    }
    Ok(svg)
}

/// Cell colour for a value, and whether text on it should be white.
fn heat_color(v: f64, signed: bool) -> (RGBColor, bool) {
    if !v.is_finite() {
        return (RGBColor(0xee, 0xee, 0xee), false);
    }
    let blend = |to: RGBColor, t: f64| -> RGBColor {
        let t = t.clamp(0.0, 1.0);
        let mix = |a: u8| (255.0 + (a as f64 - 255.0) * t).round() as u8;
        RGBColor(mix(to.0), mix(to.1), mix(to.2))
    };
    if signed && v < 0.0 {
        (blend(RGBColor(0x2b, 0x5c, 0x9e), -v), -v > 0.55)
    } else {
        (blend(RGBColor(0xa8, 0x1e, 0x1e), v.abs()), v.abs() > 0.55)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(svg: &str, needle: &str) -> usize {
        svg.matches(needle).count()
    }

    #[test]
    fn bar_chart_draws_one_bar_per_item_with_labels_and_reference() {
        let items = vec![
            Bar {
                label: "2 продукта".into(),
                value: 0.19,
                interval: Some((0.17, 0.21)),
                highlight: true,
                text: None,
            },
            Bar::new("1 продукт", 0.07, false),
        ];
        let reference = Reference {
            value: 0.18,
            label: "банк".into(),
        };
        let svg = bars("t", &items, Some(&reference), Axis::Percent, Lang::Ru).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("2 продукта"));
        assert!(svg.contains("19,0\u{a0}%"));
        assert!(svg.contains("банк 18,0\u{a0}%"));
        assert!(
            svg.contains("fill=\"#C83E3E\""),
            "highlighted bar in the churn colour"
        );
        assert!(svg.contains("fill=\"#3B6EA8\""));
        // background + two bars
        assert!(count(&svg, "<rect") >= 3);
        // no font files, no external references
        assert!(!svg.contains("href"));
    }

    #[test]
    fn bar_chart_accepts_negative_values_and_no_items() {
        let items = vec![Bar::new("a", -0.4, false), Bar::new("b", 0.2, true)];
        let svg = bars("neg", &items, None, Axis::Number(1), Lang::En).unwrap();
        assert!(svg.contains(">\n-0.4\n</text>") || svg.contains("-0.4"));
        assert!(bars("empty", &[], None, Axis::Count, Lang::En).is_ok());
    }

    #[test]
    fn histogram_normalises_each_group_and_rejects_bad_edges() {
        let svg = histogram(
            "age",
            &[18.0, 30.0, 45.0, 60.0],
            &[10, 30, 10],
            &[100, 50, 50],
            ("ушли", "остались"),
            Lang::Ru,
        )
        .unwrap();
        assert!(svg.contains("ушли"));
        assert!(svg.contains("остались"));
        assert!(count(&svg, "<rect") >= 7);
        let err = histogram("bad", &[1.0], &[], &[], ("a", "b"), Lang::En).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("drawing chart bad: expected bin edges")
        );
    }

    #[test]
    fn an_overflow_bin_is_drawn_as_wide_as_the_others_and_labelled() {
        // four bins of 1 M up to the 99th percentile (4 M), then everything up to 119 M
        let edges = [0.0, 1e6, 2e6, 3e6, 4e6, 119e6];
        assert_eq!(overflow_bin(&edges), Some((4e6, 1e6)));
        assert_eq!(overflow_bin(&[18.0, 30.0, 45.0, 60.0]), None);
        assert_eq!(overflow_bin(&[0.0, 1.0, 2.0, 3.0]), None);
        assert_eq!(overflow_bin(&[0.0, 1.0, 100.0]), None);
        let churned = [5, 3, 1, 1, 2];
        let retained = [50, 30, 10, 5, 5];
        let svg = histogram(
            "balance",
            &edges,
            &churned,
            &retained,
            ("ушли", "остались"),
            Lang::Ru,
        )
        .unwrap();
        assert!(svg.contains("≥ 4\u{a0}млн"), "{svg}");
        // the axis ends one bin after the overflow start, so no tick reads 119 M or 100 M
        assert!(!svg.contains("119\u{a0}млн") && !svg.contains("100\u{a0}млн"));
        let en = histogram(
            "balance",
            &edges,
            &churned,
            &retained,
            ("churned", "retained"),
            Lang::En,
        )
        .unwrap();
        assert!(en.contains("≥ 4M"), "{en}");
        // the overflow bars are as wide as a regular bar: every bar has one of two widths
        // (regular bins and the same width for the overflow bin), so no bar is wider
        let widths: Vec<f64> = en
            .match_indices("<rect")
            .filter_map(|(i, _)| {
                let tag = &en[i..i + en[i..].find("/>")?];
                let fill = tag.contains("opacity=\"0.5\"");
                let w = tag.split("width=\"").nth(1)?.split('"').next()?;
                fill.then(|| w.parse::<f64>().ok()).flatten()
            })
            .collect();
        assert_eq!(
            widths.len(),
            10 + 2,
            "five bins twice, plus two legend swatches"
        );
        let bar = widths[0];
        assert!(
            widths[..10].iter().all(|w| (w - bar).abs() <= 1.0),
            "{widths:?}"
        );
    }

    #[test]
    fn heatmap_writes_every_finite_value() {
        let labels = vec!["age".to_string(), "churn".to_string()];
        let svg = heatmap(
            "phik",
            &labels,
            &[1.0, 0.25, 0.25, f64::NAN],
            false,
            Lang::En,
        )
        .unwrap();
        assert_eq!(count(&svg, ">\n0.25\n</text>"), 2);
        assert_eq!(count(&svg, ">\n1.00\n</text>"), 1);
        assert!(svg.contains("1. age"));
        assert!(heatmap("bad", &labels, &[1.0], false, Lang::En).is_err());
    }
}
