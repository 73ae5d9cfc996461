//! The fitted model: conditional tables and quantile curves, and the draws that use them.
//!
//! Every number here is an aggregate of the reference export (shares, conditional rates, contingency
//! counts, quantiles); `docs/synthetic-data.md` lists how each one was measured and how close the
//! generator gets. No row of the reference data is stored.
//!
//! A customer is drawn as a chain, each step conditioned on the ones before it:
//! products → churn → gender, city → equity → balance missing → score, age → balance, salary →
//! credit card, last activity.

use rand::Rng;

/// Cities in the export, in the order of the tables below.
pub(crate) const CITIES: [&str; 3] = ["Ярославль", "Рыбинск", "Ростов"];
/// Index of Ярославль in [`CITIES`].
pub(crate) const YAROSLAVL: usize = 0;
/// Index of Рыбинск in [`CITIES`].
pub(crate) const RYBINSK: usize = 1;

const MALE: &str = "М";
const FEMALE: &str = "Ж";

/// Customers per number of products 1..=5 (products 0 is the separate anomaly).
const PRODUCTS_WEIGHTS: [f64; 5] = [3341.0, 5126.0, 1039.0, 474.0, 19.0];
/// Churn rate per number of products 1..=5.
const CHURN_BY_PRODUCTS: [f64; 5] = [0.0703, 0.1910, 0.2859, 0.6329, 0.4211];

/// Share of men among non-churners and churners.
const MALE_SHARE: [f64; 2] = [3822.0 / 8180.0, 1183.0 / 1820.0];
/// Customers per city ([`CITIES`] order) among non-churners and churners.
const CITY_WEIGHTS: [[f64; 3]; 2] = [[4771.0, 2258.0, 1151.0], [1117.0, 437.0, 266.0]];

/// Customers per equity score 0..=9, by churn and product group (1, 2, 3 or more).
const EQUITY_WEIGHTS: [[[f64; 10]; 3]; 2] = [
    [
        [
            1939.0, 237.0, 164.0, 246.0, 256.0, 232.0, 19.0, 11.0, 2.0, 0.0,
        ],
        [
            509.0, 380.0, 616.0, 799.0, 882.0, 870.0, 58.0, 21.0, 8.0, 4.0,
        ],
        [54.0, 64.0, 106.0, 176.0, 248.0, 239.0, 26.0, 11.0, 1.0, 2.0],
    ],
    [
        [36.0, 18.0, 28.0, 42.0, 45.0, 52.0, 8.0, 5.0, 0.0, 1.0],
        [38.0, 53.0, 93.0, 183.0, 258.0, 308.0, 22.0, 17.0, 3.0, 4.0],
        [16.0, 22.0, 45.0, 96.0, 161.0, 217.0, 28.0, 15.0, 3.0, 2.0],
    ],
];

/// Probability that the balance is missing, by churn, product group (1, 2, 3 or more) and equity
/// group (0, 1, 2 or more).
const BALANCE_MISSING: [[[f64; 3]; 3]; 2] = [
    [
        [1844.0 / 1939.0, 98.0 / 237.0, 0.0],
        [300.0 / 509.0, 14.0 / 380.0, 0.0],
        [24.0 / 54.0, 2.0 / 64.0, 0.0],
    ],
    [
        [8.0 / 36.0, 0.0, 0.0],
        [1.0 / 38.0, 0.0, 0.0],
        [3.0 / 16.0, 0.0, 0.0],
    ],
];

/// Probability that an age is missing.
const AGE_MISSING: f64 = 26.0 / 10_000.0;
/// Age bins (inclusive bounds) of the age histogram.
const AGE_BINS: [(u8, u8); 15] = [
    (18, 19),
    (20, 24),
    (25, 29),
    (30, 34),
    (35, 39),
    (40, 44),
    (45, 49),
    (50, 54),
    (55, 59),
    (60, 64),
    (65, 69),
    (70, 74),
    (75, 79),
    (80, 84),
    (85, 86),
];
/// Customers per age bin among non-churners and churners.
const AGE_WEIGHTS: [[f64; 15]; 2] = [
    [
        27.0, 178.0, 679.0, 1397.0, 1545.0, 1262.0, 801.0, 614.0, 554.0, 542.0, 351.0, 142.0, 43.0,
        18.0, 2.0,
    ],
    [
        2.0, 29.0, 233.0, 358.0, 324.0, 206.0, 132.0, 212.0, 220.0, 80.0, 19.0, 2.0, 2.0, 0.0, 0.0,
    ],
];

