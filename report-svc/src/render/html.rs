//! The HTML report: one self-contained file (inline CSS, inline SVG charts, a small inline script)
//! that opens offline in any browser and prints cleanly.
//!
//! The script draws the dashboard (city and segment filters over the embedded `city_cells`
//! aggregates; a `#city=…&segment=…` URL fragment preselects filters) and checks the page once it
//! has loaded: every chart must have drawn content. It records the outcome on `<body>` as
//! `data-selftest` (`ok`, or what failed) so a headless browser can verify the page from its DOM.

use std::fmt::Write as _;

use super::{Block, Chart, Dashboard, Document, Table};

/// Writes `doc` as a complete HTML document.
pub fn write(doc: &Document) -> String {
    let mut out = String::with_capacity(256 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{}</style>\n</head>\n<body data-selftest=\"pending\">\n",
        doc.lang.code(),
        escape(&doc.title),
        CSS
    );
    let _ = write!(
        out,
        "<header class=\"top\">\n<h1>{}</h1>\n<p class=\"subtitle\">{}</p>\n</header>\n",
        escape(&doc.title),
        escape(&doc.subtitle)
    );
    let _ = write!(
        out,
        "<nav class=\"toc\" aria-label=\"{0}\">\n<h2>{0}</h2>\n<ol>\n",
        escape(&doc.contents_label)
    );
    for section in &doc.sections {
        let _ = writeln!(
            out,
            "<li><a href=\"#{}\">{}</a></li>",
            section.id,
            escape(&section.title)
        );
    }
    out.push_str("</ol>\n</nav>\n<main>\n");
    for (i, section) in doc.sections.iter().enumerate() {
        let _ = write!(
            out,
            "<section id=\"{}\" class=\"section\">\n<h2>{}. {}</h2>\n",
            section.id,
            i + 1,
            escape(&section.title)
        );
        for block in &section.blocks {
            write_block(&mut out, block);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n<script>\n");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body>\n</html>\n");
    out
}

fn write_block(out: &mut String, block: &Block) {
    match block {
        Block::Heading(text) => {
            let _ = writeln!(out, "<h3>{}</h3>", escape(text));
        }
        Block::Paragraph(text) => {
            let _ = writeln!(out, "<p>{}</p>", escape(text));
        }
        Block::Note(text) => {
            let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(text));
        }
        Block::Bullets(items) => {
            out.push_str("<ul>\n");
            for item in items {
                let _ = writeln!(out, "<li>{}</li>", escape(item));
            }
            out.push_str("</ul>\n");
        }
        Block::Figures(items) => {
            out.push_str("<div class=\"figures\">\n");
            for (label, value) in items {
                let _ = writeln!(
                    out,
                    "<div class=\"kpi\"><div class=\"kpi-value\">{}</div><div class=\"kpi-label\">{}</div></div>",
                    escape(value),
                    escape(label)
                );
            }
            out.push_str("</div>\n");
        }
        Block::Table(table) => write_table(out, table),
        Block::Chart(chart) => write_chart(out, chart),
        Block::Code(text) => {
            let _ = writeln!(out, "<pre class=\"code\">{}</pre>", escape(text));
        }
        Block::Dashboard(d) => write_dashboard(out, d),
    }
}

