//! Reading `content/results/<period>.csv` (SPEC §5): results in spreadsheet form.
//!
//! We parse the CSV ourselves (RFC 4180: quoted cells, doubled quotes, line breaks inside
//! quotes) because every cell needs its own `line:column` for diagnostics. The delimiter is `,`
//! or `;`, detected from the header; with `;` the decimal separator is `,`. Cells are trimmed;
//! an empty cell is absent. Which criterion a column names decides how its cells are read
//! (`pass_fail` cells are booleans), so the criteria table is an input.

use std::borrow::Cow;

use rust_decimal::Decimal;

use super::decode::{self, Ctx, Help};
use super::yaml::char_count;
use crate::diagnostics::did_you_mean;
use crate::model::{FileId, Method, Pos, Spanned, Value};

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    Criterion(String),
    Bonus(String),
    Penalty(String),
    Metric(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Value(Value),
    Count(Decimal),
    Metric(Decimal),
}

#[derive(Debug, Clone)]
pub struct Cell {
    pub column: usize,
    pub value: CellValue,
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub unit: Spanned<String>,
    pub cells: Vec<Cell>,
}

/// One results file, read: its columns and rows (bad cells are reported and left out).
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

/// A raw cell with the place it starts: borrowed from the file unless it was quoted.
struct Raw<'t> {
    text: Cow<'t, str>,
    line: u32,
    col: u32,
    quoted: bool,
}

/// Splits CSV text into records of raw cells and hands each one (blank lines left out) to
/// `each` as soon as it is complete, so that only one record is held at a time (the whole
/// file's records took ~40 bytes a cell: 30 MB for a 10k campaign's results). Returns an error
/// position for a quote that never closes. Columns count characters; the delimiter is ASCII.
fn each_record<'t>(
    text: &'t str,
    delimiter: char,
    mut each: impl FnMut(&[Raw<'t>]),
) -> Result<(), (u32, u32)> {
    let bytes = text.as_bytes();
    let delimiter = delimiter as u8;
    // A byte that starts a character moves the column; continuation bytes do not.
    let starts_char = |b: u8| b & 0xC0 != 0x80;
    let mut record = Vec::new();
    let (mut i, mut line, mut col) = (0usize, 1u32, 1u32);
    loop {
        let (start_line, start_col, start) = (line, col, i);
        // Skip leading blanks so a quoted cell may be preceded by spaces.
        while matches!(bytes.get(i), Some(b' ' | b'\t')) {
            i += 1;
            col += 1;
        }
        let mut quoted_text = None;
        if bytes.get(i) == Some(&b'"') {
            let mut cell = String::new();
            i += 1;
            col += 1;
            loop {
                let run =
                    bytes[i..].iter().position(|&b| b == b'"' || b == b'\n').map_or(bytes.len(), |p| i + p);
                cell.push_str(&text[i..run]);
                col += text[i..run].bytes().filter(|&b| starts_char(b)).count() as u32;
                i = run;
                match bytes.get(i) {
                    None => return Err((start_line, start_col)),
                    Some(b'"') if bytes.get(i + 1) == Some(&b'"') => {
                        cell.push('"');
                        i += 2;
                        col += 2;
                    }
                    Some(b'"') => {
                        i += 1;
                        col += 1;
                        break;
                    }
                    _ => {
                        cell.push('\n');
                        i += 1;
                        line += 1;
                        col = 1;
                    }
                }
            }
            quoted_text = Some(cell);
        }
        let rest = i;
        let (mut ended_line, mut ended_file) = (false, false);
        let end = loop {
            match bytes.get(i) {
                None => {
                    ended_file = true;
                    break i;
                }
                Some(&b) if b == delimiter => {
                    i += 1;
                    col += 1;
                    break i - 1;
                }
                Some(b'\n') => {
                    ended_line = true;
                    i += 1;
                    line += 1;
                    col = 1;
                    break i - 1;
                }
                Some(&b) => {
                    i += 1;
                    if starts_char(b) {
                        col += 1;
                    }
                }
            }
        };
        // A CR before the line's LF is not part of the cell.
        let end = if ended_line && end > rest && bytes[end - 1] == b'\r' { end - 1 } else { end };
        // Text after a closing quote is kept: the cell is then read as written.
        let (text_of_cell, quoted) = match quoted_text {
            Some(mut cell) => {
                cell.push_str(&text[rest..end]);
                (Cow::Owned(cell), true)
            }
            None => (Cow::Borrowed(&text[start..end]), false),
        };
        record.push(Raw { text: text_of_cell, line: start_line, col: start_col, quoted });
        if ended_line || ended_file {
            let blank = record.len() == 1 && !record[0].quoted && record[0].text.trim().is_empty();
            if !blank {
                each(&record);
            }
            record.clear();
            if ended_file {
                return Ok(());
            }
        }
    }
}

/// The header line's delimiter: `;` when it holds one outside quotes, else `,`.
fn detect_delimiter(text: &str) -> char {
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => return ';',
            '\n' => break,
            _ => {}
        }
    }
    ','
}

