//! Layout, value formats, determinism and exact row counts.

use bankseg_synth::{Generator, GeneratorConfig, HEADER, demo_bank, write_csv};

use crate::common::{generate, parse_csv, parse_line};

/// `digits.0`: how the export writes score and age.
fn is_whole_float(field: &str) -> bool {
    field
        .strip_suffix(".0")
        .is_some_and(|int| !int.is_empty() && int.bytes().all(|b| b.is_ascii_digit()))
}

/// Digits, a point and one or two decimals: how the export writes money.
fn is_money(field: &str) -> bool {
    match field.split_once('.') {
        Some((int, frac)) => {
            !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && (1..=2).contains(&frac.len())
                && frac.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

#[test]
fn header_is_exact() {
    assert_eq!(
        HEADER,
        "USERID,score,city,gender,age,equity,balance,products,credit_card,last_activity,EST_SALARY,churn"
    );
    let text = generate(10, 1);
    assert_eq!(text.lines().next(), Some(HEADER));
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = generate(10_000, 42);
    let b = generate(10_000, 42);
    let c = generate(10_000, 43);
    assert_eq!(a, b);
    assert_ne!(a, c);
    // The demo bank is fixed too.
    let demo = demo_bank();
    assert_eq!(
        demo,
        GeneratorConfig {
            rows: 10_000,
            seed: 20231
        }
    );
    assert_eq!(generate(demo.rows, demo.seed), generate(10_000, 20231));
}

#[test]
fn iterator_and_csv_agree() {
    let config = GeneratorConfig {
        rows: 2_000,
        seed: 5,
    };
    let from_iter: Vec<_> = Generator::new(config).collect();
    let mut text = Vec::new();
    for customer in &from_iter {
        customer.write_csv_line(&mut text).unwrap();
    }
    let csv = generate(config.rows, config.seed);
    let body = csv.split_once('\n').unwrap().1;
    assert_eq!(body.as_bytes(), text.as_slice());
}

#[test]
fn row_count_is_exact() {
    for rows in [0u64, 1, 2, 137, 999, 1_000, 12_345] {
        let text = generate(rows, 9);
        assert!(text.ends_with('\n'));
        assert_eq!(text.lines().count() as u64, rows + 1, "rows = {rows}");
        let mut out = Vec::new();
        let summary = write_csv(&GeneratorConfig { rows, seed: 9 }, &mut out).unwrap();
        assert_eq!(summary.rows, rows);
        assert_eq!(
            Generator::new(GeneratorConfig { rows, seed: 9 }).count() as u64,
            rows
        );
    }
}

#[test]
fn every_line_parses_with_the_export_conventions() {
    let text = generate(20_000, 3);
    for (i, line) in text.lines().enumerate().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), 12, "line {}: {line}", i + 1);
        let row = parse_line(line).unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
        assert!(fields[0].bytes().all(|b| b.is_ascii_digit()), "{line}");
        assert!(row.user_id >= 94_561, "{line}");
        assert!(is_whole_float(fields[1]), "score {line}");
        assert!((600.0..=1000.0).contains(&row.score), "{line}");
        assert!(
            ["Ярославль", "Рыбинск", "Ростов"].contains(&fields[2]),
            "{line}"
        );
        assert!(["М", "Ж"].contains(&fields[3]), "{line}");
        assert!(
            fields[4].is_empty() || is_whole_float(fields[4]),
            "age {line}"
        );
        if let Some(age) = row.age {
            assert!((18.0..=86.0).contains(&age), "{line}");
        }
        assert!(row.equity <= 9, "{line}");
        assert!(
            fields[6].is_empty() || is_money(fields[6]),
            "balance {line}"
        );
        assert!(row.products <= 5, "{line}");
        assert!(is_money(fields[10]), "salary {line}");
        assert!(
            row.est_salary > 1_000.0 && row.est_salary < 2_000_000.0,
            "{line}"
        );
        if row.products == 0 {
            assert!(row.churn && row.balance.is_none(), "{line}");
        }
    }
}

#[test]
fn money_keeps_kopecks_like_the_export() {
    let text = generate(5_000, 11);
    let rows = parse_csv(&text);
    // Shortest decimals: some amounts end in one decimal (59214.8), most in two.
    let one_decimal = text
        .lines()
        .skip(1)
        .filter(|l| {
            l.split(',')
                .nth(10)
                .is_some_and(|s| s.split_once('.').unwrap().1.len() == 1)
        })
        .count();
    assert!(one_decimal > 100 && one_decimal < 1_500, "{one_decimal}");
    for r in rows {
        let cents = r.est_salary * 100.0;
        assert!((cents - cents.round()).abs() < 1e-6, "{}", r.est_salary);
    }
}

#[test]
fn products_zero_rows_scale_with_rows() {
    for (rows, expected) in [(999u64, 0u64), (1_000, 1), (10_000, 1), (25_000, 2)] {
        let mut out = std::io::sink();
        let summary = write_csv(&GeneratorConfig { rows, seed: 77 }, &mut out).unwrap();
        assert_eq!(summary.products_zero, expected, "rows = {rows}");
    }
}
