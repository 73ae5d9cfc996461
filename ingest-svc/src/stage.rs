//! The staging pass: one streaming read of the source that validates it and stages it as text.
//!
//! For CSV the pass detects the delimiter from the header line, rejects binary input, invalid UTF-8,
//! git merge-conflict markers and oversized fields with the line and column where they occur, and
//! records every data record with its 1-based source line (the header is line 1; a record that spans
//! lines because of a quoted line break gets the line it starts on). A record whose field count
//! differs from the header's is staged too and quarantined later as `wrong_field_count` (a truncated
//! last line loses one row, not the file).
//!
//! For Parquet the pass maps the schema's columns by name and reads every value as text, so the
//! cleaning SQL types CSV and Parquet the same way; `source_line` is then the 1-based row number.
//!
//! The staged table is a local Parquet file with columns `source_line`, `field_count`, `raw` (the
//! record's fields joined as a CSV line), `raw_<canonical>` and `pt_<n>` (pass-through columns).
//! Memory use is one batch of [`BATCH_ROWS`] rows whatever the size of the input.

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Int32Builder, Int64Builder, StringArray, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterPropertiesBuilder};

use crate::mapping::{CANONICAL, Layout, Mapping};
use crate::{Error, Result};

/// Rows per staged record batch.
pub const BATCH_ROWS: usize = 8192;

/// Candidate delimiters, in order of preference on ties.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Longest header line read for delimiter detection.
const MAX_HEADER_BYTES: u64 = 1 << 20;

/// Source formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Delimited text with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
}

impl Format {
    /// Lower-case name for the quality report.
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
        }
    }
}

/// How to read the source.
#[derive(Debug, Clone)]
pub struct StageOptions {
    /// Requested format; `None`: from the file name, then from the first bytes.
    pub format: Option<Format>,
    /// CSV delimiter; `None`: detected from the header line.
    pub delimiter: Option<u8>,
    /// Largest accepted field, in bytes.
    pub max_field_bytes: usize,
}

/// What the staging pass found.
#[derive(Debug, Clone)]
pub struct Staged {
    /// Data records read (the header is not counted).
    pub rows_read: u64,
    /// Where the canonical and pass-through columns are.
    pub layout: Layout,
    /// The format that was read.
    pub format: Format,
    /// The CSV delimiter used.
    pub delimiter: Option<u8>,
    /// Schema of the staged file.
    pub schema: SchemaRef,
}

