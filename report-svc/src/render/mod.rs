//! Pure rendering: an [`AnalysisResult`] in, a document out, no I/O.
//!
//! [`render`] builds one language-specific [`Document`] (sections of paragraphs, tables and charts,
//! see [`sections`]) and writes it as HTML ([`html`]) or Markdown ([`markdown`]), so both carry the
//! same narrative and tables; JSON ([`json`]) is the analysis itself in the versioned schema of
//! `schema/analysis.schema.json`.

pub mod charts;
pub mod html;
pub mod i18n;
pub mod json;
pub mod markdown;
pub mod sections;

use bankseg_proto::analysis::v1::AnalysisResult;
use bankseg_proto::common::v1::Language;
use bankseg_proto::report::v1::ReportFormat;

use crate::Result;
/// Numbers as each language writes them (shared with analysis-svc's generated sentences).
pub use bankseg_common::format;
pub use i18n::Lang;

/// A rendered report: the main document and the files it refers to.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The main document.
    pub content: Vec<u8>,
    /// Its media type, e.g. `text/html; charset=utf-8`.
    pub content_type: &'static str,
    /// File extension of the main document (`html`, `md`, `json`).
    pub extension: &'static str,
    /// Files beside it, by relative name (Markdown: `charts/<name>.svg`).
    pub attachments: Vec<(String, Vec<u8>)>,
}

/// Renders `analysis` as `format` in `language` (unspecified: HTML in Russian).
pub fn render(
    analysis: &AnalysisResult,
    format: ReportFormat,
    language: Language,
) -> Result<Rendered> {
    let lang = Lang::from_proto(language);
    json::check_version(analysis)?;
    match format {
        ReportFormat::Json => Ok(Rendered {
            content: json::to_json(analysis)?,
            content_type: "application/json",
            extension: "json",
            attachments: Vec::new(),
        }),
        ReportFormat::Markdown => {
            let doc = sections::build(analysis, lang)?;
            let (text, attachments) = markdown::write(&doc);
            Ok(Rendered {
                content: text.into_bytes(),
                content_type: "text/markdown; charset=utf-8",
                extension: "md",
                attachments,
            })
        }
        ReportFormat::Html | ReportFormat::Unspecified => {
            let doc = sections::build(analysis, lang)?;
            Ok(Rendered {
                content: html::write(&doc).into_bytes(),
                content_type: "text/html; charset=utf-8",
                extension: "html",
                attachments: Vec::new(),
            })
        }
    }
}

/// A report in one language, independent of the output format.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Language it is written in.
    pub lang: Lang,
    /// Title of the report.
    pub title: String,
    /// One line under the title (dataset, date).
    pub subtitle: String,
    /// Label of the table of contents.
    pub contents_label: String,
    /// Sections in reading order.
    pub sections: Vec<Section>,
}

/// One numbered section; `id` is its anchor.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Anchor (`summary`, `data`, `distributions`, ...), stable across languages.
    pub id: &'static str,
    /// Heading.
    pub title: String,
    /// Content.
    pub blocks: Vec<Block>,
}

/// A piece of a section.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A sub-heading.
    Heading(String),
    /// A paragraph of plain text.
    Paragraph(String),
    /// A highlighted statement (a verdict, a key conclusion).
    Note(String),
    /// A bulleted list.
    Bullets(Vec<String>),
    /// Key figures shown as tiles: (label, value).
    Figures(Vec<(String, String)>),
    /// A table.
    Table(Table),
    /// A chart.
    Chart(Chart),
    /// Preformatted text (configuration).
    Code(String),
    /// The interactive city and segment filter (HTML) or its full table (Markdown).
    Dashboard(Dashboard),
}

/// A table of already formatted cells.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Column headings.
    pub headers: Vec<String>,
    /// Rows of cells, as many as headings.
    pub rows: Vec<Vec<String>>,
    /// Columns aligned right (numbers).
    pub numeric: Vec<bool>,
}