fn write_table(out: &mut String, table: &Table) {
    out.push_str("<div class=\"table-wrap\"><table>\n<thead><tr>");
    for (i, h) in table.headers.iter().enumerate() {
        let class = if table.numeric.get(i).copied().unwrap_or(false) {
            " class=\"num\""
        } else {
            ""
        };
        let _ = write!(out, "<th{class}>{}</th>", escape(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let class = if table.numeric.get(i).copied().unwrap_or(false) {
                " class=\"num\""
            } else {
                ""
            };
            let _ = write!(out, "<td{class}>{}</td>", escape(cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n");
}

fn write_chart(out: &mut String, chart: &Chart) {
    let svg = chart.svg.trim();
    let svg = match svg.strip_prefix("<svg ") {
        Some(rest) => format!(
            "<svg class=\"chart-svg\" role=\"img\" aria-label=\"{}\" {rest}",
            escape(&chart.title)
        ),
        None => svg.to_string(),
    };
    let _ = write!(
        out,
        "<figure class=\"chart\" id=\"chart-{0}\" data-chart=\"{0}\">\n<figcaption>{1}</figcaption>\n{2}\n</figure>\n",
        escape(&chart.name),
        escape(&chart.title),
        svg
    );
}

fn write_dashboard(out: &mut String, d: &Dashboard) {
    let l = &d.labels;
    out.push_str("<div class=\"dashboard\" id=\"dashboard-app\">\n<div class=\"filters\">\n");
    let _ = write!(
        out,
        "<label>{} <select id=\"filter-city\"><option value=\"\">{}</option>",
        escape(&l.city),
        escape(&l.all)
    );
    for (value, label) in &d.cities {
        let _ = write!(
            out,
            "<option value=\"{}\">{}</option>",
            escape(value),
            escape(label)
        );
    }
    let _ = write!(
        out,
        "</select></label>\n<label>{} <select id=\"filter-segment\"><option value=\"\">{}</option>",
        escape(&l.segment),
        escape(&l.all)
    );
    for (value, label, top) in &d.segments {
        let indent = if *top { "" } else { "\u{a0}\u{a0}\u{a0}" };
        let _ = write!(
            out,
            "<option value=\"{}\">{indent}{}</option>",
            escape(value),
            escape(label)
        );
    }
    out.push_str("</select></label>\n</div>\n");
    out.push_str(
        "<figure class=\"chart dashboard-chart\" id=\"chart-dashboard\" data-chart=\"dashboard\"></figure>\n",
    );
    let _ = write!(
        out,
        "<div class=\"table-wrap\"><table id=\"dashboard-table\">\n<thead><tr><th id=\"dashboard-key\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead>\n<tbody></tbody>\n<tfoot></tfoot>\n</table></div>\n",
        escape(&l.segment),
        escape(&l.customers),
        escape(&l.churned),
        escape(&l.churn_rate)
    );
    let data = serde_json::json!({
        "cities": d.cities,
        "segments": d.segments,
        "cells": d.cells,
        "bank_rate": if d.bank_rate.is_finite() { Some(d.bank_rate) } else { None },
        "labels": {
            "city": l.city,
            "segment": l.segment,
            "all": l.all,
            "customers": l.customers,
            "churned": l.churned,
            "churn_rate": l.churn_rate,
            "bank_average": l.bank_average,
            "total": l.total,
        },
    });
    let json = data
        .to_string()
        .replace("</", "<\\/")
        .replace("<!--", "<\\!--");
    let _ = write!(
        out,
        "<script type=\"application/json\" id=\"dashboard-data\">{json}</script>\n</div>\n"
    );
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

const CSS: &str = r#"
:root { --ink: #222; --muted: #666; --line: #ddd; --churn: #c83e3e; --retain: #3b6ea8; --bg: #fafafa; }
* { box-sizing: border-box; }
html { font-size: 15px; }
body { margin: 0 auto; max-width: 1120px; padding: 1.5rem 2rem 4rem; color: var(--ink); background: #fff;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; line-height: 1.5; }
h1 { font-size: 1.9rem; margin: 0 0 .2rem; }
h2 { font-size: 1.45rem; margin: 2.4rem 0 .8rem; padding-bottom: .3rem; border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.12rem; margin: 1.8rem 0 .5rem; }
.subtitle { color: var(--muted); margin: 0 0 1rem; }
nav.toc { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: .6rem 1.2rem; }
nav.toc h2 { border: 0; font-size: 1.1rem; margin: .3rem 0; }
nav.toc ol { columns: 2; margin: 0; padding-left: 1.4rem; }
nav.toc a { color: var(--retain); text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
.note { border-left: 4px solid var(--churn); background: #fdf3f3; padding: .6rem .9rem; margin: 1rem 0; }
.figures { display: flex; flex-wrap: wrap; gap: .8rem; margin: 1rem 0; }
.kpi { flex: 1 1 150px; border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; background: var(--bg); }
.kpi-value { font-size: 1.5rem; font-weight: 600; white-space: nowrap; }
.kpi-label { color: var(--muted); font-size: .9rem; }
.table-wrap { overflow-x: auto; margin: .8rem 0 1.2rem; }
table { border-collapse: collapse; font-size: .92rem; min-width: 40%; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tfoot td { font-weight: 600; border-top: 2px solid var(--ink); }
figure.chart { margin: 1rem 0 1.4rem; }
figure.chart figcaption { font-weight: 600; margin-bottom: .3rem; }
svg.chart-svg { display: block; max-width: 100%; height: auto; }
pre.code { background: var(--bg); border: 1px solid var(--line); padding: .8rem; overflow-x: auto; font-size: .85rem; }
.filters { display: flex; flex-wrap: wrap; gap: 1.2rem; margin: .8rem 0; }
.filters select { font: inherit; padding: .2rem .4rem; margin-left: .3rem; }
@media (max-width: 700px) { body { padding: 1rem; } nav.toc ol { columns: 1; } }
@media print {
  html { font-size: 10.5pt; }
  body { max-width: none; padding: 0; }
  nav.toc { border: 0; background: none; }
  nav.toc a { color: var(--ink); }
  .filters { display: none; }
  h2 { break-after: avoid; }
  h3 { break-after: avoid; }
  figure.chart, .kpi, tr { break-inside: avoid; }
  .table-wrap { overflow: visible; }
}
"#;

const SCRIPT: &str = r#"(function () {
  'use strict';
  var body = document.body;
  var errors = [];
  window.addEventListener('error', function (e) {
    errors.push(String(e.message || e));
    body.setAttribute('data-selftest', 'error: ' + errors.join('; '));
  });
  var SVG = 'http://www.w3.org/2000/svg';
  var lang = document.documentElement.lang || 'ru';
  function fixed(x, d) {
    var s = x.toFixed(d);
    return lang === 'ru' ? s.replace('.', ',') : s;
  }
  function group(n) {
    var s = String(Math.round(n)), sep = lang === 'ru' ? '\u00a0' : ',', out = '';
    while (s.length > 3) { out = sep + s.slice(-3) + out; s = s.slice(0, -3); }
    return s + out;
  }
  function pct(r) {
    if (r === null || !isFinite(r)) { return '\u2014'; }
    return fixed(r * 100, 1) + (lang === 'ru' ? '\u00a0%' : '%');
  }
  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    for (var k in attrs) { node.setAttribute(k, attrs[k]); }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function parseHash() {
    var out = {};
    var h = window.location.hash.replace(/^#/, '');
    h.split('&').forEach(function (part) {
      var i = part.indexOf('=');
      if (i > 0) {
        try { out[decodeURIComponent(part.slice(0, i))] = decodeURIComponent(part.slice(i + 1)); } catch (e) { }
      }
    });
    return out;
  }

  function dashboard() {
    var dataNode = document.getElementById('dashboard-data');
    if (!dataNode) { return null; }
    var data = JSON.parse(dataNode.textContent);
    var citySel = document.getElementById('filter-city');
    var segSel = document.getElementById('filter-segment');
    var tbody = document.querySelector('#dashboard-table tbody');
    var tfoot = document.querySelector('#dashboard-table tfoot');
    var keyHead = document.getElementById('dashboard-key');
    var figure = document.getElementById('chart-dashboard');
    var cityName = {}, segName = {}, segTop = {};
    data.cities.forEach(function (c) { cityName[c[0]] = c[1]; });
    data.segments.forEach(function (s) { segName[s[0]] = s[1]; segTop[s[0]] = s[2]; });

    function update() {
      var city = citySel.value, seg = segSel.value;
      var byCity = seg !== '';
      // Without a segment: the top-level segments (they do not overlap, so they add up);
      // with one: that segment, city by city.
      var order = byCity
        ? data.cities.map(function (c) { return c[0]; })
        : data.segments.filter(function (s) { return s[2]; }).map(function (s) { return s[0]; });
      var rows = {}, total = { size: 0, churned: 0 };
      data.cells.forEach(function (c) {
        if (city !== '' && c[0] !== city) { return; }
        if (seg !== '' && c[1] !== seg) { return; }
        if (seg === '' && !segTop[c[1]]) { return; }
        var key = byCity ? c[0] : c[1];
        if (!rows[key]) { rows[key] = { size: 0, churned: 0 }; }
        rows[key].size += c[2]; rows[key].churned += c[3];
        total.size += c[2]; total.churned += c[3];
      });
      keyHead.textContent = byCity ? data.labels.city : data.labels.segment;
      tbody.textContent = '';
      var shown = [];
      order.forEach(function (key) {
        var r = rows[key];
        if (!r) { return; }
        var rate = r.size > 0 ? r.churned / r.size : null;
        shown.push({ key: key, label: byCity ? (cityName[key] || key) : (segName[key] || key), rate: rate });
        var tr = document.createElement('tr');
        tr.setAttribute('data-key', key);
        tr.setAttribute('data-city', byCity ? key : city);
        tr.setAttribute('data-segment', byCity ? seg : key);
        [shown[shown.length - 1].label, group(r.size), group(r.churned), pct(rate)].forEach(function (v, i) {
          var td = document.createElement('td');
          td.textContent = v;
          if (i > 0) { td.className = 'num'; }
          tr.appendChild(td);
        });
        tbody.appendChild(tr);
      });
      tfoot.textContent = '';
      var tr = document.createElement('tr');
      [data.labels.total, group(total.size), group(total.churned), pct(total.size > 0 ? total.churned / total.size : null)].forEach(function (v, i) {
        var td = document.createElement('td');
        td.textContent = v;
        if (i > 0) { td.className = 'num'; }
        tr.appendChild(td);
      });
      tfoot.appendChild(tr);
      body.setAttribute('data-dashboard-rows', String(shown.length));
      body.setAttribute('data-dashboard-city', city);
      body.setAttribute('data-dashboard-segment', seg);
      draw(shown);
    }

    function draw(shown) {
      figure.textContent = '';
      var width = 760, rowH = 26, left = 230, top = 26, n = Math.max(shown.length, 1);
      var height = top + rowH * n + 30;
      var max = data.bank_rate || 0;
      shown.forEach(function (s) { if (s.rate !== null && s.rate > max) { max = s.rate; } });
      max = max > 0 ? max * 1.18 : 1;
      var plotW = width - left - 20;
      var svg = el('svg', { 'class': 'chart-svg', width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, role: 'img' });
      svg.appendChild(el('rect', { x: 0, y: 0, width: width, height: height, fill: '#ffffff' }));
      shown.forEach(function (s, i) {
        var y = top + i * rowH;
        var w = s.rate === null ? 0 : plotW * s.rate / max;
        var high = data.bank_rate !== null && s.rate !== null && s.rate > data.bank_rate;
        svg.appendChild(el('rect', { x: left, y: y + 4, width: Math.max(w, 1), height: rowH - 8, fill: high ? '#c83e3e' : '#3b6ea8', 'data-key': s.key }));
        svg.appendChild(el('text', { x: left - 6, y: y + rowH / 2, dy: '0.35em', 'text-anchor': 'end', 'font-family': 'sans-serif', 'font-size': 12, fill: '#222' }, s.label));
        svg.appendChild(el('text', { x: left + w + 5, y: y + rowH / 2, dy: '0.35em', 'font-family': 'sans-serif', 'font-size': 12, fill: '#222' }, pct(s.rate)));
      });
      if (data.bank_rate !== null) {
        var x = left + plotW * data.bank_rate / max;
        svg.appendChild(el('line', { x1: x, x2: x, y1: top - 4, y2: top + rowH * n, stroke: '#222', 'stroke-width': 2 }));
        svg.appendChild(el('text', { x: x, y: top - 8, 'text-anchor': 'middle', 'font-family': 'sans-serif', 'font-size': 12, fill: '#222' }, data.labels.bank_average + ' ' + pct(data.bank_rate)));
      }
      svg.appendChild(el('line', { x1: left, x2: left, y1: top - 4, y2: top + rowH * n, stroke: '#888', 'stroke-width': 1 }));
      figure.appendChild(svg);
    }

    function applyHash() {
      var h = parseHash();
      if (h.city !== undefined && cityName[h.city] !== undefined) { citySel.value = h.city; }
      if (h.segment !== undefined && segName[h.segment] !== undefined) { segSel.value = h.segment; }
      update();
    }
    citySel.addEventListener('change', update);
    segSel.addEventListener('change', update);
    window.addEventListener('hashchange', applyHash);
    applyHash();
    return true;
  }

  function selfTest() {
    var problems = [];
    var figures = document.querySelectorAll('figure.chart');
    for (var i = 0; i < figures.length; i++) {
      var fig = figures[i];
      var svg = fig.querySelector('svg');
      var name = fig.getAttribute('data-chart');
      if (!svg) { problems.push('no svg in chart ' + name); continue; }
      var marks = svg.querySelectorAll('rect, polyline, path, line, circle, polygon').length;
      var box = svg.getBoundingClientRect();
      if (marks < 2 || box.width < 10 || box.height < 10) { problems.push('chart ' + name + ' has nothing drawn'); }
    }
    body.setAttribute('data-charts', String(figures.length));
    return problems;
  }

  try {
    dashboard();
    var problems = selfTest();
    if (errors.length === 0) {
      body.setAttribute('data-selftest', problems.length === 0 ? 'ok' : 'fail: ' + problems.join('; '));
    }
  } catch (e) {
    errors.push(String(e && e.message ? e.message : e));
    body.setAttribute('data-selftest', 'error: ' + errors.join('; '));
  }
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">Tom & 'Jerry'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
    }
}
