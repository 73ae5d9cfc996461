//! Compares the generator with the reference export when `BANKSEG_REAL_DATA` points at it.
//!
//! ```text
//! BANKSEG_REAL_DATA=/path/to/bank_scrooge.csv cargo test -p bankseg-synth real -- --nocapture
//! ```

use bankseg_synth::HEADER;

use crate::common::{Aggregates, generate, parse_csv};

fn close(name: &str, real: f64, synthetic: f64, tolerance: f64) -> bool {
    let ok = (real - synthetic).abs() <= tolerance;
    println!(
        "{name:<36} real {real:>14.4} synthetic {synthetic:>14.4} {}",
        if ok { "ok" } else { "OFF" }
    );
    ok
}

fn relative(name: &str, real: f64, synthetic: f64, tolerance: f64) -> bool {
    close(name, real, synthetic, tolerance * real.abs())
}

#[test]
fn real_data_aggregates_match() {
    let Ok(path) = std::env::var("BANKSEG_REAL_DATA") else {
        println!("skipped: BANKSEG_REAL_DATA not set");
        return;
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(text.lines().next(), Some(HEADER), "{path}: header");
    let real_rows = parse_csv(&text);
    let real = Aggregates::of(&real_rows);
    let synthetic = Aggregates::of(&parse_csv(&generate(real_rows.len() as u64, 42)));

    let mut ok = true;
    ok &= close("churn rate", real.churn_rate, synthetic.churn_rate, 0.01);
    ok &= close(
        "missing balance share",
        real.missing_balance_share,
        synthetic.missing_balance_share,
        0.015,
    );
    ok &= close(
        "missing balance: non-churners",
        real.missing_balance_non_churn,
        synthetic.missing_balance_non_churn,
        0.02,
    );
    ok &= close(
        "missing balance: equity 0",
        real.missing_balance_equity0,
        synthetic.missing_balance_equity0,
        0.03,
    );
    ok &= close(
        "missing balance: one product",
        real.missing_balance_one_product,
        synthetic.missing_balance_one_product,
        0.03,
    );
    for (i, (r, s)) in real
        .products_share
        .iter()
        .zip(synthetic.products_share)
        .enumerate()
    {
        ok &= close(&format!("products = {i} share"), *r, s, 0.01);
    }
    for (i, (r, s)) in real
        .churn_by_products
        .iter()
        .zip(synthetic.churn_by_products)
        .take(4)
        .enumerate()
    {
        ok &= close(
            &format!("churn | products = {}", i + 1),
            *r,
            s,
            if i < 2 { 0.02 } else { 0.06 },
        );
    }
    for (i, (r, s)) in real.city_share.iter().zip(synthetic.city_share).enumerate() {
        ok &= close(&format!("city share {i}"), *r, s, 0.015);
    }
    ok &= close("men share", real.male_share, synthetic.male_share, 0.015);
    ok &= close(
        "credit card share",
        real.credit_card_share,
        synthetic.credit_card_share,
        0.015,
    );
    ok &= close(
        "last activity share",
        real.last_activity_share,
        synthetic.last_activity_share,
        0.015,
    );
    ok &= close(
        "missing ages",
        real.missing_ages as f64,
        synthetic.missing_ages as f64,
        15.0,
    );
    ok &= close(
        "duplicated ids",
        real.duplicated_ids as f64,
        synthetic.duplicated_ids as f64,
        25.0,
    );
    ok &= close(
        "products = 0 rows",
        real.products_zero as f64,
        synthetic.products_zero as f64,
        0.0,
    );
    for c in 0..2 {
        ok &= close(
            &format!("mean score | churn = {c}"),
            real.mean_score[c],
            synthetic.mean_score[c],
            4.0,
        );
        ok &= close(
            &format!("mean age | churn = {c}"),
            real.mean_age[c],
            synthetic.mean_age[c],
            1.0,
        );
        ok &= close(
            &format!("mean equity | churn = {c}"),
            real.mean_equity[c],
            synthetic.mean_equity[c],
            0.15,
        );
        ok &= relative(
            &format!("median balance | churn = {c}"),
            real.median_balance[c],
            synthetic.median_balance[c],
            0.08,
        );
    }
    ok &= relative(
        "median balance",
        real.median_balance_all,
        synthetic.median_balance_all,
        0.05,
    );
    ok &= relative(
        "median salary",
        real.median_salary,
        synthetic.median_salary,
        0.05,
    );
    assert!(ok, "some aggregates are off (see the table above)");
}
