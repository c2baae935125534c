//! The health of the connection to Jaeger, from how its last requests went:
//! failing, slow or ok, for the health line (`results::HealthLine`).

use crate::sources::jaeger::Failure;

/// A request slower than this makes the health indicator say "slow".
pub const SLOW_MS: f64 = 1_000.0;

/// What the last requests to Jaeger showed, for the health indicator.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Health {
    /// How long the last request took, in ms.
    pub last_ms: Option<f64>,
    /// When Jaeger last answered, in ms since the epoch.
    pub last_contact: Option<f64>,
    /// Why the last request failed, when Jaeger did not answer usefully.
    pub failing: Option<String>,
}

impl Health {
    /// The state as a CSS class and a word: failing, slow or ok.
    pub fn state(&self) -> Option<(&'static str, &'static str)> {
        if self.failing.is_some() {
            Some(("failing", "Failing"))
        } else {
            self.last_ms.map(|ms| {
                if ms > SLOW_MS {
                    ("slow", "Slow")
                } else {
                    ("ok", "OK")
                }
            })
        }
    }

    /// A request's answer came (or not) after `ms`, at `now` (ms since the
    /// epoch).
    pub fn answered(&mut self, ms: f64, failure: Option<&Failure>, now: f64) {
        self.last_ms = Some(ms);
        match failure.filter(|f| f.is_failing()) {
            Some(f) => self.failed(f),
            None => {
                self.failing = None;
                self.last_contact = Some(now);
            }
        }
    }

    /// `f` happened: the connection is failing unless `f` tells nothing of
    /// it (a 4xx is an answer; an aborted request was replaced).
    pub fn failed(&mut self, f: &Failure) {
        if f.is_failing() {
            self.failing = Some(f.short());
        }
    }
}