/// Reads a results file. `method` tells the scoring method of a criterion id (None: unknown).
pub fn read(
    ctx: &mut Ctx<'_>,
    file: FileId,
    text: &str,
    method: &dyn Fn(&str) -> Option<Method>,
    criterion_ids: &[&str],
) -> Table {
    let delimiter = detect_delimiter(text);
    let before = ctx.diags.len();
    // None until the header is read; then the reader, or None when the header was refused.
    let mut reader: Option<Option<Reader>> = None;
    let read = each_record(text, delimiter, |record| match &mut reader {
        None => reader = Some(Reader::new(ctx, file, text, record, method, criterion_ids, delimiter)),
        Some(Some(reader)) => reader.row(ctx, record),
        Some(None) => {}
    });
    if let Err((line, col)) = read {
        // A quote that never closes: the file is not read at all, and this is its only problem.
        ctx.diags.truncate(before);
        let pos = Pos { file, line, col, len: 1 };
        ctx.error("csv-syntax", pos, "a quoted cell never closes")
            .help("close the cell with a `\"`; a quote inside a cell is written `\"\"`");
        return Table::default();
    }
    match reader {
        None => {
            ctx.error("csv-syntax", Pos::file_start(file), "the results file is empty")
                .help("the first line names the columns: unit,A1,A2,...");
            Table::default()
        }
        Some(None) => Table::default(),
        Some(Some(reader)) => reader.table,
    }
}

/// The place of a raw cell, `len` characters wide (at least 1).
fn place(file: FileId, raw: &Raw<'_>, len: usize) -> Pos {
    Pos { file, line: raw.line, col: raw.col, len: len.max(1) as u32 }
}

/// The rows of a results file after its header, read one record at a time.
struct Reader {
    file: FileId,
    delimiter: char,
    width: usize,
    /// Whether each column was understood (its cells are read only then).
    ok_columns: Vec<bool>,
    /// Whether each column is a pass/fail criterion.
    pass_fail: Vec<bool>,
    table: Table,
}

impl Reader {
    /// Reads the header; `None` (reported) when its first column is not `unit`.
    fn new(
        ctx: &mut Ctx<'_>,
        file: FileId,
        text: &str,
        header: &[Raw<'_>],
        method: &dyn Fn(&str) -> Option<Method>,
        criterion_ids: &[&str],
        delimiter: char,
    ) -> Option<Reader> {
        let at = |raw: &Raw<'_>| place(file, raw, raw.text.chars().count());
        let first = header[0].text.trim();
        if first != "unit" {
            ctx.error(
                "csv-header",
                at(&header[0]),
                format!("the first column must be `unit`, found `{first}`"),
            )
            .help("name the first column `unit` and put unit ids in it");
            return None;
        }
        let mut columns = Vec::with_capacity(header.len() - 1);
        let mut ok_columns = Vec::with_capacity(header.len() - 1);
        for raw in &header[1..] {
            let column = column(ctx, raw.text.trim(), at(raw), criterion_ids);
            if let Some(c) = &column
                && columns.contains(c)
            {
                ctx.error("csv-header", at(raw), format!("the column `{}` appears twice", raw.text.trim()));
                ok_columns.push(false);
            } else {
                ok_columns.push(column.is_some());
            }
            columns.push(column.unwrap_or(Column::Metric(String::new())));
        }
        // Asked once per column: a look-up (and a clone of the method) per cell showed in profiles.
        let pass_fail: Vec<bool> = columns
            .iter()
            .map(|c| matches!(c, Column::Criterion(id) if method(id) == Some(Method::PassFail)))
            .collect();
        // Sized up front from the lines (rows grown push by push took twice their memory).
        let lines = text.bytes().filter(|&b| b == b'\n').count();
        let table = Table { columns, rows: Vec::with_capacity(lines) };
        Some(Reader { file, delimiter, width: header.len(), ok_columns, pass_fail, table })
    }

    fn row(&mut self, ctx: &mut Ctx<'_>, record: &[Raw<'_>]) {
        let file = self.file;
        let unit_pos = place(file, &record[0], record[0].text.chars().count());
        if record.len() != self.width {
            let message = format!("this row has {} cells but the header has {}", record.len(), self.width);
            ctx.error("csv-row-length", unit_pos, message)
                .help(format!("check for a stray `{}` or a missing cell", self.delimiter));
            return;
        }
        let unit_text = record[0].text.trim();
        let mut cells = Vec::with_capacity(record.len() - 1);
        for (i, raw) in record[1..].iter().enumerate() {
            let text = raw.text.trim();
            if text.is_empty() || !self.ok_columns[i] {
                continue;
            }
            let pos = place(file, raw, char_count(text));
            let column = &self.table.columns[i];
            if let Some(value) = cell(ctx, column, self.pass_fail[i], text, pos, self.delimiter) {
                cells.push(Cell { column: i, value, pos });
            }
        }
        self.table.rows.push(Row { unit: Spanned::new(unit_text.to_string(), unit_pos), cells });
    }
}

