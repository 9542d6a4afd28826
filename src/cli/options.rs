//! Parsing the command line's own value types: durations ("250ms", "2s"), ranges of them
//! ("10ms..200ms") and probabilities.

use std::time::Duration;

/// Reads a duration: `250ms`, `2s`, `1.5s`, or a bare number of milliseconds.
pub fn duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("{s:?} is not a duration; expected something like 250ms, 2s or 1.5s");
    let (number, scale) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else {
        (s, 1e-3)
    };
    let value: f64 = number.trim().parse().map_err(|_| bad())?;
    if !(value >= 0.0 && value.is_finite()) {
        return Err(bad());
    }
    Ok(Duration::from_secs_f64(value * scale))
}

/// Reads a range of durations: `10ms..200ms`.
pub fn duration_range(s: &str) -> Result<(Duration, Duration), String> {
    let (a, b) = s
        .split_once("..")
        .ok_or_else(|| format!("{s:?} is not a range; expected MIN..MAX, like 10ms..200ms"))?;
    let (a, b) = (duration(a)?, duration(b)?);
    if a > b {
        return Err(format!("{s:?}: the minimum is above the maximum"));
    }
    Ok((a, b))
}

/// Reads a probability from 0 to 1.
pub fn probability(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("{s:?} is not a probability; expected a number from 0 to 1, like 0.3")),
    }
}

/// Reads a planted bug by its command-line name.
pub fn planted_bug(s: &str) -> Result<parliament::priest::PlantedBug, String> {
    use parliament::priest::PlantedBug;
    PlantedBug::from_name(s).ok_or_else(|| {
        let names: Vec<_> = PlantedBug::ALL.iter().map(|b| b.name()).collect();
        format!("no planted bug is called {s:?}; expected one of {}", names.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(duration("40"), Ok(Duration::from_millis(40)));
        assert!(duration("soon").is_err() && duration("-1s").is_err());
        assert_eq!(duration_range("10ms..1s"), Ok((Duration::from_millis(10), Duration::from_secs(1))));
        assert!(duration_range("1s..10ms").is_err() && duration_range("1s").is_err());
        assert!(probability("1.5").is_err() && probability("0.3").is_ok());
    }
}
