//! The Chamber's settings (`chamber.csv`), fixed when God lays it out:
//!
//! ```text
//! setting,value
//! alpha,3
//! ```
//!
//! `alpha` is the α of §3.3.6: a membership decree passed at m is in force from decree m + α on,
//! and a president may not begin a ballot for decree n before he knows every decree through
//! n − α. The paper's is 3, a new Chamber's default. A Chamber laid out before this file existed
//! has none, and its α is the priest's default, 256 (`Config::new`).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::layout::CHAMBER;

/// The settings file's header row.
pub const SETTINGS_HEADER: &str = "setting,value";

/// A new Chamber's α when none is asked for: the paper's.
pub const NEW_CHAMBER_ALPHA: u64 = 3;

/// The largest α a Chamber may be laid out with.
pub const MAX_ALPHA: u64 = 1 << 20;

/// What `chamber.csv` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    /// α of §3.3.6.
    pub alpha: u64,
}

impl Default for Settings {
    /// An older Chamber's, laid out with no `chamber.csv`.
    fn default() -> Settings {
        Settings { alpha: crate::priest::Config::new(1).alpha }
    }
}

/// `chamber.csv` under `dir`.
pub fn settings_path(dir: &Path) -> PathBuf {
    dir.join(CHAMBER)
}

impl Settings {
    /// Reads `chamber.csv` in `dir`; an older Chamber without one has the defaults.
    pub fn read(dir: &Path) -> io::Result<Settings> {
        let path = settings_path(dir);
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
        };
        Settings::parse(&text)
            .map_err(|why| io::Error::new(io::ErrorKind::InvalidData, format!("{}: {why}", path.display())))
    }

    /// Reads the text of a `chamber.csv`; the error names the line.
    pub fn parse(text: &str) -> Result<Settings, String> {
        let mut settings = Settings::default();
        let mut lines = text.lines().map(|l| l.trim_end_matches('\r')).enumerate();
        match lines.next() {
            Some((_, h)) if h.trim_start_matches('\u{feff}').trim() == SETTINGS_HEADER => {}
            other => {
                return Err(format!(
                    "line 1 is {:?}; expected the header {SETTINGS_HEADER:?}",
                    other.map_or("", |(_, l)| l)
                ));
            }
        }
        for (i, line) in lines.filter(|(_, l)| !l.trim().is_empty()) {
            let (setting, value) = line.split_once(',').unwrap_or((line, ""));
            match setting.trim() {
                "alpha" => {
                    settings.alpha =
                        parse_alpha(value.trim()).map_err(|why| format!("line {}: {why}", i + 1))?
                }
                other => return Err(format!("line {}: unknown setting {other:?}; expected alpha", i + 1)),
            }
        }
        Ok(settings)
    }

    /// Writes `chamber.csv` for a new Chamber and syncs it; refuses to overwrite one.
    pub fn write_new(&self, dir: &Path) -> io::Result<()> {
        let mut f = fs::OpenOptions::new().write(true).create_new(true).open(settings_path(dir))?;
        f.write_all(format!("{SETTINGS_HEADER}\nalpha,{}\n", self.alpha).as_bytes())?;
        f.sync_all()
    }
}

/// Reads α: 1 to [`MAX_ALPHA`].
pub fn parse_alpha(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(a) if (1..=MAX_ALPHA).contains(&a) => Ok(a),
        _ => Err(format!("alpha {text:?} is not a whole number from 1 to {MAX_ALPHA}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_chamber_without_settings_has_alpha_256() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Settings::read(dir.path()).unwrap().alpha, 256);
        Settings { alpha: 3 }.write_new(dir.path()).unwrap();
        assert_eq!(Settings::read(dir.path()).unwrap().alpha, 3);
        assert!(Settings { alpha: 4 }.write_new(dir.path()).is_err(), "never overwritten");
        assert!(Settings::parse("setting,value\nalpha,0\n").unwrap_err().contains("line 2"));
        assert!(Settings::parse("setting,value\nbeta,1\n").unwrap_err().contains("unknown setting"));
    }
}
