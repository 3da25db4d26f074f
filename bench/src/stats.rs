//! Spreads of repeated timings, and how numbers are written in the report.

use std::time::Duration;

/// The spread of several runs of one measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub min: f64,
    pub median: f64,
    pub max: f64,
    pub runs: usize,
}

impl Spread {
    pub fn of(values: &[f64]) -> Spread {
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        sorted.sort_by(f64::total_cmp);
        if sorted.is_empty() {
            return Spread {
                min: f64::NAN,
                median: f64::NAN,
                max: f64::NAN,
                runs: 0,
            };
        }
        let middle = sorted.len() / 2;
        let median = if sorted.len() % 2 == 1 {
            sorted[middle]
        } else {
            (sorted[middle - 1] + sorted[middle]) / 2.0
        };
        Spread {
            min: sorted[0],
            median,
            max: sorted[sorted.len() - 1],
            runs: sorted.len(),
        }
    }

    /// `median (min–max)` with a number of significant digits fit for timings.
    pub fn show(&self) -> String {
        format!("{} ({}–{})", num(self.median), num(self.min), num(self.max))
    }
}

pub fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}

/// Runs `work` `runs` times and returns the spread of its durations in milliseconds.
/// `work` returns the duration it wants counted (it may time only part of itself).
pub fn runs_ms(runs: usize, mut work: impl FnMut() -> Duration) -> Spread {
    let values: Vec<f64> = (0..runs.max(1)).map(|_| ms(work())).collect();
    Spread::of(&values)
}

/// A number with three significant digits (whole numbers from 100 up), for timings and
/// ratios.
pub fn num(value: f64) -> String {
    if !value.is_finite() {
        return "n/a".to_owned();
    }
    let magnitude = value.abs();
    if magnitude >= 100.0 {
        int(value.round() as i64)
    } else if magnitude >= 10.0 {
        format!("{value:.1}")
    } else if magnitude >= 1.0 {
        format!("{value:.2}")
    } else if magnitude >= 0.1 {
        format!("{value:.3}")
    } else if magnitude == 0.0 {
        "0".to_owned()
    } else {
        format!("{value:.4}")
    }
}

/// An integer with thousands separators.
pub fn int(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    if value < 0 {
        format!("-{out}")
    } else {
        out
    }
}

pub fn uint(value: u64) -> String {
    int(i64::try_from(value).unwrap_or(i64::MAX))
}

/// A count that may be fractional (an average per user): whole above 100, else 3 digits.
pub fn amount(value: f64) -> String {
    if value.abs() >= 100.0 {
        int(value.round() as i64)
    } else {
        num(value)
    }
}

/// A markdown table.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n", header.join(" | "));
    out.push_str(&format!(
        "|{}\n",
        header.iter().map(|_| " --- |").collect::<String>()
    ));
    for row in rows {
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreads_and_numbers() {
        let spread = Spread::of(&[3.0, 1.0, 2.0, 10.0]);
        assert_eq!((spread.min, spread.median, spread.max), (1.0, 2.5, 10.0));
        assert_eq!(int(1_234_567), "1,234,567");
        assert_eq!(int(-1_000), "-1,000");
        assert_eq!(num(0.01234), "0.0123");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(1234.5), "1,235");
    }
}