/// Probability grid of the score curves (with both ends).
const SCORE_P: [f64; 11] = [
    0.0, 0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99, 1.0,
];
/// Score minimum, quantiles and maximum: non-churners with a missing balance (a bimodal group),
/// non-churners with a balance, churners.
const SCORE_Q: [[f64; 11]; 3] = [
    [
        642.0, 652.0, 689.0, 708.0, 873.0, 903.0, 922.0, 941.0, 951.95, 970.0, 990.0,
    ],
    [
        689.0, 737.0, 758.0, 770.0, 795.0, 832.0, 873.75, 913.0, 942.0, 983.0, 1000.0,
    ],
    [
        706.0, 750.19, 779.95, 796.0, 828.0, 866.0, 898.0, 926.0, 938.05, 977.0, 1000.0,
    ],
];

/// Probability grid of the log-balance and log-salary curves; beyond its ends the tails are
/// exponential in log space (Pareto in the value), with the slope of the outermost segment.
const TAIL_P: [f64; 16] = [
    0.01, 0.025, 0.05, 0.10, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70, 0.80, 0.85, 0.90, 0.95, 0.975,
    0.99,
];
/// Quantiles of ln(balance) by equity group 0, 1, …, 5, 6 or more.
const BALANCE_LN_Q: [[f64; 16]; 7] = [
    [
        3.666, 8.825, 9.826, 10.309, 10.837, 11.259, 11.577, 11.804, 12.042, 12.219, 12.418,
        12.501, 12.585, 12.708, 12.814, 13.058,
    ],
    [
        6.234, 9.695, 10.775, 11.263, 11.626, 11.862, 12.092, 12.285, 12.448, 12.581, 12.739,
        12.824, 12.961, 13.396, 13.831, 14.042,
    ],
    [
        10.077, 10.998, 11.453, 11.749, 12.099, 12.305, 12.499, 12.682, 12.845, 13.053, 13.470,
        13.678, 13.828, 14.048, 14.273, 14.652,
    ],
    [
        10.879, 11.709, 11.975, 12.275, 12.569, 12.749, 12.867, 13.047, 13.291, 13.568, 13.865,
        13.982, 14.091, 14.355, 14.697, 15.320,
    ],
    [
        11.248, 12.029, 12.389, 12.624, 12.897, 13.032, 13.179, 13.364, 13.568, 13.833, 14.057,
        14.147, 14.289, 14.742, 15.067, 15.578,
    ],
    [
        12.162, 12.447, 12.675, 12.904, 13.180, 13.328, 13.505, 13.656, 13.836, 13.999, 14.177,
        14.296, 14.515, 14.882, 15.232, 15.641,
    ],
    [
        11.450, 12.145, 12.282, 12.563, 12.835, 13.086, 13.204, 13.354, 13.470, 13.636, 13.867,
        14.029, 14.333, 14.766, 15.136, 15.359,
    ],
];
/// Shift and scale of the balance's latent normal for non-churners and churners: churners hold
/// more within every equity score, but their top balances are not much higher.
const BALANCE_CHURN_SHIFT: [f64; 2] = [-0.10, 0.36];
const BALANCE_CHURN_SCALE: [f64; 2] = [1.0, 0.9];
/// Range of ln(balance): 1 to 200 million.
const BALANCE_LN_BOUNDS: Bounds = Bounds {
    lo: 0.0,
    hi: 19.1,
    knee: 2.0,
};

