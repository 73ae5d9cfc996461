//! Parsing generated (or reference) CSV back into typed rows, and the aggregates the tests compare.

use std::collections::HashMap;

use bankseg_synth::{GeneratorConfig, write_csv};

/// One parsed CSV line.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub user_id: i64,
    pub score: f64,
    pub city: String,
    pub gender: String,
    pub age: Option<f64>,
    pub equity: u8,
    pub balance: Option<f64>,
    pub products: u8,
    pub credit_card: bool,
    pub last_activity: bool,
    pub est_salary: f64,
    pub churn: bool,
}

fn flag(field: &str, name: &str) -> Result<bool, String> {
    match field {
        "0" => Ok(false),
        "1" => Ok(true),
        other => Err(format!("{name}: expected 0 or 1, got {other:?}")),
    }
}

fn number<T: std::str::FromStr>(field: &str, name: &str) -> Result<T, String> {
    field
        .parse()
        .map_err(|_| format!("{name}: cannot parse {field:?}"))
}

fn optional(field: &str, name: &str) -> Result<Option<f64>, String> {
    if field.is_empty() {
        Ok(None)
    } else {
        number(field, name).map(Some)
    }
}

/// Parses one data line (without its line break).
pub fn parse_line(line: &str) -> Result<Row, String> {
    let f: Vec<&str> = line.split(',').collect();
    if f.len() != 12 {
        return Err(format!("expected 12 fields, got {} in {line:?}", f.len()));
    }
    Ok(Row {
        user_id: number(f[0], "USERID")?,
        score: number(f[1], "score")?,
        city: f[2].to_owned(),
        gender: f[3].to_owned(),
        age: optional(f[4], "age")?,
        equity: number(f[5], "equity")?,
        balance: optional(f[6], "balance")?,
        products: number(f[7], "products")?,
        credit_card: flag(f[8], "credit_card")?,
        last_activity: flag(f[9], "last_activity")?,
        est_salary: number(f[10], "EST_SALARY")?,
        churn: flag(f[11], "churn")?,
    })
}

/// Generates an export into memory.
pub fn generate(rows: u64, seed: u64) -> String {
    let mut out = Vec::new();
    write_csv(&GeneratorConfig { rows, seed }, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("utf-8 output")
}

/// Parses every data line of an export (the header is skipped).
pub fn parse_csv(text: &str) -> Vec<Row> {
    text.lines()
        .skip(1)
        .enumerate()
        .map(|(i, line)| parse_line(line).unwrap_or_else(|e| panic!("line {}: {e}", i + 2)))
        .collect()
}

fn share(rows: &[Row], pred: impl Fn(&Row) -> bool) -> f64 {
    rows.iter().filter(|r| pred(r)).count() as f64 / rows.len() as f64
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = xs.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    sum / n as f64
}

/// The aggregates the generator is fitted to (see docs/synthetic-data.md).
#[derive(Debug, Clone)]
pub struct Aggregates {
    pub rows: usize,
    pub churn_rate: f64,
    pub city_share: [f64; 3],
    pub male_share: f64,
    /// Share of rows with 0..=5 products.
    pub products_share: [f64; 6],
    /// Churn rate among rows with 1..=5 products.
    pub churn_by_products: [f64; 5],
    pub missing_balance_share: f64,
    /// Among rows with a missing balance: share of non-churners, of equity 0, of one product.
    pub missing_balance_non_churn: f64,
    pub missing_balance_equity0: f64,
    pub missing_balance_one_product: f64,
    pub missing_ages: usize,
    /// Ids that appear on more than one row.
    pub duplicated_ids: usize,
    pub duplicate_id_rows: usize,
    /// Duplicated ids whose rows are exactly one in Ярославль and one in Рыбинск.
    pub duplicated_ids_yaroslavl_rybinsk: usize,
    pub products_zero: usize,
    /// Indexed by churn (0 = stayed, 1 = left).
    pub mean_score: [f64; 2],
    pub mean_age: [f64; 2],
    pub mean_equity: [f64; 2],
    pub median_balance: [f64; 2],
    pub median_salary: f64,
    pub median_balance_all: f64,
    pub credit_card_share: f64,
    pub last_activity_share: f64,
}

impl Aggregates {
    pub fn of(rows: &[Row]) -> Self {
        let churn_rate = share(rows, |r| r.churn);
        let cities = ["Ярославль", "Рыбинск", "Ростов"];
        let city_share = cities.map(|c| share(rows, |r| r.city == c));
        let products_share = [0u8, 1, 2, 3, 4, 5].map(|p| share(rows, |r| r.products == p));
        let churn_by_products = [1u8, 2, 3, 4, 5].map(|p| {
            let with: Vec<Row> = rows.iter().filter(|r| r.products == p).cloned().collect();
            share(&with, |r| r.churn)
        });
        let missing: Vec<Row> = rows
            .iter()
            .filter(|r| r.balance.is_none())
            .cloned()
            .collect();

        let mut ids: HashMap<i64, Vec<&str>> = HashMap::new();
        for r in rows {
            ids.entry(r.user_id).or_default().push(&r.city);
        }
        let duplicated: Vec<&Vec<&str>> = ids.values().filter(|c| c.len() > 1).collect();
        let duplicated_ids_yaroslavl_rybinsk = duplicated
            .iter()
            .filter(|c| {
                let mut c = c.to_vec();
                c.sort_unstable();
                c == ["Рыбинск", "Ярославль"]
            })
            .count();

        let by_churn = |churn: bool| rows.iter().filter(move |r| r.churn == churn);
        Self {
            rows: rows.len(),
            churn_rate,
            city_share,
            male_share: share(rows, |r| r.gender == "М"),
            products_share,
            churn_by_products,
            missing_balance_share: missing.len() as f64 / rows.len() as f64,
            missing_balance_non_churn: share(&missing, |r| !r.churn),
            missing_balance_equity0: share(&missing, |r| r.equity == 0),
            missing_balance_one_product: share(&missing, |r| r.products == 1),
            missing_ages: rows.iter().filter(|r| r.age.is_none()).count(),
            duplicated_ids: duplicated.len(),
            duplicate_id_rows: duplicated.iter().map(|c| c.len()).sum(),
            duplicated_ids_yaroslavl_rybinsk,
            products_zero: rows.iter().filter(|r| r.products == 0).count(),
            mean_score: [false, true].map(|c| mean(by_churn(c).map(|r| r.score))),
            mean_age: [false, true].map(|c| mean(by_churn(c).filter_map(|r| r.age))),
            mean_equity: [false, true].map(|c| mean(by_churn(c).map(|r| f64::from(r.equity)))),
            median_balance: [false, true]
                .map(|c| median(by_churn(c).filter_map(|r| r.balance).collect())),
            median_salary: median(rows.iter().map(|r| r.est_salary).collect()),
            median_balance_all: median(rows.iter().filter_map(|r| r.balance).collect()),
            credit_card_share: share(rows, |r| r.credit_card),
            last_activity_share: share(rows, |r| r.last_activity),
        }
    }
}
