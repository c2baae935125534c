//! The scanner's text: the input's plain bytes appended as UTF-8 text (a
//! character cut between two pieces waits for the rest; bytes that are not
//! UTF-8 become U+FFFD, the first remembered for a warning), and the text
//! already read dropped, all but what a capture still needs.

use super::shape::{Cap, Role};
use super::Scanner;

impl Scanner {
    /// Appends plain bytes as text. A character cut between two pieces waits
    /// for the rest in `carry`; bytes that are not UTF-8 become U+FFFD and
    /// the first of them is remembered for a warning.
    pub(super) fn append(&mut self, bytes: &[u8]) {
        let joined;
        let mut bytes = bytes;
        if !self.carry.is_empty() {
            let mut j = std::mem::take(&mut self.carry);
            j.extend_from_slice(bytes);
            joined = j;
            bytes = &joined;
        }
        let mut at = self.appended;
        self.appended += bytes.len() as u64;
        loop {
            match std::str::from_utf8(bytes) {
                Ok(text) => {
                    self.buf.push_str(text);
                    return;
                }
                Err(e) => {
                    let (good, rest) = bytes.split_at(e.valid_up_to());
                    self.buf.push_str(&String::from_utf8_lossy(good));
                    at += good.len() as u64;
                    let Some(bad) = e.error_len() else {
                        self.carry = rest.to_vec();
                        self.appended -= rest.len() as u64;
                        return;
                    };
                    self.not_utf8.get_or_insert(at);
                    self.buf.push(char::REPLACEMENT_CHARACTER);
                    at += bad as u64;
                    bytes = rest.get(bad..).unwrap_or(&[]);
                }
            }
        }
    }

    /// The end of the input: a character still cut is not UTF-8.
    pub(super) fn flush_carry(&mut self) {
        self.ended = true;
        if !self.carry.is_empty() {
            self.not_utf8.get_or_insert(self.appended);
            self.appended += self.carry.len() as u64;
            self.carry.clear();
            self.buf.push(char::REPLACEMENT_CHARACTER);
        }
    }

    /// Drops bytes that no capture needs any more.
    pub(super) fn compact(&mut self) {
        let mut keep = self.abs(self.pos);
        if let Some(k) = self.key_start {
            keep = keep.min(k.saturating_sub(1));
        }
        if let Some(d) = &self.doc {
            if !d.streamed {
                keep = keep.min(d.start);
            }
        }
        // Only frames of the known shape, and the first frame below them,
        // can capture: every frame under a `Role::Other` one is `Other`
        // without a capture (`shape::child_of`). Stopping there keeps this
        // bounded when a value is nested 100,000 levels deep and arrives in
        // small pieces (it was O(depth) a piece: 50 s for 500 KB in 7-byte
        // pieces).
        for f in &self.stack {
            if f.cap != Cap::None {
                keep = keep.min(f.cap_start);
            }
            if f.role == Role::Other {
                break;
            }
        }
        let mut drop = keep.saturating_sub(self.base) as usize;
        while drop > 0 && !self.buf.is_char_boundary(drop) {
            drop -= 1;
        }
        if drop == 0 {
            return;
        }
        self.buf.drain(..drop.min(self.buf.len()));
        self.base += drop as u64;
        self.pos = self.pos.saturating_sub(drop);
    }
}
