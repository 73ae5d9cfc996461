//! Small Arrow tables of an analysis for Flight SQL: portraits and hypotheses.

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray, Float64Array, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use bankseg_proto::analysis::v1::Hypothesis;

use super::error::Result;
use super::segments::SegOutput;

fn utf8(v: Vec<String>) -> ArrayRef {
    Arc::new(StringArray::from(v))
}

fn f64s(v: Vec<Option<f64>>) -> ArrayRef {
    Arc::new(Float64Array::from(v))
}

/// Schema of the portraits table.
pub fn portraits_schema() -> Schema {
    Schema::new(vec![
        Field::new("segment_id", DataType::Utf8, false),
        Field::new("parent_id", DataType::Utf8, false),
        Field::new("size", DataType::UInt64, false),
        Field::new("churned", DataType::UInt64, false),
        Field::new("column", DataType::Utf8, false),
        Field::new("kind", DataType::Utf8, false),
        Field::new("level", DataType::Utf8, false),
        Field::new("value", DataType::Float64, true),
        Field::new("value_churned", DataType::Float64, true),
        Field::new("value_retained", DataType::Float64, true),
        Field::new("test", DataType::Utf8, false),
        Field::new("p_value", DataType::Float64, true),
        Field::new("p_adjusted", DataType::Float64, true),
        Field::new("significant", DataType::Boolean, false),
    ])
}

/// One row per segment × feature (× level for categorical features).
pub fn portraits_batch(seg: &SegOutput) -> Result<RecordBatch> {
    let mut sid = Vec::new();
    let mut parent = Vec::new();
    let mut size = Vec::new();
    let mut churned = Vec::new();
    let mut column = Vec::new();
    let mut kind = Vec::new();
    let mut level = Vec::new();
    let mut value = Vec::new();
    let mut vc = Vec::new();
    let mut vr = Vec::new();
    let mut test = Vec::new();
    let mut p = Vec::new();
    let mut pa = Vec::new();
    let mut sig = Vec::new();
    for s in &seg.segments {
        for f in &s.features {
            sid.push(s.id.clone());
            parent.push(s.parent.clone());
            size.push(s.size);
            churned.push(s.churned);
            column.push(f.column.clone());
            kind.push(f.kind.clone());
            level.push(f.level.clone());
            value.push(f.value);
            vc.push(f.churned);
            vr.push(f.retained);
            test.push(f.test.clone());
            p.push(f.p_value);
            pa.push(f.p_adjusted);
            sig.push(f.significant);
        }
    }
    Ok(RecordBatch::try_new(
        Arc::new(portraits_schema()),
        vec![
            utf8(sid),
            utf8(parent),
            Arc::new(UInt64Array::from(size)),
            Arc::new(UInt64Array::from(churned)),
            utf8(column),
            utf8(kind),
            utf8(level),
            f64s(value),
            f64s(vc),
            f64s(vr),
            utf8(test),
            f64s(p),
            f64s(pa),
            Arc::new(BooleanArray::from(sig)),
        ],
    )?)
}

/// Schema of the hypotheses table.
pub fn hypotheses_schema() -> Schema {
    Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("column", DataType::Utf8, false),
        Field::new("groups", DataType::Utf8, false),
        Field::new("test", DataType::Utf8, false),
        Field::new("method", DataType::Utf8, false),
        Field::new("statistic", DataType::Float64, true),
        Field::new("p_value", DataType::Float64, true),
        Field::new("log10_p", DataType::Float64, true),
        Field::new("p_adjusted", DataType::Float64, false),
        Field::new("effect_name", DataType::Utf8, false),
        Field::new("effect", DataType::Float64, true),
        Field::new("reject_h0", DataType::Boolean, false),
        Field::new("companions", DataType::Utf8, false),
        Field::new("verdict_ru", DataType::Utf8, false),
        Field::new("verdict_en", DataType::Utf8, false),
    ])
}

/// One row per hypothesis (its primary test; companions summarised as `test:p` pairs).
pub fn hypotheses_batch(hyps: &[Hypothesis]) -> Result<RecordBatch> {
    let primary = |h: &Hypothesis| h.primary.clone().unwrap_or_default();
    let verdict = |h: &Hypothesis| h.verdict.clone().unwrap_or_default();
    Ok(RecordBatch::try_new(
        Arc::new(hypotheses_schema()),
        vec![
            utf8(hyps.iter().map(|h| h.id.clone()).collect()),
            utf8(hyps.iter().map(|h| h.column.clone()).collect()),
            utf8(hyps.iter().map(|h| h.groups.join(",")).collect()),
            utf8(hyps.iter().map(|h| primary(h).test).collect()),
            utf8(hyps.iter().map(|h| primary(h).method).collect()),
            f64s(
                hyps.iter()
                    .map(|h| h.primary.as_ref().map(|p| p.statistic))
                    .collect(),
            ),
            f64s(
                hyps.iter()
                    .map(|h| h.primary.as_ref().map(|p| p.p_value))
                    .collect(),
            ),
            f64s(
                hyps.iter()
                    .map(|h| h.primary.as_ref().map(|p| p.log10_p))
                    .collect(),
            ),
            Arc::new(Float64Array::from(
                hyps.iter().map(|h| h.p_adjusted).collect::<Vec<_>>(),
            )),
            utf8(hyps.iter().map(|h| primary(h).effect_name).collect()),
            f64s(
                hyps.iter()
                    .map(|h| h.primary.as_ref().and_then(|p| p.effect))
                    .collect(),
            ),
            Arc::new(BooleanArray::from(
                hyps.iter().map(|h| h.reject_h0).collect::<Vec<_>>(),
            )),
            utf8(
                hyps.iter()
                    .map(|h| {
                        h.companions
                            .iter()
                            .map(|c| format!("{}:{:e}", c.test, c.p_value))
                            .collect::<Vec<_>>()
                            .join(";")
                    })
                    .collect(),
            ),
            utf8(hyps.iter().map(|h| verdict(h).ru).collect()),
            utf8(hyps.iter().map(|h| verdict(h).en).collect()),
        ],
    )?)
}
