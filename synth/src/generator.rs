//! The streaming generator: one customer per `next()`, with the duplicate-id twins and the
//! products = 0 anomaly scheduled on the fly in bounded state.

use std::collections::VecDeque;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::ids::IdPermutation;
use crate::model::{self, Forced, RYBINSK, YAROSLAVL};
use crate::{Customer, GeneratorConfig};

/// Share of rows that are the second occurrence of an id (73 per 10,000 in the reference export).
const TWIN_RATE: f64 = 0.0073;
/// Share of rows in Ярославль / Рыбинск among fresh customers (reference city shares).
const YAROSLAVL_SHARE: f64 = 0.5888;
const RYBINSK_SHARE: f64 = 0.2695;
/// Most twins waiting to be emitted at once.
const MAX_PENDING_TWINS: usize = 64;
/// A twin is emitted between 1 and this many rows after its original.
const MAX_TWIN_DELAY: u64 = 256;
/// No twin is scheduled in the last rows, so every pending twin fits before the end.
const TWIN_TAIL: u64 = 2 * MAX_PENDING_TWINS as u64 + 2;
/// One products = 0 row per this many rows…
const ROWS_PER_NO_PRODUCTS: u64 = 10_000;
/// …and at least one from this many rows on.
const MIN_ROWS_FOR_NO_PRODUCTS: u64 = 1_000;

/// Streams synthetic customers; deterministic for a given [`GeneratorConfig`].
///
/// Memory is constant in the number of rows: ids come from a keyed permutation, the twins of
/// duplicated ids wait in a buffer of at most 64 entries, and the products = 0 rows are placed one
/// per segment of 10,000 rows.
///
/// ```
/// use bankseg_synth::{Generator, GeneratorConfig};
///
/// let rows: Vec<_> = Generator::new(GeneratorConfig { rows: 5, seed: 1 }).collect();
/// assert_eq!(rows.len(), 5);
/// ```
#[derive(Debug, Clone)]
pub struct Generator {
    rows: u64,
    emitted: u64,
    fresh: u64,
    rng: ChaCha8Rng,
    ids: IdPermutation,
    /// Twins waiting for their row, sorted by the row they are due at.
    twins: VecDeque<PendingTwin>,
    /// Probability that a fresh customer gets a twin, for Ярославль and Рыбинск.
    twin_chance: [f64; 2],
    no_products: NoProductsSchedule,
    duplicate_id_rows: u64,
}

#[derive(Debug, Clone, Copy)]
struct PendingTwin {
    due: u64,
    user_id: i64,
    city: usize,
}

/// Where the products = 0 rows go: one at a random offset inside each of `count` equal segments.
#[derive(Debug, Clone)]
struct NoProductsSchedule {
    count: u64,
    segment: u64,
    placed: u64,
    next_at: Option<u64>,
}

impl NoProductsSchedule {
    fn new(rows: u64) -> Self {
        let count = if rows >= MIN_ROWS_FOR_NO_PRODUCTS {
            (rows / ROWS_PER_NO_PRODUCTS).max(1)
        } else {
            0
        };
        Self {
            count,
            segment: rows.checked_div(count).unwrap_or(0),
            placed: 0,
            next_at: None,
        }
    }

    /// Places the next row, if any is left; the last segment also takes the remainder rows.
    fn place_next<R: Rng>(&mut self, rng: &mut R, rows: u64) {
        self.next_at = (self.placed < self.count).then(|| {
            let start = self.placed * self.segment;
            let end = if self.placed + 1 == self.count {
                rows
            } else {
                start + self.segment
            };
            self.placed += 1;
            rng.random_range(start..end)
        });
    }
}

