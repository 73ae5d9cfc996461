//! Synthetic bank exports for bankseg.
//!
//! This crate owns the synthetic-data generator behind `bankseg generate --rows N --seed S --out FILE`
//! and the built-in demo bank ([`demo_bank`]). It writes CSV in exactly the layout of the reference
//! churn export (`USERID,score,city,gender,age,equity,balance,products,credit_card,last_activity,
//! EST_SALARY,churn`, same value formats) with the same quirks the cleaning and analysis stages have
//! to handle:
//!
//! - about 23% missing balances, almost all of them non-churners with equity 0 and one product;
//! - a few missing ages (about 26 per 10,000 rows);
//! - user ids shared by two customers, one in Ярославль and one in Рыбинск (about 73 pairs per
//!   10,000 rows);
//! - one row with `products = 0` per 10,000 rows (at least one from 1,000 rows on);
//! - heavy-tailed balances and salaries, and churn of about 18% that rises with the number of
//!   products and goes with a higher score, more equity, a higher balance and a younger or
//!   middle-aged customer.
//!
//! The model is a chain of conditional draws fitted to aggregates of the reference export (shares,
//! conditional rates and quantiles; no row of it is stored). `docs/synthetic-data.md` lists the
//! aggregates, their reference values and what the generator produces.
//!
//! Output is deterministic for a given [`GeneratorConfig`] (rows and seed) and is streamed: memory
//! does not grow with the number of rows.
//!
//! ```
//! use bankseg_synth::{GeneratorConfig, HEADER, write_csv};
//!
//! let mut out = Vec::new();
//! let summary = write_csv(&GeneratorConfig { rows: 100, seed: 42 }, &mut out).unwrap();
//! assert_eq!(summary.rows, 100);
//! let text = String::from_utf8(out).unwrap();
//! assert!(text.starts_with(HEADER));
//! assert_eq!(text.lines().count(), 101);
//! ```

mod generator;
mod ids;
mod model;

use std::io::{self, BufWriter, Write};

pub use generator::Generator;

/// The header line of the export, without the line break.
pub const HEADER: &str = "USERID,score,city,gender,age,equity,balance,products,credit_card,last_activity,EST_SALARY,churn";

/// What to generate: how many rows, from which seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GeneratorConfig {
    /// Number of customer rows (the header is not counted).
    pub rows: u64,
    /// Seed of the random stream; the same rows and seed give the same bytes.
    pub seed: u64,
}

/// The built-in demo bank: 10,000 customers from a fixed seed.
pub fn demo_bank() -> GeneratorConfig {
    GeneratorConfig {
        rows: 10_000,
        seed: 20231,
    }
}

/// One customer row of the export.
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    /// `USERID`; the same id can appear twice, in Ярославль and in Рыбинск.
    pub user_id: i64,
    /// Credit score, a whole number.
    pub score: f64,
    /// Ярославль, Рыбинск or Ростов.
    pub city: &'static str,
    /// М or Ж.
    pub gender: &'static str,
    /// Age in whole years, or missing.
    pub age: Option<f64>,
    /// Property score 0..=9.
    pub equity: u8,
    /// Balance in roubles with kopecks, or missing.
    pub balance: Option<f64>,
    /// Number of bank products, 0..=5 (0 is the anomaly).
    pub products: u8,
    /// Has a credit card.
    pub credit_card: bool,
    /// Was active in the last period.
    pub last_activity: bool,
    /// Estimated salary in roubles with kopecks.
    pub est_salary: f64,
    /// Left the bank.
    pub churn: bool,
}

impl Customer {
    /// Writes the customer as one CSV line (with its line break) in the export's conventions:
    /// score and age as `850.0`, money as the shortest decimal of the kopeck amount (`59214.8`,
    /// `850594.33`), missing values as empty fields, flags as `0`/`1`.
    pub fn write_csv_line<W: Write>(&self, out: &mut W) -> io::Result<()> {
        write!(
            out,
            "{},{:.1},{},{},",
            self.user_id, self.score, self.city, self.gender
        )?;
        if let Some(age) = self.age {
            write!(out, "{age:.1}")?;
        }
        write!(out, ",{},", self.equity)?;
        if let Some(balance) = self.balance {
            write_money(out, balance)?;
        }
        write!(
            out,
            ",{},{},{},",
            self.products,
            u8::from(self.credit_card),
            u8::from(self.last_activity)
        )?;
        write_money(out, self.est_salary)?;
        writeln!(out, ",{}", u8::from(self.churn))
    }
}

/// Writes an amount as the shortest decimal that reads back to it, with at least one decimal
/// (`100.0`, `59214.8`, `850594.33`), as the reference export does.
fn write_money<W: Write>(out: &mut W, amount: f64) -> io::Result<()> {
    if amount.fract() == 0.0 {
        write!(out, "{amount:.1}")
    } else {
        write!(out, "{amount}")
    }
}

/// Counts of what [`write_csv`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Customer rows written (without the header).
    pub rows: u64,
    /// Rows with `churn = 1`.
    pub churned: u64,
    /// Rows with an empty balance.
    pub missing_balance: u64,
    /// Rows with an empty age.
    pub missing_age: u64,
    /// Rows whose id also appears on another row (both rows of every pair).
    pub duplicate_id_rows: u64,
    /// Rows with `products = 0`.
    pub products_zero: u64,
}

impl Summary {
    fn add(&mut self, customer: &Customer) {
        self.rows += 1;
        self.churned += u64::from(customer.churn);
        self.missing_balance += u64::from(customer.balance.is_none());
        self.missing_age += u64::from(customer.age.is_none());
        self.products_zero += u64::from(customer.products == 0);
    }
}

/// Writes the header and `config.rows` generated customers to `out` through a buffer, and returns
/// what was written. Memory stays flat however many rows are asked for.
pub fn write_csv<W: Write>(config: &GeneratorConfig, out: W) -> io::Result<Summary> {
    let mut out = BufWriter::with_capacity(1 << 20, out);
    writeln!(out, "{HEADER}")?;
    let mut summary = Summary::default();
    let mut generator = Generator::new(*config);
    for customer in generator.by_ref() {
        customer.write_csv_line(&mut out)?;
        summary.add(&customer);
    }
    summary.duplicate_id_rows = generator.duplicate_id_rows();
    out.flush()?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(customer: &Customer) -> String {
        let mut out = Vec::new();
        customer.write_csv_line(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn formats_follow_the_export() {
        let mut customer = Customer {
            user_id: 183012,
            score: 850.0,
            city: "Рыбинск",
            gender: "Ж",
            age: Some(25.0),
            equity: 1,
            balance: Some(59214.8),
            products: 2,
            credit_card: false,
            last_activity: true,
            est_salary: 75719.14,
            churn: true,
        };
        assert_eq!(
            line(&customer),
            "183012,850.0,Рыбинск,Ж,25.0,1,59214.8,2,0,1,75719.14,1\n"
        );
        customer.age = None;
        customer.balance = None;
        customer.est_salary = 100000.0;
        assert_eq!(
            line(&customer),
            "183012,850.0,Рыбинск,Ж,,1,,2,0,1,100000.0,1\n"
        );
    }
}