/// Quantiles of ln(salary): balance missing, balance present and not churned, balance present and
/// churned.
const SALARY_LN_Q: [[f64; 16]; 3] = [
    [
        10.496, 10.856, 11.077, 11.315, 11.597, 11.792, 11.939, 12.068, 12.183, 12.316, 12.473,
        12.616, 12.853, 13.497, 13.728, 13.890,
    ],
    [
        9.659, 9.952, 10.215, 10.549, 10.926, 11.173, 11.357, 11.518, 11.678, 11.833, 11.987,
        12.073, 12.192, 12.376, 12.561, 13.043,
    ],
    [
        9.997, 10.307, 10.558, 10.849, 11.224, 11.430, 11.597, 11.736, 11.867, 12.003, 12.150,
        12.242, 12.364, 12.612, 12.914, 13.658,
    ],
];
/// Correlation of the latent normals of balance and salary (Gaussian copula).
const SALARY_BALANCE_RHO: f64 = 0.45;
/// Range of ln(salary): about 2,400 to 1.6 million.
const SALARY_LN_BOUNDS: Bounds = Bounds {
    lo: 7.8,
    hi: 14.29,
    knee: 0.6,
};

/// Share of customers with a credit card, by churn and products 1..=5.
const CREDIT_CARD: [[f64; 5]; 2] = [
    [0.861, 0.664, 0.369, 0.500, 1.0],
    [0.902, 0.461, 0.323, 0.787, 1.0],
];
/// Share of customers active in the last period, by churn and products 1..=5.
const LAST_ACTIVITY: [[f64; 5]; 2] = [
    [0.518, 0.462, 0.346, 0.948, 1.0],
    [0.660, 0.748, 0.593, 0.697, 0.75],
];

/// One drawn customer, before it gets an id.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Draw {
    pub score: f64,
    pub city: usize,
    pub gender: &'static str,
    pub age: Option<f64>,
    pub equity: u8,
    pub balance: Option<f64>,
    pub products: u8,
    pub credit_card: bool,
    pub last_activity: bool,
    pub est_salary: f64,
    pub churn: bool,
}

/// What the caller fixes in advance instead of drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Forced {
    /// Nothing: an ordinary customer.
    Nothing,
    /// The city (twin of a customer with the same id in the other city).
    City(usize),
    /// The products = 0 anomaly: a churned customer with no products and no balance.
    NoProducts,
}

/// Draws one customer.
pub(crate) fn draw<R: Rng>(rng: &mut R, forced: Forced) -> Draw {
    let (products, churn) = match forced {
        Forced::NoProducts => (0u8, true),
        _ => {
            let products = pick(&PRODUCTS_WEIGHTS, rng.random()) as u8 + 1;
            let churn = rng.random_bool(CHURN_BY_PRODUCTS[usize::from(products) - 1]);
            (products, churn)
        }
    };
    let c = usize::from(churn);
    // Products 0 behaves like one product in the tables that need a product count.
    let product_idx = usize::from(products.max(1)) - 1;
    let product_group = product_idx.min(2);

    let gender = if rng.random_bool(MALE_SHARE[c]) {
        MALE
    } else {
        FEMALE
    };
    let city = match forced {
        Forced::City(city) => city,
        _ => pick(&CITY_WEIGHTS[c], rng.random()),
    };
    let equity = pick(&EQUITY_WEIGHTS[c][product_group], rng.random()) as u8;
    let balance_missing = match forced {
        Forced::NoProducts => true,
        // Nobody with four or five products lacks a balance in the reference export.
        _ if products >= 4 => false,
        _ => rng.random_bool(BALANCE_MISSING[c][product_group][usize::from(equity.min(2))]),
    };

    let score_group = match (churn, balance_missing) {
        (false, true) => 0,
        (false, false) => 1,
        (true, _) => 2,
    };
    let score = interpolate(&SCORE_P, &SCORE_Q[score_group], rng.random()).round();

    let age = if rng.random_bool(AGE_MISSING) {
        None
    } else {
        let (lo, hi) = AGE_BINS[pick(&AGE_WEIGHTS[c], rng.random())];
        Some(f64::from(rng.random_range(lo..=hi)))
    };

    let (z_balance, z_noise) = normal_pair(rng);
    let balance = (!balance_missing).then(|| {
        let u = normal_cdf(BALANCE_CHURN_SCALE[c] * z_balance + BALANCE_CHURN_SHIFT[c]);
        let curve = &BALANCE_LN_Q[usize::from(equity.min(6))];
        to_cents(libm::exp(with_tails(&TAIL_P, curve, u, BALANCE_LN_BOUNDS)))
    });
    let est_salary = {
        let (curve, z) = if balance_missing {
            (&SALARY_LN_Q[0], z_noise)
        } else {
            let z = SALARY_BALANCE_RHO * z_balance
                + (1.0 - SALARY_BALANCE_RHO * SALARY_BALANCE_RHO).sqrt() * z_noise;
            (&SALARY_LN_Q[1 + c], z)
        };
        to_cents(libm::exp(with_tails(
            &TAIL_P,
            curve,
            normal_cdf(z),
            SALARY_LN_BOUNDS,
        )))
    };

    let credit_card = rng.random_bool(CREDIT_CARD[c][product_idx]);
    let last_activity = rng.random_bool(LAST_ACTIVITY[c][product_idx]);

    Draw {
        score,
        city,
        gender,
        age,
        equity,
        balance,
        products,
        credit_card,
        last_activity,
        est_salary,
        churn,
    }
}