fn column(ctx: &mut Ctx<'_>, name: &str, pos: Pos, criterion_ids: &[&str]) -> Option<Column> {
    if let Some((prefix, id)) = name.split_once(':') {
        let id = id.trim().to_string();
        match prefix.trim() {
            "bonus" => return Some(Column::Bonus(id)),
            "penalty" => return Some(Column::Penalty(id)),
            "metric" => return Some(Column::Metric(id)),
            other => {
                let fixed = match other {
                    "penalties" | "penalties_" | "phat" => Some("penalty"),
                    "bonuses" | "bonu" => Some("bonus"),
                    "metrics" => Some("metric"),
                    _ => crate::diagnostics::nearest(other, ["bonus", "penalty", "metric"]),
                };
                let help = fixed.map_or_else(
                    || {
                        "columns are criterion ids, `bonus:<id>`, `penalty:<id>` or `metric:<name>`"
                            .to_string()
                    },
                    |f| format!("did you mean \"{f}:{id}\"?"),
                );
                ctx.error("csv-header", pos, format!("unknown column `{name}`")).help(help);
                return None;
            }
        }
    }
    if criterion_ids.contains(&name) {
        return Some(Column::Criterion(name.to_string()));
    }
    let help = did_you_mean(name, criterion_ids.iter().copied()).unwrap_or_else(|| {
        "columns are criterion ids, `bonus:<id>`, `penalty:<id>` or `metric:<name>`".to_string()
    });
    ctx.error("csv-header", pos, format!("unknown column `{name}`: no criterion has this id")).help(help);
    None
}

fn cell(
    ctx: &mut Ctx<'_>,
    column: &Column,
    pass_fail: bool,
    text: &str,
    pos: Pos,
    delimiter: char,
) -> Option<CellValue> {
    // ASCII case folding: no other character folds to a letter of these words.
    let is = |words: [&str; 3]| words.iter().any(|w| text.eq_ignore_ascii_case(w));
    match column {
        Column::Criterion(id) if pass_fail => match () {
            () if is(["true", "yes", "1"]) => Some(CellValue::Value(Value::Bool(true))),
            () if is(["false", "no", "0"]) => Some(CellValue::Value(Value::Bool(false))),
            () => {
                ctx.error(
                    "wrong-type",
                    pos,
                    format!("`{id}` is a pass/fail criterion; expected true or false, found \"{text}\""),
                )
                .help("write true/false, yes/no or 1/0");
                None
            }
        },
        Column::Criterion(_) => number(ctx, text, pos, delimiter).map(|d| CellValue::Value(Value::Number(d))),
        Column::Bonus(_) | Column::Penalty(_) => {
            let d = number(ctx, text, pos, delimiter)?;
            if d.is_sign_negative() {
                ctx.error("negative-value", pos, format!("a count cannot be negative, found {text}"));
                return None;
            }
            Some(CellValue::Count(d))
        }
        Column::Metric(_) => number(ctx, text, pos, delimiter).map(CellValue::Metric),
    }
}

