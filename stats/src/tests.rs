//! Cross-cutting unit tests: aggregated inputs give the same answers as raw ones, and results
//! stay meaningful when p-values underflow.

use crate::phik::{PhikColumn, PhikData, bin_edges, bin_index, phik_from_table, phik_matrix};
use crate::*;

fn sequence(n: usize, a: f64, b: f64, scale: f64) -> Vec<f64> {
    (0..n)
        .map(|i| ((i as f64 * a + b) % 1.0 * scale).round())
        .collect()
}

#[test]
fn value_counts_give_identical_rank_tests() {
    let x = sequence(5000, 0.618_033_988_749_894_9, 0.1, 50.0);
    let y = sequence(3000, 0.414_213_562_373_095_1, 0.3, 55.0);
    let mut vx = ValueCounts::new();
    for chunk in x.chunks(777) {
        vx.add_values(chunk).unwrap();
    }
    let vy = ValueCounts::from_pairs(
        ValueCounts::from_values(&y)
            .unwrap()
            .values()
            .iter()
            .zip(ValueCounts::from_values(&y).unwrap().counts())
            .map(|(v, c)| (*v, *c)),
    )
    .unwrap();
    assert_eq!(vx.n(), 5000);
    for alt in [
        Alternative::TwoSided,
        Alternative::Less,
        Alternative::Greater,
    ] {
        assert_eq!(
            mann_whitney_u(&x, &y, alt).unwrap(),
            mann_whitney_u_counts(&vx, &vy, alt).unwrap()
        );
        assert_eq!(
            ks_2samp(&x, &y, alt).unwrap(),
            ks_2samp_counts(&vx, &vy, alt).unwrap()
        );
    }
    let a = kruskal(&[&x, &y]).unwrap();
    let b = kruskal_counts(&[vx.clone(), vy.clone()]).unwrap();
    assert!((a.statistic - b.statistic).abs() <= 1e-9 * a.statistic.abs());
    assert!((a.p_value - b.p_value).abs() <= 1e-9 * a.p_value);
}

fn close(a: f64, b: f64, what: &str) {
    if a == b {
        return; // also the infinite ends of one-sided intervals
    }
    let tol = 1e-10 * a.abs().max(b.abs()).max(1e-300);
    assert!((a - b).abs() <= tol, "{what}: {a} vs {b}");
}

fn same_result(a: &TestResult, b: &TestResult) {
    assert_eq!((a.test, &a.method, &a.sizes), (b.test, &b.method, &b.sizes));
    close(a.statistic, b.statistic, "statistic");
    close(a.p_value, b.p_value, "p");
    close(a.log10_p, b.log10_p, "log10 p");
    assert_eq!(a.df.is_some(), b.df.is_some());
    if let (Some(x), Some(y)) = (a.df, b.df) {
        close(x, y, "df");
    }
    if let (Some(x), Some(y)) = (a.effect, b.effect) {
        close(x, y, "effect");
    }
    if let (Some(x), Some(y)) = (a.ci, b.ci) {
        close(x.0, y.0, "ci low");
        close(x.1, y.1, "ci high");
    }
}