/// Index chosen with probability proportional to its weight, from a uniform `u` in [0, 1).
fn pick(weights: &[f64], u: f64) -> usize {
    let total: f64 = weights.iter().sum();
    let mut target = u * total;
    for (i, w) in weights.iter().enumerate() {
        if target < *w {
            return i;
        }
        target -= w;
    }
    // Rounding can leave `target` a hair above the last weight: take the last non-empty index.
    weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
}

/// Piecewise-linear quantile function through the knots `(p[i], x[i])`; `p` spans [0, 1].
fn interpolate(p: &[f64], x: &[f64], u: f64) -> f64 {
    let i = p.partition_point(|pi| *pi <= u).clamp(1, p.len() - 1);
    let t = (u - p[i - 1]) / (p[i] - p[i - 1]);
    x[i - 1] + t * (x[i] - x[i - 1])
}

/// Quantile function through the knots, with exponential tails below `p[0]` and above `p[n-1]`
/// (each with the slope of its outermost segment), bent smoothly into `bounds` (see
/// [`soft_clamp`]).
fn with_tails(p: &[f64], x: &[f64], u: f64, bounds: Bounds) -> f64 {
    let n = p.len();
    let value = if u < p[0] {
        let rate = libm::log(p[1] / p[0]) / (x[1] - x[0]);
        x[0] - libm::log(p[0] / u) / rate
    } else if u > p[n - 1] {
        let rate = libm::log((1.0 - p[n - 2]) / (1.0 - p[n - 1])) / (x[n - 1] - x[n - 2]);
        x[n - 1] + libm::log((1.0 - p[n - 1]) / (1.0 - u)) / rate
    } else {
        interpolate(p, x, u)
    };
    soft_clamp(value, bounds)
}

/// Range of a log-scale variable: values within `knee` of either end are compressed smoothly
/// (tanh) so that nothing crosses the end and no value piles up on it.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    lo: f64,
    hi: f64,
    knee: f64,
}

fn soft_clamp(value: f64, b: Bounds) -> f64 {
    if value.is_nan() {
        return b.lo;
    }
    let (top, bottom) = (b.hi - b.knee, b.lo + b.knee);
    if value > top {
        top + b.knee * libm::tanh((value - top) / b.knee)
    } else if value < bottom {
        bottom - b.knee * libm::tanh((bottom - value) / b.knee)
    } else {
        value
    }
}

/// Rounds to whole kopecks, as the exports store money.
fn to_cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Two independent standard normals (Box–Muller).
fn normal_pair<R: Rng>(rng: &mut R) -> (f64, f64) {
    // 1 - [0, 1) is (0, 1], so the logarithm stays finite.
    let radius = libm::sqrt(-2.0 * libm::log(1.0 - rng.random::<f64>()));
    let angle = std::f64::consts::TAU * rng.random::<f64>();
    (radius * libm::cos(angle), radius * libm::sin(angle))
}

