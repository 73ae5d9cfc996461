//! The crate's error type.

/// Why a statistic could not be computed.
///
/// Degenerate inputs (empty samples, zero variance, all-equal values, non-finite values) are
/// reported here instead of producing `NaN` results.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A sample had fewer observations than the method needs.
    #[error("{what} has {got} observations; expected at least {needed}")]
    TooFewObservations {
        /// Which input was too small.
        what: String,
        /// Minimum number of observations the method needs.
        needed: usize,
        /// Number of observations given.
        got: usize,
    },
    /// An input contained `NaN` or an infinite value.
    #[error("{what} contains a non-finite value at index {index}; expected finite numbers")]
    NonFinite {
        /// Which input held the value.
        what: String,
        /// Position of the first offending value.
        index: usize,
    },
    /// The statistic is undefined because the data have no spread.
    #[error("{what} has zero variance; expected at least two distinct values")]
    ZeroVariance {
        /// Which input was constant.
        what: String,
    },
    /// A parameter or table was outside the accepted domain.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) fn check_finite(what: &str, x: &[f64]) -> Result<()> {
    match x.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(Error::NonFinite {
            what: what.to_string(),
            index,
        }),
        None => Ok(()),
    }
}

pub(crate) fn check_len(what: &str, got: usize, needed: usize) -> Result<()> {
    if got < needed {
        Err(Error::TooFewObservations {
            what: what.to_string(),
            needed,
            got,
        })
    } else {
        Ok(())
    }
}
