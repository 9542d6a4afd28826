//! Parsing the command line's own value types, refusing nonsense with a line that says what to
//! write instead: durations with their unit ("250ms", "2s"), within the range each flag allows;
//! ranges of them ("10ms..200ms"); ranges of ticks ("1..3"); probabilities; planted bugs.

use std::time::Duration;

/// Reads a duration with its unit: `250ms`, `2s`, `1.5s` (`0` alone needs none).
pub fn duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("{s:?} is not a duration; write something like 250ms, 2s or 1.5s");
    let (number, scale) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else if s.trim().parse::<f64>().is_ok_and(|v| v == 0.0) {
        (s, 0.0)
    } else if s.trim().parse::<f64>().is_ok() {
        return Err(format!("{s:?} has no unit; write {}ms or {}s", s.trim(), s.trim()));
    } else {
        return Err(bad());
    };
    let value: f64 = number.trim().parse().map_err(|_| bad())?;
    if !(value >= 0.0 && value.is_finite()) {
        return Err(bad());
    }
    Ok(Duration::from_secs_f64(value * scale))
}

/// A duration within `min..=max`, or a line saying which.
fn duration_within(s: &str, min: Duration, max: Duration) -> Result<Duration, String> {
    let d = duration(s)?;
    if d < min || d > max {
        return Err(format!("{s:?} is out of range; give {} to {}", show(min), show(max)));
    }
    Ok(d)
}

/// How a duration is written back to a person: `20ms`, `2s`, `1.5s`.
pub fn show(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{}s", d.as_secs())
    } else if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{}s", d.as_secs_f64())
    }
}

/// α of a new Chamber (§3.3.6): 1 to 2^20.
pub fn alpha(s: &str) -> Result<u64, String> {
    parliament::books::settings::parse_alpha(s)
}

/// One tick of the priests' time: 1ms to 10s (a tick of 0 would spin the processor).
pub fn tick(s: &str) -> Result<Duration, String> {
    duration_within(s, Duration::from_millis(1), Duration::from_secs(10))
}

/// The pace added to every delivery: 0 to 60s.
pub fn pace(s: &str) -> Result<Duration, String> {
    duration_within(s, Duration::ZERO, Duration::from_secs(60))
}

/// How long to wait for the petitions: 1s to 24 hours.
pub fn timeout(s: &str) -> Result<Duration, String> {
    duration_within(s, Duration::from_secs(1), Duration::from_secs(24 * 3600))
}

/// How long a chaos trial torments the Chamber: 1s to 1 hour.
pub fn trial_duration(s: &str) -> Result<Duration, String> {
    duration_within(s, Duration::from_secs(1), Duration::from_secs(3600))
}

/// Reads a range of delays, each with its unit: `10ms..200ms`, at most 60s.
pub fn delay(s: &str) -> Result<(Duration, Duration), String> {
    let (a, b) = s
        .split_once("..")
        .ok_or_else(|| format!("{s:?} is not a range; write MIN..MAX, like 10ms..200ms"))?;
    let bare = |x: &str| x.trim().parse::<f64>().is_ok_and(|v| v != 0.0);
    if bare(a) || bare(b) {
        return Err(format!("{s:?} has no unit; write {}ms..{}ms", a.trim(), b.trim()));
    }
    let max = Duration::from_secs(60);
    let (a, b) = (duration_within(a, Duration::ZERO, max)?, duration_within(b, Duration::ZERO, max)?);
    if a > b {
        return Err(format!("{s:?}: the minimum is above the maximum"));
    }
    Ok((a, b))
}

/// Reads a range of bare milliseconds, `10..200`: how God hands a priest process its delay.
pub fn millis_range(s: &str) -> Result<(Duration, Duration), String> {
    let (a, b) = s.split_once("..").ok_or_else(|| format!("{s:?} is not MIN..MAX in milliseconds"))?;
    let ms = |x: &str| x.trim().parse::<u64>().map(Duration::from_millis).map_err(|e| format!("{s:?}: {e}"));
    Ok((ms(a)?, ms(b)?))
}

/// Reads a range of ticks, `1..3` (or `3` alone, for `1..3`): 1 to 1000, the minimum at most the
/// maximum.
pub fn ticks(s: &str) -> Result<(u64, u64), String> {
    let (a, b) = s.split_once("..").unwrap_or(("1", s));
    let bad = || format!("{s:?} is not a range of ticks; write MIN..MAX, like 1..3, from 1 to 1000");
    let (a, b): (u64, u64) = (a.trim().parse().map_err(|_| bad())?, b.trim().parse().map_err(|_| bad())?);
    if a == 0 || b > 1000 || a > b {
        return Err(bad());
    }
    Ok((a, b))
}

/// A count from `min` to `max` (clap names the range when refusing).
pub fn count_of(min: u64, max: u64) -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::<usize>::new().range(min..=max)
}

/// A progress bar on standard error for a long run of `len` `things`; indicatif hides it when
/// standard error is not a terminal (or when `hidden`).
pub fn progress(len: u64, things: &str, hidden: bool) -> indicatif::ProgressBar {
    let bar = if hidden { indicatif::ProgressBar::hidden() } else { indicatif::ProgressBar::new(len) };
    let style = indicatif::ProgressStyle::with_template(&format!(
        "{{bar:30}} {{pos}}/{{len}} {things} {{msg}} ({{elapsed}}, about {{eta}} left)"
    ))
    .expect("a valid template");
    bar.set_style(style);
    bar
}

/// Reads a probability from 0 to 1.
pub fn probability(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("{s:?} is not a probability; give a number from 0 to 1, like 0.3")),
    }
}

/// Reads a planted bug by its command-line name.
pub fn planted_bug(s: &str) -> Result<parliament::priest::PlantedBug, String> {
    use parliament::priest::PlantedBug;
    PlantedBug::from_name(s).ok_or_else(|| {
        let names: Vec<_> = PlantedBug::ALL.iter().map(|b| b.name()).collect();
        format!("no planted bug is called {s:?}; give one of {}", names.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them_and_nonsense_is_refused() {
        assert_eq!(duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(duration("0"), Ok(Duration::ZERO));
        assert!(duration("40").unwrap_err().contains("write 40ms or 40s"));
        assert!(duration("soon").is_err() && duration("-1s").is_err());
        assert!(tick("0ms").is_err() && tick("1ms").is_ok() && tick("11s").is_err());
        assert_eq!(delay("10ms..1s"), Ok((Duration::from_millis(10), Duration::from_secs(1))));
        assert!(delay("10..200").unwrap_err().contains("write 10ms..200ms"));
        assert!(delay("1s..10ms").is_err() && delay("1s").is_err());
        assert_eq!(millis_range("10..200"), Ok((Duration::from_millis(10), Duration::from_millis(200))));
        assert_eq!(ticks("1..3"), Ok((1, 3)));
        assert_eq!(ticks("5"), Ok((1, 5)));
        assert!(ticks("0..3").is_err() && ticks("4..3").is_err() && ticks("1..5000").is_err());
        assert!(probability("1.5").is_err() && probability("0.3").is_ok());
        assert_eq!(show(Duration::from_millis(20)), "20ms");
        assert_eq!(show(Duration::from_secs(60)), "60s");
    }
}