impl Generator {
    /// A generator of `config.rows` customers seeded by `config.seed`.
    pub fn new(config: GeneratorConfig) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let mut no_products = NoProductsSchedule::new(config.rows);
        no_products.place_next(&mut rng, config.rows);
        // Half of the pairs start in each city, so twins do not shift the city shares.
        let pairs_per_fresh_row = TWIN_RATE / (1.0 - TWIN_RATE);
        let twin_chance = [
            (pairs_per_fresh_row / 2.0 / YAROSLAVL_SHARE).min(1.0),
            (pairs_per_fresh_row / 2.0 / RYBINSK_SHARE).min(1.0),
        ];
        Self {
            rows: config.rows,
            emitted: 0,
            fresh: 0,
            rng,
            ids: IdPermutation::new(config.rows, config.seed),
            twins: VecDeque::with_capacity(MAX_PENDING_TWINS),
            twin_chance,
            no_products,
            duplicate_id_rows: 0,
        }
    }

    /// Rows emitted so far whose id also appears on another row (both rows of each pair count,
    /// once both have been emitted the count is even).
    pub fn duplicate_id_rows(&self) -> u64 {
        self.duplicate_id_rows
    }

    fn next_fresh_id(&mut self) -> i64 {
        let id = self.ids.id(self.fresh);
        self.fresh += 1;
        id
    }

    /// Draws a customer; also returns its city as an index into [`model::CITIES`].
    fn customer(&mut self, user_id: i64, forced: Forced) -> (Customer, usize) {
        let d = model::draw(&mut self.rng, forced);
        let customer = Customer {
            user_id,
            score: d.score,
            city: model::city_name(d.city),
            gender: d.gender,
            age: d.age,
            equity: d.equity,
            balance: d.balance,
            products: d.products,
            credit_card: d.credit_card,
            last_activity: d.last_activity,
            est_salary: d.est_salary,
            churn: d.churn,
        };
        (customer, d.city)
    }

    /// Maybe schedules a twin for a fresh customer of `city` emitted at row `row`.
    fn maybe_schedule_twin(&mut self, row: u64, user_id: i64, city: usize) -> bool {
        let (chance, twin_city) = match city {
            YAROSLAVL => (self.twin_chance[0], RYBINSK),
            RYBINSK => (self.twin_chance[1], YAROSLAVL),
            _ => return false,
        };
        if !self.rng.random_bool(chance) {
            return false;
        }
        let due = row + self.rng.random_range(1..=MAX_TWIN_DELAY);
        if self.twins.len() >= MAX_PENDING_TWINS || due.saturating_add(TWIN_TAIL) >= self.rows {
            return false;
        }
        let at = self.twins.partition_point(|t| t.due <= due);
        self.twins.insert(
            at,
            PendingTwin {
                due,
                user_id,
                city: twin_city,
            },
        );
        true
    }
}

impl Iterator for Generator {
    type Item = Customer;

    fn next(&mut self) -> Option<Customer> {
        if self.emitted >= self.rows {
            return None;
        }
        let row = self.emitted;
        self.emitted += 1;

        // The anomaly row takes precedence; twins due now wait one more row.
        if self.no_products.next_at.is_some_and(|at| at <= row) {
            self.no_products.place_next(&mut self.rng, self.rows);
            let id = self.next_fresh_id();
            return Some(self.customer(id, Forced::NoProducts).0);
        }
        if self.twins.front().is_some_and(|t| t.due <= row) {
            let twin = self.twins.pop_front()?;
            self.duplicate_id_rows += 1;
            return Some(self.customer(twin.user_id, Forced::City(twin.city)).0);
        }
        let id = self.next_fresh_id();
        let (customer, city) = self.customer(id, Forced::Nothing);
        if self.maybe_schedule_twin(row, id, city) {
            self.duplicate_id_rows += 1;
        }
        Some(customer)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from(self.rows - self.emitted).unwrap_or(usize::MAX);
        (left, Some(left))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn every_twin_is_emitted_before_the_end() {
        for seed in 0..4 {
            for rows in (100..2_000).step_by(97) {
                let mut generator = Generator::new(GeneratorConfig { rows, seed });
                let mut cities: HashMap<i64, Vec<&str>> = HashMap::new();
                let mut count = 0;
                for customer in generator.by_ref() {
                    cities
                        .entry(customer.user_id)
                        .or_default()
                        .push(customer.city);
                    count += 1;
                }
                assert_eq!(count, rows);
                assert!(generator.twins.is_empty(), "rows {rows} seed {seed}");
                let duplicated: Vec<_> = cities.values().filter(|c| c.len() > 1).collect();
                assert_eq!(generator.duplicate_id_rows(), 2 * duplicated.len() as u64);
                for c in duplicated {
                    let mut c = c.clone();
                    c.sort_unstable();
                    assert_eq!(c, ["Рыбинск", "Ярославль"]);
                }
            }
        }
    }

    #[test]
    fn pending_twins_stay_bounded() {
        let mut generator = Generator::new(GeneratorConfig {
            rows: 300_000,
            seed: 3,
        });
        let mut most = 0;
        while generator.next().is_some() {
            most = most.max(generator.twins.len());
        }
        assert!(most <= MAX_PENDING_TWINS);
        // With 0.73% twins and delays up to 256 rows, a handful wait at a time.
        assert!((1..=16).contains(&most), "{most}");
    }

    #[test]
    fn no_products_rows_land_one_per_segment() {
        let rows = 35_000;
        let positions: Vec<u64> = Generator::new(GeneratorConfig { rows, seed: 12 })
            .enumerate()
            .filter(|(_, c)| c.products == 0)
            .map(|(i, _)| i as u64)
            .collect();
        assert_eq!(positions.len(), 3);
        // Segments of 11,666 rows; the last one takes the remainder.
        for (k, at) in positions.iter().enumerate() {
            let k = k as u64;
            assert!(*at >= k * 11_666, "{positions:?}");
            if k < 2 {
                assert!(*at < (k + 1) * 11_666, "{positions:?}");
            }
        }
    }
}
