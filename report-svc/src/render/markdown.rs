//! The Markdown report: the same sections, narrative and tables as the HTML one; charts are SVG files
//! written beside it (`charts/<name>.svg`) and referenced as images.

use std::fmt::Write as _;

use super::{Block, Dashboard, Document, Table, format};

/// Writes `doc` as Markdown; returns the text and the chart files it refers to.
pub fn write(doc: &Document) -> (String, Vec<(String, Vec<u8>)>) {
    let mut out = String::with_capacity(64 * 1024);
    let mut files = Vec::new();
    let _ = writeln!(out, "# {}\n", inline(&doc.title));
    let _ = writeln!(out, "_{}_\n", inline(&doc.subtitle));
    let _ = writeln!(out, "## {}\n", inline(&doc.contents_label));
    for (i, section) in doc.sections.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}. [{}](#{})",
            i + 1,
            inline(&section.title),
            section.id
        );
    }
    out.push('\n');
    for (i, section) in doc.sections.iter().enumerate() {
        let _ = writeln!(
            out,
            "<a id=\"{}\"></a>\n\n## {}. {}\n",
            section.id,
            i + 1,
            inline(&section.title)
        );
        for block in &section.blocks {
            match block {
                Block::Heading(text) => {
                    let _ = writeln!(out, "### {}\n", inline(text));
                }
                Block::Paragraph(text) => {
                    let _ = writeln!(out, "{}\n", inline(text));
                }
                Block::Note(text) => {
                    let _ = writeln!(out, "> {}\n", inline(text));
                }
                Block::Bullets(items) => {
                    for item in items {
                        let _ = writeln!(out, "- {}", inline(item));
                    }
                    out.push('\n');
                }
                Block::Figures(items) => {
                    for (label, value) in items {
                        let _ = writeln!(out, "- **{}**: {}", inline(label), inline(value));
                    }
                    out.push('\n');
                }
                Block::Table(table) => write_table(&mut out, table),
                Block::Chart(chart) => {
                    let file = format!("charts/{}.svg", chart.name);
                    let _ = writeln!(out, "![{}]({})\n", inline(&chart.title), file);
                    files.push((file, chart.svg.clone().into_bytes()));
                }
                Block::Code(text) => {
                    let fence = if text.contains("```") { "~~~~" } else { "```" };
                    let _ = writeln!(out, "{fence}toml\n{}\n{fence}\n", text.trim_end());
                }
                Block::Dashboard(d) => write_dashboard(&mut out, d, doc),
            }
        }
    }
    (out, files)
}

fn write_table(out: &mut String, table: &Table) {
    if table.headers.is_empty() {
        return;
    }
    out.push('|');
    for h in &table.headers {
        let _ = write!(out, " {} |", cell(h));
    }
    out.push_str("\n|");
    for i in 0..table.headers.len() {
        out.push_str(if table.numeric.get(i).copied().unwrap_or(false) {
            " ---: |"
        } else {
            " --- |"
        });
    }
    out.push('\n');
    for row in &table.rows {
        out.push('|');
        for c in row {
            let _ = write!(out, " {} |", cell(c));
        }
        out.push('\n');
    }
    out.push('\n');
}

/// Without a browser, the dashboard is the full city × segment table.
fn write_dashboard(out: &mut String, d: &Dashboard, doc: &Document) {
    let lang = doc.lang;
    let l = &d.labels;
    let mut table = Table::new(
        vec![
            l.city.clone(),
            l.segment.clone(),
            l.customers.clone(),
            l.churned.clone(),
            l.churn_rate.clone(),
        ],
        vec![false, false, true, true, true],
    );
    for (city, city_label) in &d.cities {
        for (segment, segment_label, _) in &d.segments {
            let (size, churned) = d
                .cells
                .iter()
                .filter(|c| &c.0 == city && &c.1 == segment)
                .fold((0u64, 0u64), |acc, c| (acc.0 + c.2, acc.1 + c.3));
            if size == 0 {
                continue;
            }
            table.rows.push(vec![
                city_label.clone(),
                segment_label.clone(),
                format::int(size, lang),
                format::int(churned, lang),
                format::pct(churned as f64 / size as f64, 1, lang),
            ]);
        }
    }
    write_table(out, &table);
}

/// Escapes characters Markdown would read as markup inside running text.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            other => out.push(other),
        }
    }
    out
}

fn cell(text: &str) -> String {
    inline(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(inline("a|b *c* [d]\nnext"), "a\\|b \\*c\\* \\[d\\] next");
        assert_eq!(inline("[18, 30)"), "\\[18, 30)");
    }
}