/// Standard normal CDF.
fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// The city name for an index into [`CITIES`].
pub(crate) fn city_name(index: usize) -> &'static str {
    CITIES[index]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_pair_is_standard() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let n = 100_000;
        let (mut sum, mut sum_sq, mut cross) = (0.0, 0.0, 0.0);
        for _ in 0..n {
            let (a, b) = normal_pair(&mut rng);
            sum += a + b;
            sum_sq += a * a + b * b;
            cross += a * b;
        }
        let m = f64::from(2 * n);
        assert!((sum / m).abs() < 0.01, "mean {}", sum / m);
        assert!((sum_sq / m - 1.0).abs() < 0.02, "variance {}", sum_sq / m);
        assert!(
            (cross / f64::from(n)).abs() < 0.02,
            "covariance {}",
            cross / f64::from(n)
        );
    }

    #[test]
    fn normal_cdf_matches_known_values() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.959_964) - 0.975).abs() < 1e-6);
        assert!((normal_cdf(-1.644_854) - 0.05).abs() < 1e-6);
    }

    #[test]
    fn pick_follows_weights_and_skips_empty_bins() {
        assert_eq!(pick(&[1.0, 0.0, 1.0], 0.0), 0);
        assert_eq!(pick(&[1.0, 0.0, 1.0], 0.49), 0);
        assert_eq!(pick(&[1.0, 0.0, 1.0], 0.5), 2);
        assert_eq!(pick(&[1.0, 1.0, 0.0], 1.0), 1);
    }

    #[test]
    fn curves_hit_their_knots_and_respect_bounds() {
        let curve = &BALANCE_LN_Q[3];
        assert!((with_tails(&TAIL_P, curve, 0.5, BALANCE_LN_BOUNDS) - curve[7]).abs() < 1e-12);
        assert!((with_tails(&TAIL_P, curve, 0.99, BALANCE_LN_BOUNDS) - curve[15]).abs() < 1e-12);
        assert!(with_tails(&TAIL_P, curve, 0.999, BALANCE_LN_BOUNDS) > curve[15]);
        assert!(with_tails(&TAIL_P, curve, 0.001, BALANCE_LN_BOUNDS) < curve[0]);
        assert_eq!(with_tails(&TAIL_P, curve, 0.0, BALANCE_LN_BOUNDS), 0.0);
        assert_eq!(with_tails(&TAIL_P, curve, 1.0, BALANCE_LN_BOUNDS), 19.1);
        let near_top = with_tails(&TAIL_P, curve, 1.0 - 1e-12, BALANCE_LN_BOUNDS);
        assert!(near_top > 17.1 && near_top < 19.1, "{near_top}");
        assert_eq!(soft_clamp(12.0, SALARY_LN_BOUNDS), 12.0);
        assert!(soft_clamp(14.0, SALARY_LN_BOUNDS) < 14.0);
        assert!(soft_clamp(14.0, SALARY_LN_BOUNDS) > soft_clamp(13.9, SALARY_LN_BOUNDS));
        assert_eq!(interpolate(&SCORE_P, &SCORE_Q[2], 0.0), 706.0);
        assert_eq!(interpolate(&SCORE_P, &SCORE_Q[2], 1.0), 1000.0);
    }

    #[test]
    fn tables_are_consistent() {
        let products: f64 = PRODUCTS_WEIGHTS.iter().sum();
        let churn: f64 = PRODUCTS_WEIGHTS
            .iter()
            .zip(CHURN_BY_PRODUCTS)
            .map(|(w, c)| w / products * c)
            .sum();
        assert!((churn - 0.182).abs() < 0.001, "overall churn {churn}");
        for curve in BALANCE_LN_Q.iter().chain(&SALARY_LN_Q) {
            assert!(curve.windows(2).all(|w| w[0] < w[1]), "{curve:?}");
        }
        for curve in &SCORE_Q {
            assert!(curve.windows(2).all(|w| w[0] < w[1]), "{curve:?}");
        }
    }
}
