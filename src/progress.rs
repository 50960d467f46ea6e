//! Progress lines on stderr, silenced by `--quiet`.

use std::time::Instant;

pub struct Progress {
    quiet: bool,
    started: Instant,
}

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        Progress { quiet, started: Instant::now() }
    }

    /// One line on stderr, prefixed with the seconds since the command started.
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    pub fn say(&self, line: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("[{:6.1}s] {}", self.started.elapsed().as_secs_f64(), line.as_ref());
        }
    }
}
