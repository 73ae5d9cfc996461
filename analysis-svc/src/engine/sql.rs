//! Running SQL plans and reading their (small, aggregated) results; conditions as SQL.

use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, Float64Type, Int64Type};
use arrow::record_batch::RecordBatch;
use datafusion::prelude::SessionContext;

use super::config::{Condition, Literal};
use super::error::{Error, Result};

/// Quotes an identifier for SQL.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Quotes a string literal for SQL.
pub fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Runs a query and collects its (aggregated) result.
pub async fn query(ctx: &SessionContext, sql: &str) -> Result<Rows> {
    tracing::debug!(sql, "analysis query");
    let batches = ctx.sql(sql).await?.collect().await?;
    Rows::new(batches)
}

/// Result rows of a query with typed column access.
#[derive(Debug, Default)]
pub struct Rows {
    columns: Vec<Vec<arrow::array::ArrayRef>>,
    len: usize,
}

impl Rows {
    fn new(batches: Vec<RecordBatch>) -> Result<Self> {
        let width = batches.first().map(|b| b.num_columns()).unwrap_or(0);
        let mut columns = vec![Vec::new(); width];
        let mut len = 0;
        for b in batches {
            len += b.num_rows();
            for (i, c) in b.columns().iter().enumerate() {
                if let Some(col) = columns.get_mut(i) {
                    col.push(c.clone());
                }
            }
        }
        Ok(Self { columns, len })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    fn cast(&self, i: usize, to: &DataType) -> Result<Vec<arrow::array::ArrayRef>> {
        if self.columns.is_empty() && self.len == 0 {
            // a query without result batches: every column is empty
            return Ok(Vec::new());
        }
        let parts = self
            .columns
            .get(i)
            .ok_or_else(|| Error::Internal(format!("result has no column {i}")))?;
        parts
            .iter()
            .map(|a| arrow::compute::cast(a, to).map_err(Error::from))
            .collect()
    }

    /// Column `i` as floats (NULL → None).
    pub fn f64(&self, i: usize) -> Result<Vec<Option<f64>>> {
        let mut out = Vec::with_capacity(self.len);
        for a in self.cast(i, &DataType::Float64)? {
            let a = a.as_primitive::<Float64Type>();
            out.extend((0..a.len()).map(|j| a.is_valid(j).then(|| a.value(j))));
        }
        Ok(out)
    }

    /// Column `i` as integers (NULL → None).
    pub fn i64(&self, i: usize) -> Result<Vec<Option<i64>>> {
        let mut out = Vec::with_capacity(self.len);
        for a in self.cast(i, &DataType::Int64)? {
            let a = a.as_primitive::<Int64Type>();
            out.extend((0..a.len()).map(|j| a.is_valid(j).then(|| a.value(j))));
        }
        Ok(out)
    }

    /// Column `i` as non-negative counts (NULL → 0).
    pub fn u64(&self, i: usize) -> Result<Vec<u64>> {
        Ok(self
            .i64(i)?
            .into_iter()
            .map(|v| v.unwrap_or(0).max(0) as u64)
            .collect())
    }

    /// Column `i` as strings (NULL → None).
    pub fn str(&self, i: usize) -> Result<Vec<Option<String>>> {
        let mut out = Vec::with_capacity(self.len);
        for a in self.cast(i, &DataType::Utf8)? {
            let a = a.as_string::<i32>();
            out.extend((0..a.len()).map(|j| a.is_valid(j).then(|| a.value(j).to_string())));
        }
        Ok(out)
    }

    /// Column `i` as booleans (NULL → None).
    pub fn bool(&self, i: usize) -> Result<Vec<Option<bool>>> {
        let mut out = Vec::with_capacity(self.len);
        for a in self.cast(i, &DataType::Boolean)? {
            let a = a.as_boolean();
            out.extend((0..a.len()).map(|j| a.is_valid(j).then(|| a.value(j))));
        }
        Ok(out)
    }
}

/// SQL predicate of one condition.
pub fn condition_sql(c: &Condition) -> String {
    let col = ident(&c.column);
    let mut parts = Vec::new();
    if let Some(values) = &c.values {
        let list: Vec<String> = values.iter().map(Literal::sql).collect();
        parts.push(format!("{col} IN ({})", list.join(", ")));
    }
    if let Some(v) = c.min {
        parts.push(format!("{col} >= {v:?}"));
    }
    if let Some(v) = c.max {
        parts.push(format!("{col} <= {v:?}"));
    }
    if let Some(v) = c.below {
        parts.push(format!("{col} < {v:?}"));
    }
    match c.is_null {
        Some(true) => parts.push(format!("{col} IS NULL")),
        Some(false) => parts.push(format!("{col} IS NOT NULL")),
        None => {}
    }
    if parts.is_empty() {
        "TRUE".into()
    } else {
        format!("({})", parts.join(" AND "))
    }
}

/// SQL predicate of a conjunction of conditions.
pub fn conditions_sql(cs: &[Condition]) -> String {
    if cs.is_empty() {
        return "TRUE".into();
    }
    cs.iter()
        .map(condition_sql)
        .collect::<Vec<_>>()
        .join(" AND ")
}