/// Reads `source` (a local file named `name`), validates it and writes the staged table to `out`.
pub fn stage(
    source: &Path,
    name: &str,
    mapping: &Mapping,
    options: &StageOptions,
    out: &Path,
) -> Result<Staged> {
    let mut file = File::open(source)?;
    let mut magic = [0u8; 4];
    let n = read_up_to(&mut file, &mut magic)?;
    drop(file);
    let lower = name.to_ascii_lowercase();
    let format = options.format.unwrap_or(
        if lower.ends_with(".parquet") || lower.ends_with(".pq") || &magic[..n] == b"PAR1" {
            Format::Parquet
        } else {
            Format::Csv
        },
    );
    match format {
        Format::Csv => stage_csv(source, mapping, options, out),
        Format::Parquet => {
            if &magic[..n] != b"PAR1" {
                return Err(Error::invalid(
                    "not a Parquet file: it does not start with the PAR1 magic bytes",
                ));
            }
            stage_parquet(source, mapping, out)
        }
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = r.read(&mut buf[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

/// Writer settings of scratch Parquet files: small row groups (a writer holds one row group in
/// memory), no compression (the files are read back once or twice and then deleted), and no
/// statistics or page index: a writer keeps those for every page and row group until it writes
/// the footer, so they would grow with the file (the row counts DataFusion plans with stay).
pub fn scratch_properties() -> WriterProperties {
    scratch_builder().build()
}

/// [`scratch_properties`] as a builder, to adjust.
pub fn scratch_builder() -> WriterPropertiesBuilder {
    WriterProperties::builder()
        .set_max_row_group_row_count(Some(SCRATCH_ROW_GROUP_ROWS))
        .set_max_row_group_bytes(Some(crate::clean::OUTPUT_ROW_GROUP_BYTES))
        .set_compression(Compression::UNCOMPRESSED)
        .set_statistics_enabled(EnabledStatistics::None)
        .set_offset_index_disabled(true)
}

/// Rows per row group of scratch Parquet files.
pub const SCRATCH_ROW_GROUP_ROWS: usize = 65_536;

/// The staged table's schema for `layout`.
pub fn staging_schema(layout: &Layout) -> SchemaRef {
    let mut fields = vec![
        Field::new("source_line", DataType::Int64, false),
        Field::new("field_count", DataType::Int32, false),
        Field::new("raw", DataType::Utf8, false),
    ];
    for (c, _) in CANONICAL {
        fields.push(Field::new(format!("raw_{c}"), DataType::Utf8, true));
    }
    for i in 0..layout.passthrough.len() {
        fields.push(Field::new(format!("pt_{i}"), DataType::Utf8, true));
    }
    Arc::new(Schema::new(fields))
}

/// Accumulates staged rows and writes them in batches.
struct StagingWriter {
    schema: SchemaRef,
    writer: ArrowWriter<File>,
    lines: Int64Builder,
    counts: Int32Builder,
    raw: StringBuilder,
    columns: Vec<StringBuilder>,
    rows: usize,
}

impl StagingWriter {
    fn new(layout: &Layout, out: &Path) -> Result<Self> {
        let schema = staging_schema(layout);
        let writer = ArrowWriter::try_new(
            File::create(out)?,
            Arc::clone(&schema),
            Some(scratch_properties()),
        )?;
        let columns = (0..CANONICAL.len() + layout.passthrough.len())
            .map(|_| StringBuilder::new())
            .collect();
        Ok(Self {
            schema,
            writer,
            lines: Int64Builder::with_capacity(BATCH_ROWS),
            counts: Int32Builder::with_capacity(BATCH_ROWS),
            raw: StringBuilder::new(),
            columns,
            rows: 0,
        })
    }

    fn flush(&mut self) -> Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let mut arrays: Vec<ArrayRef> = vec![
            Arc::new(self.lines.finish()),
            Arc::new(self.counts.finish()),
            Arc::new(self.raw.finish()),
        ];
        arrays.extend(
            self.columns
                .iter_mut()
                .map(|b| Arc::new(b.finish()) as ArrayRef),
        );
        let batch = RecordBatch::try_new(Arc::clone(&self.schema), arrays)?;
        self.writer.write(&batch)?;
        self.rows = 0;
        Ok(())
    }

    fn row_done(&mut self) -> Result<()> {
        self.rows += 1;
        if self.rows >= BATCH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<SchemaRef> {
        self.flush()?;
        self.writer.close()?;
        Ok(self.schema)
    }
}

/// Index of the most frequent candidate delimiter outside quotes in `line`; `,` when none occurs.
pub fn detect_delimiter(line: &[u8]) -> u8 {
    let mut counts = [0usize; DELIMITERS.len()];
    let mut quoted = false;
    for &b in line {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = DELIMITERS.iter().position(|d| *d == b) {
            counts[i] += 1;
        }
    }
    let mut best = 0;
    for i in 1..DELIMITERS.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    DELIMITERS[best]
}

fn describe_delimiter(d: u8) -> String {
    match d {
        b'\t' => "tab".into(),
        other => format!("'{}'", other as char),
    }
}

/// Whether a record's first field is a git merge-conflict marker line.
fn conflict_marker(first: &[u8]) -> Option<&'static str> {
    if first.starts_with(b"<<<<<<<") {
        Some("<<<<<<<")
    } else if first.starts_with(b">>>>>>>") {
        Some(">>>>>>>")
    } else if first.starts_with(b"|||||||") {
        Some("|||||||")
    } else if first.starts_with(b"=======") && first[7..].iter().all(|b| b.is_ascii_whitespace()) {
        Some("=======")
    } else {
        None
    }
}

fn column_label(col: usize, header: &[String]) -> String {
    match header.get(col) {
        Some(name) if !name.is_empty() => format!("column {} ({name})", col + 1),
        _ => format!("column {}", col + 1),
    }
}

/// Checks one CSV field's bytes; returns it as text.
fn check_field<'a>(
    field: &'a [u8],
    line: u64,
    col: usize,
    header: &[String],
    max_field_bytes: usize,
) -> Result<&'a str> {
    if field.len() > max_field_bytes {
        return Err(Error::invalid(format!(
            "line {line}, {}: field is {} bytes, longer than the {max_field_bytes}-byte limit",
            column_label(col, header),
            field.len()
        )));
    }
    let text = std::str::from_utf8(field).map_err(|e| {
        let at = e.valid_up_to();
        Error::invalid(format!(
            "line {line}, {}: invalid UTF-8 (byte 0x{:02x} at byte {} of the field); expected UTF-8 text, re-save the file as UTF-8",
            column_label(col, header),
            field.get(at).copied().unwrap_or(0),
            at + 1
        ))
    })?;
    if let Some(pos) = field
        .iter()
        .position(|&b| b < 0x20 && b != b'\t' && b != b'\r' && b != b'\n')
    {
        return Err(Error::invalid(format!(
            "line {line}, {}: binary byte 0x{:02x} at byte {} of the field; expected text",
            column_label(col, header),
            field[pos],
            pos + 1
        )));
    }
    Ok(text)
}

/// Appends `field` to `out` as one CSV field, quoted when needed.
fn push_csv_field(out: &mut String, field: &str, delimiter: u8) {
    let needs_quotes = field
        .bytes()
        .any(|b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r');
    if needs_quotes {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

fn csv_error(e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line());
    let what = match e.into_kind() {
        csv::ErrorKind::Io(io) => return Error::Io(io),
        other => format!("{other:?}"),
    };
    match line {
        Some(l) => Error::invalid(format!("line {l}: cannot read CSV: {what}")),
        None => Error::invalid(format!("cannot read CSV: {what}")),
    }
}

fn stage_csv(
    source: &Path,
    mapping: &Mapping,
    options: &StageOptions,
    out: &Path,
) -> Result<Staged> {
    let mut reader = BufReader::with_capacity(1 << 16, File::open(source)?);
    let head = reader.fill_buf()?;
    if head.is_empty() {
        return Err(Error::invalid(
            "empty input: expected a header line followed by data rows",
        ));
    }
    if let Some(pos) = head.iter().take(8192).position(|b| *b == 0) {
        return Err(Error::invalid(format!(
            "input is binary, not CSV text (byte 0x00 at offset {pos}); expected CSV or Parquet"
        )));
    }
    let mut first_line = Vec::new();
    (&mut reader)
        .take(MAX_HEADER_BYTES)
        .read_until(b'\n', &mut first_line)?;
    let delimiter = options
        .delimiter
        .unwrap_or_else(|| detect_delimiter(&first_line));
    let chained = Cursor::new(first_line).chain(reader);
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(1 << 16)
        .from_reader(chained);

    let mut record = csv::ByteRecord::new();
    if !csv.read_byte_record(&mut record).map_err(csv_error)? {
        return Err(Error::invalid(
            "empty input: expected a header line followed by data rows",
        ));
    }
    let header_line = record.position().map(|p| p.line()).unwrap_or(1);
    let mut header = Vec::with_capacity(record.len());
    for (col, field) in record.iter().enumerate() {
        let text = check_field(field, header_line, col, &[], options.max_field_bytes)?;
        header.push(text.trim_start_matches('\u{feff}').trim().to_string());
    }
    if let Some(marker) = header.first().and_then(|h| conflict_marker(h.as_bytes())) {
        return Err(Error::invalid(format!(
            "line {header_line}: git merge-conflict marker {marker:?}; resolve the conflict in the file first"
        )));
    }
    let describe = format!(
        "header line {header_line} split by {}",
        describe_delimiter(delimiter)
    );
    let layout = match Layout::resolve(mapping, &header, &describe) {
        Ok(layout) => layout,
        Err(Error::MissingColumn {
            canonical,
            source_name,
            mut found,
        }) if header.len() == 1 => {
            // One column only: most likely the wrong delimiter.
            let other = detect_delimiter(header[0].as_bytes());
            if other != delimiter && header[0].as_bytes().contains(&other) {
                found.push_str(&format!(
                    "; it contains {}, try that delimiter",
                    describe_delimiter(other)
                ));
            }
            return Err(Error::MissingColumn {
                canonical,
                source_name,
                found,
            });
        }
        Err(e) => return Err(e),
    };
    let mut writer = StagingWriter::new(&layout, out)?;
    let canon_count = CANONICAL.len();
    let mut rows_read = 0u64;
    let mut raw = String::new();
    loop {
        if !csv.read_byte_record(&mut record).map_err(csv_error)? {
            break;
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if let Some(marker) = record.get(0).and_then(conflict_marker) {
            return Err(Error::invalid(format!(
                "line {line}: git merge-conflict marker {marker:?}; resolve the conflict in the file first"
            )));
        }
        let mut texts: Vec<&str> = Vec::with_capacity(layout.field_count);
        raw.clear();
        for (col, field) in record.iter().enumerate() {
            let text = check_field(field, line, col, &header, options.max_field_bytes)?;
            if col > 0 {
                raw.push(delimiter as char);
            }
            push_csv_field(&mut raw, text, delimiter);
            texts.push(text);
        }
        rows_read += 1;
        writer
            .lines
            .append_value(i64::try_from(line).unwrap_or(i64::MAX));
        writer
            .counts
            .append_value(i32::try_from(texts.len()).unwrap_or(i32::MAX));
        writer.raw.append_value(&raw);
        for (i, pos) in layout.positions.iter().enumerate() {
            writer.columns[i].append_option(pos.and_then(|p| texts.get(p).copied()));
        }
        for (j, (pos, _)) in layout.passthrough.iter().enumerate() {
            writer.columns[canon_count + j].append_option(texts.get(*pos).copied());
        }
        writer.row_done()?;
    }
    if rows_read == 0 {
        return Err(Error::invalid(format!(
            "no data rows: the input has a header (line {header_line}) and nothing after it"
        )));
    }
    let schema = writer.finish()?;
    Ok(Staged {
        rows_read,
        layout,
        format: Format::Csv,
        delimiter: Some(delimiter),
        schema,
    })
}

fn stage_parquet(source: &Path, mapping: &Mapping, out: &Path) -> Result<Staged> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(source)?)
        .map_err(|e| Error::invalid(format!("not a readable Parquet file: {e}")))?;
    let source_schema = Arc::clone(builder.schema());
    let header: Vec<String> = source_schema
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let layout = Layout::resolve(mapping, &header, "parquet schema")?;
    for field in source_schema.fields() {
        let dt = field.data_type();
        if dt.is_nested() || matches!(dt, DataType::Binary | DataType::LargeBinary) {
            return Err(Error::invalid(format!(
                "parquet column {:?} has type {dt}; expected numbers, text or booleans",
                field.name()
            )));
        }
    }
    let reader = builder
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| Error::invalid(format!("not a readable Parquet file: {e}")))?;
    let mut writer = StagingWriter::new(&layout, out)?;
    let canon_count = CANONICAL.len();
    let mut rows_read = 0u64;
    let mut raw = String::new();
    for batch in reader {
        let batch = batch.map_err(|e| Error::invalid(format!("reading parquet: {e}")))?;
        let mut text_columns = Vec::with_capacity(batch.num_columns());
        for (i, column) in batch.columns().iter().enumerate() {
            let cast = arrow::compute::cast(column, &DataType::Utf8).map_err(|e| {
                Error::invalid(format!(
                    "parquet column {:?} cannot be read as text: {e}",
                    header[i]
                ))
            })?;
            let strings = cast
                .as_any()
                .downcast_ref::<StringArray>()
                .cloned()
                .ok_or_else(|| Error::Internal("cast to Utf8 did not give strings".into()))?;
            text_columns.push(strings);
        }
        for row in 0..batch.num_rows() {
            rows_read += 1;
            raw.clear();
            for (col, strings) in text_columns.iter().enumerate() {
                if col > 0 {
                    raw.push(',');
                }
                if strings.is_valid(row) {
                    push_csv_field(&mut raw, strings.value(row), b',');
                }
            }
            let value = |pos: usize| {
                let s = &text_columns[pos];
                s.is_valid(row).then(|| s.value(row))
            };
            writer
                .lines
                .append_value(i64::try_from(rows_read).unwrap_or(i64::MAX));
            writer
                .counts
                .append_value(i32::try_from(layout.field_count).unwrap_or(i32::MAX));
            writer.raw.append_value(&raw);
            for (i, pos) in layout.positions.iter().enumerate() {
                writer.columns[i].append_option(pos.and_then(value));
            }
            for (j, (pos, _)) in layout.passthrough.iter().enumerate() {
                writer.columns[canon_count + j].append_option(value(*pos));
            }
            writer.row_done()?;
        }
    }
    if rows_read == 0 {
        return Err(Error::invalid("no data rows: the parquet file has no rows"));
    }
    let schema = writer.finish()?;
    Ok(Staged {
        rows_read,
        layout,
        format: Format::Parquet,
        delimiter: None,
        schema,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_are_detected_outside_quotes() {
        assert_eq!(detect_delimiter(b"a,b,c\n"), b',');
        assert_eq!(detect_delimiter(b"a;b;c\n"), b';');
        assert_eq!(detect_delimiter(b"\"a;b;c\",d,e\n"), b',');
        assert_eq!(detect_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(detect_delimiter(b"single"), b',');
    }

    #[test]
    fn conflict_markers_are_recognised() {
        assert_eq!(conflict_marker(b"<<<<<<< HEAD"), Some("<<<<<<<"));
        assert_eq!(conflict_marker(b"======="), Some("======="));
        assert_eq!(conflict_marker(b">>>>>>> feature"), Some(">>>>>>>"));
        assert_eq!(conflict_marker(b"=======x"), None);
        assert_eq!(conflict_marker(b"123"), None);
    }

    #[test]
    fn raw_fields_are_quoted_when_needed() {
        let mut s = String::new();
        push_csv_field(&mut s, "a,b", b',');
        s.push(',');
        push_csv_field(&mut s, "say \"hi\"", b',');
        s.push(',');
        push_csv_field(&mut s, "plain", b',');
        assert_eq!(s, "\"a,b\",\"say \"\"hi\"\"\",plain");
    }
}