#[test]
fn value_counts_give_identical_moment_tests() {
    // Ties, skew and different sizes; the slice versions are checked against scipy in golden.rs.
    let x: Vec<f64> = sequence(4001, 0.618_033_988_749_894_9, 0.1, 50.0)
        .into_iter()
        .map(|v| v * v / 7.0)
        .collect();
    let y = sequence(2500, 0.414_213_562_373_095_1, 0.3, 55.0);
    let z = sequence(998, 0.732_050_807_568_877_2, 0.7, 30.0);
    let (vx, vy, vz) = (
        ValueCounts::from_values(&x).unwrap(),
        ValueCounts::from_values(&y).unwrap(),
        ValueCounts::from_values(&z).unwrap(),
    );
    for equal_var in [false, true] {
        for alternative in [
            Alternative::TwoSided,
            Alternative::Less,
            Alternative::Greater,
        ] {
            same_result(
                &t_test(&x, &y, equal_var, alternative, 0.95).unwrap(),
                &t_test_counts(&vx, &vy, equal_var, alternative, 0.95).unwrap(),
            );
        }
    }
    for (raw, counts) in [(&x, &vx), (&y, &vy), (&z, &vz)] {
        same_result(&normality(raw).unwrap(), &normality_counts(counts).unwrap());
    }
    same_result(
        &levene_median(&[&x, &y, &z]).unwrap(),
        &levene_median_counts(&[vx.clone(), vy.clone(), vz.clone()]).unwrap(),
    );
    // Even and odd group sizes take the median differently.
    same_result(
        &levene_median(&[&x[..4000], &y[..2499]]).unwrap(),
        &levene_median_counts(&[
            ValueCounts::from_values(&x[..4000]).unwrap(),
            ValueCounts::from_values(&y[..2499]).unwrap(),
        ])
        .unwrap(),
    );
    // Mean and median of a table are those of its values (np.median: odd and even sizes).
    for raw in [&x[..4001], &x[..4000], &z[..]] {
        let vc = ValueCounts::from_values(raw).unwrap();
        close(
            vc.mean(),
            raw.iter().sum::<f64>() / raw.len() as f64,
            "mean",
        );
        let mut sorted = raw.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        close(
            vc.median(),
            (sorted[(n - 1) / 2] + sorted[n / 2]) / 2.0,
            "median",
        );
    }
    assert!(ValueCounts::new().mean().is_nan() && ValueCounts::new().median().is_nan());
    // The same errors on degenerate tables.
    let one = ValueCounts::from_pairs([(3.0, 1)]).unwrap();
    let constant = ValueCounts::from_pairs([(3.0, 50)]).unwrap();
    assert!(matches!(
        t_test_counts(&one, &vy, false, Alternative::TwoSided, 0.95),
        Err(Error::TooFewObservations { .. })
    ));
    assert!(matches!(
        t_test_counts(&constant, &constant, false, Alternative::TwoSided, 0.95),
        Err(Error::ZeroVariance { .. })
    ));
    assert!(matches!(
        normality_counts(&constant),
        Err(Error::ZeroVariance { .. })
    ));
    assert!(matches!(
        normality_counts(&ValueCounts::from_pairs([(1.0, 3), (2.0, 4)]).unwrap()),
        Err(Error::TooFewObservations { .. })
    ));
}

#[test]
fn contingency_from_pairs_and_counts_agree() {
    let pairs = [("a", 1), ("a", 2), ("b", 1), ("b", 1), ("c", 2), ("a", 1)];
    let t = ContingencyTable::from_pairs(pairs.iter().copied()).unwrap();
    assert_eq!(t.rows(), 3);
    assert_eq!(t.cols(), 2);
    assert_eq!(t.counts(), &[2, 1, 2, 0, 0, 1]);
    assert_eq!(
        t,
        ContingencyTable::from_counts(3, 2, vec![2, 1, 2, 0, 0, 1]).unwrap()
    );
    assert!(ContingencyTable::from_counts(2, 2, vec![1, 2, 3]).is_err());
}