/// A chart: a standalone SVG document and its caption.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// File stem, unique within the report (`churn_by_age`).
    pub name: String,
    /// Caption.
    pub title: String,
    /// The SVG document.
    pub svg: String,
}

/// Aggregates by (city, segment) for filtering in the browser.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    /// City values and their display names.
    pub cities: Vec<(String, String)>,
    /// Segment ids, display names and whether each is top-level (top-level segments do not
    /// overlap, so totals add them up; sub-segments are shown when their parent is picked).
    pub segments: Vec<(String, String, bool)>,
    /// (city, segment id, customers, churned).
    pub cells: Vec<(String, String, u64, u64)>,
    /// The bank's churn rate.
    pub bank_rate: f64,
    /// Labels used by the dashboard, in the report's language.
    pub labels: DashboardLabels,
}

/// Words the dashboard shows.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardLabels {
    /// "City".
    pub city: String,
    /// "Segment".
    pub segment: String,
    /// "All".
    pub all: String,
    /// "Customers".
    pub customers: String,
    /// "Churned".
    pub churned: String,
    /// "Churn rate".
    pub churn_rate: String,
    /// "Bank average".
    pub bank_average: String,
    /// "Total".
    pub total: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{self, SECTIONS};

    fn html(lang: Language) -> String {
        let rendered = render(&testing::analysis(), ReportFormat::Html, lang).unwrap();
        assert_eq!(rendered.content_type, "text/html; charset=utf-8");
        assert!(rendered.attachments.is_empty());
        String::from_utf8(rendered.content).unwrap()
    }

    /// The HTML of each section, by id.
    fn sections(html: &str) -> Vec<(String, String)> {
        html.split("<section id=\"")
            .skip(1)
            .map(|part| {
                let (id, rest) = part.split_once('"').unwrap();
                let body = rest.split("</section>").next().unwrap();
                (id.to_string(), body.to_string())
            })
            .collect()
    }

    #[test]
    fn html_has_every_section_in_order_with_a_chart_where_there_is_data() {
        let html = html(Language::Ru);
        let found = sections(&html);
        let ids: Vec<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, SECTIONS);
        for (id, body) in &found {
            if id == "method" {
                continue;
            }
            assert!(
                body.contains("<figure class=\"chart"),
                "section {id} has no chart"
            );
        }
        for id in SECTIONS {
            assert!(
                html.contains(&format!("<li><a href=\"#{id}\">")),
                "toc entry {id}"
            );
        }
        // Every plotters chart is inlined and labelled.
        assert_eq!(
            html.matches("<svg class=\"chart-svg\" role=\"img\"")
                .count(),
            html.matches("<figure class=\"chart\" id=").count()
        );
    }

    #[test]
    fn html_is_self_contained() {
        for lang in [Language::Ru, Language::En] {
            let html = html(lang);
            for forbidden in [
                "src=\"http",
                "href=\"http",
                "<link",
                "@import",
                "url(",
                "<img",
                "<iframe",
            ] {
                assert!(!html.contains(forbidden), "{forbidden} in the html");
            }
            assert!(html.contains("<style>"));
            assert!(html.contains("@media print"));
            assert!(html.contains("id=\"dashboard-data\""));
        }
    }

    #[test]
    fn russian_report_uses_russian_labels_and_number_format() {
        let html = html(Language::Ru);
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"ru\">"));
        assert!(html.contains("<h2>1. Сводка выводов</h2>"));
        assert!(html.contains("<h2>10. Проверка гипотез</h2>"));
        // Bank churn 1 620 / 9 000 = 18,0 %.
        assert!(html.contains("<div class=\"kpi-value\">18,0\u{a0}%</div>"));
        assert!(html.contains("<div class=\"kpi-value\">9\u{a0}000</div>"));
        // Segment 4: 260 of 500 = 52,0 %, lift 52/18 = 2,89.
        assert!(html.contains("<td class=\"num\">52,0\u{a0}%</td>"));
        assert!(html.contains("×2,89"));
        assert!(html.contains("H0 отвергнута"));
        assert!(html.contains("U-критерий Манна — Уитни"));
        assert!(html.contains("Предложить клиентам 26–35 лет кешбэк"));
        assert!(!html.contains("Summary of findings"));
    }

    #[test]
    fn english_report_translates_labels_verdicts_and_numbers() {
        let html = html(Language::En);
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert!(html.contains("<h2>1. Summary of findings</h2>"));
        assert!(html.contains("<div class=\"kpi-value\">18.0%</div>"));
        assert!(html.contains("<div class=\"kpi-value\">9,000</div>"));
        assert!(html.contains("<td class=\"num\">52.0%</td>"));
        assert!(html.contains("×2.89"));
        assert!(html.contains("H0 rejected"));
        assert!(html.contains("Mann–Whitney U test"));
        assert!(html.contains("Churned customers are younger than retained ones."));
        assert!(html.contains("Offer customers aged 26–35 credit card cashback"));
        assert!(!html.contains("Сводка выводов"));
        assert!(!html.contains("H0 отвергнута"));
        // p-values below 0.001 as powers of ten.
        assert!(html.contains("2.4·10⁻¹⁴"));
    }

    #[test]
    fn markdown_has_the_same_sections_and_its_charts_beside_it() {
        let rendered = render(&testing::analysis(), ReportFormat::Markdown, Language::En).unwrap();
        assert_eq!(rendered.extension, "md");
        let text = String::from_utf8(rendered.content).unwrap();
        let html = html(Language::En);
        for (i, (id, _)) in sections(&html).iter().enumerate() {
            assert!(
                text.contains(&format!("<a id=\"{id}\"></a>")),
                "anchor {id}"
            );
            assert!(text.contains(&format!("\n## {}. ", i + 1)));
        }
        let images: Vec<&str> = text
            .match_indices("](charts/")
            .map(|(i, _)| {
                let rest = &text[i + 2..];
                &rest[..rest.find(')').unwrap()]
            })
            .collect();
        assert_eq!(images.len(), rendered.attachments.len());
        assert_eq!(
            images.len(),
            html.matches("<figure class=\"chart\" id=").count(),
            "every plotters chart of the html is a file beside the markdown"
        );
        for (name, bytes) in &rendered.attachments {
            assert!(images.contains(&name.as_str()), "{name} is referenced");
            assert!(bytes.starts_with(b"<svg"), "{name} is an svg");
        }
        assert!(text.contains("| 4 or more products |"));
        assert!(text.contains("| 52.0% |"));
        // The dashboard becomes the full city x segment table: Rostov, 2 products.
        assert!(text.contains("| Rostov | 2 products |"));
    }

    #[test]
    fn json_is_the_analysis_itself() {
        let analysis = testing::analysis();
        let rendered = render(&analysis, ReportFormat::Json, Language::En).unwrap();
        assert_eq!(rendered.content_type, "application/json");
        let json: serde_json::Value = serde_json::from_slice(&rendered.content).unwrap();
        assert_eq!(json["schema_version"], 1);
        assert_eq!(json["overview"]["rows"], 9000);
        assert_eq!(json["segments"].as_array().unwrap().len(), 7);
        assert_eq!(json["segments"][3]["summary"]["churn"]["successes"], 260);
        // NaN in the phi_K matrix is null.
        assert!(json["correlations"][0]["values"][29].is_null());
        assert_eq!(json["hypotheses"][0]["primary"]["test"], "mann_whitney_u");
    }

    #[test]
    fn an_empty_analysis_renders_with_sentences_instead_of_charts() {
        let empty = AnalysisResult::default();
        for format in [
            ReportFormat::Html,
            ReportFormat::Markdown,
            ReportFormat::Json,
        ] {
            render(&empty, format, Language::En).unwrap();
        }
        let html = String::from_utf8(
            render(&empty, ReportFormat::Html, Language::En)
                .unwrap()
                .content,
        )
        .unwrap();
        assert!(html.contains("No segments were built."));
        assert!(html.contains("No slice churns markedly above the average."));
        assert!(html.contains("No hypotheses were tested."));
        assert!(html.contains("The data quality report did not come with the analysis."));
        assert!(!html.contains("<figure"));
        assert_eq!(sections(&html).len(), 12);
    }

    #[test]
    fn a_histogram_with_an_overflow_bin_is_labelled_and_explained() {
        let mut analysis = testing::analysis();
        let balance = analysis
            .profiles
            .iter_mut()
            .find(|p| p.column == "balance")
            .unwrap();
        balance.max = Some(119_000_000.0);
        let h = balance.histogram.as_mut().unwrap();
        let bins = h.edges.len() - 1;
        assert!(bins >= 3);
        // regular bins of 100 000 up to the 99th percentile, then one bin up to the maximum
        h.edges = (0..bins)
            .map(|i| i as f64 * 100_000.0)
            .chain([119_000_000.0])
            .collect();
        let start = (bins - 1) as f64 * 100_000.0;
        for (language, lang, caption) in [
            (Language::En, Lang::En, "The last bar “≥ "),
            (Language::Ru, Lang::Ru, "Последний столбец «≥ "),
        ] {
            let html = String::from_utf8(
                render(&analysis, ReportFormat::Html, language)
                    .unwrap()
                    .content,
            )
            .unwrap();
            let label = format!("≥ {}", format::compact(start, lang));
            assert!(
                html.contains(&format!("{caption}{}", format::compact(start, lang))),
                "caption explains the overflow bin"
            );
            let chart = &html[html.find("id=\"chart-hist_balance\"").unwrap()..];
            let chart = &chart[..chart.find("</svg>").unwrap()];
            assert!(chart.contains(&label), "{label} under the last bar");
        }
    }

    #[test]
    fn a_malformed_histogram_costs_its_chart_only() {
        let mut analysis = testing::analysis();
        let age = analysis
            .profiles
            .iter_mut()
            .find(|p| p.column == "age")
            .unwrap();
        age.histogram.as_mut().unwrap().edges[2] = f64::NAN;
        let html = String::from_utf8(
            render(&analysis, ReportFormat::Html, Language::En)
                .unwrap()
                .content,
        )
        .unwrap();
        assert!(html.contains("No histogram: the analysis gives malformed bins."));
        assert!(!html.contains("id=\"chart-hist_age\""));
        assert!(html.contains("id=\"chart-hist_balance\""));
    }

    #[test]
    fn unspecified_format_and_language_mean_russian_html() {
        let rendered = render(
            &testing::analysis(),
            ReportFormat::Unspecified,
            Language::Unspecified,
        )
        .unwrap();
        assert_eq!(rendered.extension, "html");
        let html = String::from_utf8(rendered.content).unwrap();
        assert!(html.contains("<html lang=\"ru\">"));
    }

    /// Writes the fixture's reports to `$BANKSEG_REPORT_PREVIEW_DIR` for a look by eye.
    #[test]
    fn preview_files_when_asked() {
        let Ok(dir) = std::env::var("BANKSEG_REPORT_PREVIEW_DIR") else {
            return;
        };
        let dir = std::path::PathBuf::from(dir);
        for (lang, code) in [(Language::Ru, "ru"), (Language::En, "en")] {
            for format in [
                ReportFormat::Html,
                ReportFormat::Markdown,
                ReportFormat::Json,
            ] {
                let r = render(&testing::analysis(), format, lang).unwrap();
                let sub = dir.join(code);
                std::fs::create_dir_all(sub.join("charts")).unwrap();
                std::fs::write(sub.join(format!("report.{}", r.extension)), &r.content).unwrap();
                for (name, bytes) in &r.attachments {
                    std::fs::write(sub.join(name), bytes).unwrap();
                }
            }
        }
    }
}
