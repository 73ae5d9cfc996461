//! The demo bank (10,000 rows, seed 20231) reproduces the reference export's aggregates.

use std::collections::HashMap;

use bankseg_synth::{GeneratorConfig, demo_bank, write_csv};

use crate::common::{Aggregates, Row, generate, parse_csv};

fn demo_rows() -> Vec<Row> {
    let demo = demo_bank();
    parse_csv(&generate(demo.rows, demo.seed))
}

#[test]
fn churn_and_products() {
    let a = Aggregates::of(&demo_rows());
    assert_eq!(a.rows, 10_000);
    assert!((0.17..=0.195).contains(&a.churn_rate), "{}", a.churn_rate);
    let [_, p1, p2, p3, p4, p5] = a.products_share;
    assert!((0.31..=0.36).contains(&p1), "{p1}");
    assert!((0.48..=0.54).contains(&p2), "{p2}");
    assert!((0.085..=0.12).contains(&p3), "{p3}");
    assert!((0.035..=0.06).contains(&p4), "{p4}");
    assert!(p5 > 0.0 && p5 < 0.006, "{p5}");
    let [c1, c2, c3, c4, _] = a.churn_by_products;
    assert!(c1 < c2 && c2 < c3 && c3 < c4, "{:?}", a.churn_by_products);
    assert!(c4 >= 0.5, "{c4}");
    assert!((0.05..=0.09).contains(&c1), "{c1}");
}

#[test]
fn missing_balances_sit_with_non_churners_equity_zero_one_product() {
    let a = Aggregates::of(&demo_rows());
    assert!(
        (0.21..=0.25).contains(&a.missing_balance_share),
        "{}",
        a.missing_balance_share
    );
    assert!(
        a.missing_balance_non_churn >= 0.8,
        "{}",
        a.missing_balance_non_churn
    );
    assert!(
        a.missing_balance_equity0 >= 0.8,
        "{}",
        a.missing_balance_equity0
    );
    assert!(
        a.missing_balance_one_product >= 0.7,
        "{}",
        a.missing_balance_one_product
    );
}

#[test]
fn missing_ages_and_products_zero() {
    let a = Aggregates::of(&demo_rows());
    assert!((10..=50).contains(&a.missing_ages), "{}", a.missing_ages);
    assert_eq!(a.products_zero, 1);
}

#[test]
fn duplicated_ids_pair_yaroslavl_with_rybinsk() {
    let rows = demo_rows();
    let a = Aggregates::of(&rows);
    assert!(
        (40..=110).contains(&a.duplicated_ids),
        "{}",
        a.duplicated_ids
    );
    assert_eq!(
        a.duplicate_id_rows,
        2 * a.duplicated_ids,
        "every id at most twice"
    );
    assert_eq!(a.duplicated_ids_yaroslavl_rybinsk, a.duplicated_ids);

    let mut out = std::io::sink();
    let summary = write_csv(&demo_bank(), &mut out).unwrap();
    assert_eq!(summary.duplicate_id_rows, a.duplicate_id_rows as u64);
}

#[test]
fn duplicated_ids_stay_pairs_at_scale() {
    let rows = parse_csv(&generate(200_000, 8));
    let mut cities: HashMap<i64, Vec<String>> = HashMap::new();
    for r in &rows {
        cities.entry(r.user_id).or_default().push(r.city.clone());
    }
    let mut pairs = 0;
    for (id, mut c) in cities.into_iter().filter(|(_, c)| c.len() > 1) {
        c.sort();
        assert_eq!(c, ["Рыбинск", "Ярославль"], "id {id}");
        pairs += 1;
    }
    let per_10k = f64::from(pairs) / 20.0;
    assert!(
        (65.0..=81.0).contains(&per_10k),
        "{per_10k} pairs per 10,000 rows"
    );
}

#[test]
fn churners_differ_like_in_the_study() {
    let a = Aggregates::of(&demo_rows());
    // Churners: higher score, more equity, higher balance, a little younger.
    assert!(
        a.mean_score[1] > a.mean_score[0] + 8.0,
        "{:?}",
        a.mean_score
    );
    assert!(
        a.mean_equity[1] > a.mean_equity[0] + 0.8,
        "{:?}",
        a.mean_equity
    );
    assert!(
        a.median_balance[1] > a.median_balance[0] * 1.3,
        "{:?}",
        a.median_balance
    );
    assert!(a.mean_age[1] < a.mean_age[0], "{:?}", a.mean_age);
    let [yaroslavl, rybinsk, rostov] = a.city_share;
    assert!(
        yaroslavl > rybinsk && rybinsk > rostov,
        "{:?}",
        a.city_share
    );
    assert!((0.55..=0.62).contains(&yaroslavl), "{yaroslavl}");
}

#[test]
fn money_is_heavy_tailed() {
    let rows = demo_rows();
    let a = Aggregates::of(&rows);
    assert!((400_000.0..=650_000.0).contains(&a.median_balance_all));
    assert!((100_000.0..=140_000.0).contains(&a.median_salary));
    let balances: Vec<f64> = rows.iter().filter_map(|r| r.balance).collect();
    let mean = balances.iter().sum::<f64>() / balances.len() as f64;
    let max = balances.iter().copied().fold(0.0, f64::max);
    // Right skew: the mean sits well above the median, the maximum far above both.
    assert!(mean > 1.3 * a.median_balance_all, "mean {mean}");
    assert!(max > 20.0 * a.median_balance_all, "max {max}");
}

#[test]
fn other_seeds_stay_in_range() {
    for seed in [1u64, 2, 3] {
        let mut out = std::io::sink();
        let s = write_csv(&GeneratorConfig { rows: 10_000, seed }, &mut out).unwrap();
        let churn = s.churned as f64 / 1e4;
        let missing = s.missing_balance as f64 / 1e4;
        assert!((0.17..=0.195).contains(&churn), "seed {seed}: {churn}");
        assert!((0.21..=0.25).contains(&missing), "seed {seed}: {missing}");
        assert!(
            (10..=50).contains(&s.missing_age),
            "seed {seed}: {}",
            s.missing_age
        );
        assert_eq!(s.products_zero, 1);
    }
}