#[test]
fn underflowing_p_values_keep_log10() {
    let x: Vec<f64> = (0..200_000).map(|i| (i % 1000) as f64).collect();
    let y: Vec<f64> = (0..200_000).map(|i| (i % 1000) as f64 + 150.0).collect();
    let r = mann_whitney_u(&x, &y, Alternative::TwoSided).unwrap();
    assert_eq!(r.p_value, 0.0);
    assert!(r.log10_p.is_finite() && r.log10_p < -300.0, "{}", r.log10_p);
    let t = t_test(&x, &y, false, Alternative::TwoSided, 0.95).unwrap();
    assert_eq!(t.p_value, 0.0);
    assert!(t.log10_p.is_finite() && t.log10_p < -300.0, "{}", t.log10_p);
    let table = ContingencyTable::from_counts(2, 2, vec![90_000, 10_000, 10_000, 90_000]).unwrap();
    let c = chi2_contingency(&table, true).unwrap();
    assert_eq!(c.p_value, 0.0);
    assert!(c.log10_p.is_finite() && c.log10_p < -300.0, "{}", c.log10_p);
    let z = two_proportion_z(90_000, 100_000, 10_000, 100_000, Alternative::Greater).unwrap();
    assert!(z.log10_p.is_finite() && z.log10_p < -300.0);
    let p = pearson(
        &x,
        &x.iter()
            .map(|v| v * 2.0 + (v * 7.0) % 3.0)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert!(p.log10_p.is_finite() && p.log10_p < -300.0, "{}", p.log10_p);
    let k = kruskal(&[&x, &y]).unwrap();
    assert!(k.log10_p.is_finite() && k.log10_p < -300.0, "{}", k.log10_p);
}

#[test]
fn degenerate_inputs_are_errors_not_nan() {
    assert!(mann_whitney_u(&[], &[1.0], Alternative::TwoSided).is_err());
    assert!(mann_whitney_u(&[f64::NAN], &[1.0], Alternative::TwoSided).is_err());
    assert!(t_test(&[1.0, 1.0], &[1.0, 1.0], false, Alternative::TwoSided, 0.95).is_err());
    assert!(t_test(&[1.0, 2.0], &[1.0, 3.0], false, Alternative::TwoSided, 1.5).is_err());
    assert!(ks_2samp(&[1.0], &[], Alternative::TwoSided).is_err());
    assert!(kruskal(&[&[1.0, 1.0], &[1.0]]).is_err());
    assert!(levene_median(&[&[1.0, 1.0], &[2.0, 2.0]]).is_err());
    assert!(normality(&[1.0; 20]).is_err());
    assert!(pearson(&[1.0, 2.0, 3.0], &[1.0, 1.0, 1.0]).is_err());
    assert!(spearman(&[1.0, 2.0], &[1.0, 2.0, 3.0]).is_err());
    assert!(two_proportion_z(5, 5, 3, 3, Alternative::TwoSided).is_err());
    let t = ContingencyTable::from_counts(2, 2, vec![0, 0, 3, 4]).unwrap();
    assert!(chi2_contingency(&t, true).is_err());
    assert!(phik_from_table(&t).is_err());
    assert!(describe(&[]).is_err());
    let d = describe(&[4.0]).unwrap();
    assert_eq!(d.std, None);
    assert_eq!(d.skewness, None);
}

#[test]
fn phik_binning_functions() {
    let e = bin_edges(0.0, 10.0, 10).unwrap();
    assert_eq!(e.len(), 11);
    assert_eq!(bin_index(&e, 0.0), Some(0));
    assert_eq!(bin_index(&e, 10.0), Some(9));
    assert_eq!(bin_index(&e, 1.0), Some(0));
    assert_eq!(bin_index(&e, 1.000_001), Some(1));
    assert_eq!(bin_index(&e, 11.0), None);
    assert!(bin_edges(1.0, 1.0, 10).is_err());
}

#[test]
fn phik_matrix_drops_constant_columns() {
    let n = 100;
    let a: Vec<Option<f64>> = (0..n).map(|i| Some(i as f64)).collect();
    let b: Vec<Option<String>> = (0..n)
        .map(|i| Some(if i < 50 { "x" } else { "y" }.to_string()))
        .collect();
    let c: Vec<Option<String>> = (0..n).map(|_| Some("k".to_string())).collect();
    let m = phik_matrix(&[
        PhikColumn {
            name: "a".into(),
            data: PhikData::Interval(a),
            bins: 10,
        },
        PhikColumn {
            name: "b".into(),
            data: PhikData::Categorical(b),
            bins: 10,
        },
        PhikColumn {
            name: "c".into(),
            data: PhikData::Categorical(c),
            bins: 10,
        },
    ])
    .unwrap();
    assert_eq!(m.columns, vec!["a", "b"]);
    assert_eq!(m.get("a", "a"), Some(1.0));
    assert!(m.get("a", "b").unwrap() > 0.9);
}

#[test]
fn multiple_testing_adjustment() {
    let p = [0.01, 0.04, f64::NAN, 0.03];
    let b = adjust(&p, Adjust::Bonferroni);
    assert!((b[0] - 0.03).abs() < 1e-15);
    assert!(b[2].is_nan());
    let h = adjust(&p, Adjust::Holm);
    assert!((h[0] - 0.03).abs() < 1e-15 && (h[3] - 0.06).abs() < 1e-15);
    let bh = adjust(&p, Adjust::BenjaminiHochberg);
    assert!((bh[1] - 0.04).abs() < 1e-15 && (bh[0] - 0.03).abs() < 1e-15);
}