/// A number in the file's convention: `1234.5` with `,` files, `1234,5` with `;` files.
fn number(ctx: &mut Ctx<'_>, text: &str, pos: Pos, delimiter: char) -> Option<Decimal> {
    // Digits, a sign and one point pass every check below; most cells look like that.
    if delimiter == ','
        && let Some(d) = decode::simple_decimal(text)
    {
        return Some(d);
    }
    let (decimal_sep, other) = if delimiter == ';' { (',', '.') } else { ('.', ',') };
    if text.contains(other)
        || text.matches(decimal_sep).count() > 1
        || text.contains(' ')
        || text.contains('\u{a0}')
    {
        let why = if delimiter == ';' {
            "with `;` as delimiter the decimal separator is `,`, and a `.` could be a thousands separator"
        } else {
            "with `,` as delimiter the decimal separator is `.`, and a `,` could be a thousands separator"
        };
        ctx.error("csv-number", pos, format!("\"{text}\" is not a plain number: {why}"))
            .help(format!("write the number without thousands separators, e.g. 1234{decimal_sep}5"));
        return None;
    }
    let normalized: std::borrow::Cow<'_, str> =
        if decimal_sep == '.' { text.into() } else { text.replace(decimal_sep, ".").into() };
    match decode::parse_decimal(&normalized) {
        Ok(d) => Some(d),
        Err(problem) => {
            let d = ctx.error(problem.code(), pos, problem.message(text));
            d.help_opt(problem.help());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record, collected.
    fn records(text: &str, delimiter: char) -> Result<Vec<Vec<Raw<'_>>>, (u32, u32)> {
        let mut out = Vec::new();
        each_record(text, delimiter, |record| {
            out.push(record.iter().map(|r| Raw { text: r.text.clone(), ..*r }).collect())
        })?;
        Ok(out)
    }

    fn cells(text: &str, delimiter: char) -> Vec<Vec<(String, u32, u32)>> {
        records(text, delimiter)
            .unwrap()
            .into_iter()
            .map(|r| r.into_iter().map(|c| (c.text.into_owned(), c.line, c.col)).collect())
            .collect()
    }

    #[test]
    fn records_track_line_and_column() {
        let got = cells("unit;A1\r\nx;\"5,2\"\r\n\r\ny; 7 \n", ';');
        assert_eq!(got[0], vec![("unit".into(), 1, 1), ("A1".into(), 1, 6)]);
        assert_eq!(got[1], vec![("x".into(), 2, 1), ("5,2".into(), 2, 3)]);
        assert_eq!(got[2], vec![("y".into(), 4, 1), (" 7 ".into(), 4, 3)]);
    }

    #[test]
    fn quoted_cells_may_hold_quotes_and_line_breaks() {
        let got = cells("a,\"say \"\"hi\"\"\nthere\",b\nc,d,e", ',');
        assert_eq!(got[0][1].0, "say \"hi\"\nthere");
        assert_eq!(got[0][2], ("b".into(), 2, 8));
        assert_eq!(got[1][0], ("c".into(), 3, 1));
        assert_eq!(records("a,\"open\n", ',').err(), Some((1, 3)));
    }

    #[test]
    fn delimiter_comes_from_the_header() {
        assert_eq!(detect_delimiter("unit;A1\n1,2;3"), ';');
        assert_eq!(detect_delimiter("unit,A1\n1;2"), ',');
        assert_eq!(detect_delimiter("\"a;b\",c\n"), ',');
    }

    fn read_all(text: &str) -> (Table, Vec<(String, String)>) {
        let mut diags = Vec::new();
        let mut ctx = Ctx { path: "content/results/q1.csv", diags: &mut diags };
        let method = |id: &str| (id == "B1").then_some(Method::PassFail);
        let table = read(&mut ctx, FileId(0), text, &method, &["A1", "B1"]);
        (table, diags.iter().map(|d| (d.code.to_string(), d.message.clone())).collect())
    }

    #[test]
    fn an_unclosed_quote_is_the_files_only_problem() {
        // The rows before the quote have problems of their own; none is reported.
        let (table, diags) = read_all("unit,A1,X9\na,x,1\nb,1\nc,\"2\n");
        assert!(table.rows.is_empty() && table.columns.is_empty());
        assert_eq!(diags, [("csv-syntax".to_string(), "a quoted cell never closes".to_string())]);
    }

    #[test]
    fn rows_are_read_after_their_header() {
        let (table, diags) = read_all("unit,A1,B1\n\na,1.50,yes\nb,2\n c ,,0\n");
        let codes: Vec<&str> = diags.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(codes, ["csv-row-length"]);
        let units: Vec<&str> = table.rows.iter().map(|r| r.unit.value.as_str()).collect();
        assert_eq!(units, ["a", "c"]);
        assert_eq!(table.rows[0].cells.len(), 2);
        assert_eq!((table.rows[1].cells[0].column, table.rows[1].cells[0].pos.col), (1, 6));
        assert_eq!(read_all("").1[0].1, "the results file is empty");
        assert!(read_all("name,A1\na,1\n").0.rows.is_empty());
    }
}
