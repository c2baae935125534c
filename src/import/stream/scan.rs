//! The structural scanner: follows the JSON (strings, brackets, keys,
//! commas) a byte at a time without building it, keeps a frame per open
//! container, skips through a span being cut out to its closing brace, and
//! tells where each document of the input starts and ends. What a container
//! or value means for spans is `shape.rs`'s; a document in which no span was
//! found is read whole, by the general path.

use super::shape::{child_of, new_frame, Cap, Key, Role};
use super::{Doc, Scanner, Skip, Stop};
use crate::import::{read_document, strip_position, Collector, TRIED};
use serde_json::value::RawValue;

impl Scanner {
    /// Scans what is buffered.
    pub(super) fn scan(&mut self, out: &mut Collector) -> Result<(), Stop> {
        loop {
            if let Some(skip) = self.skip {
                if !self.skip_span(skip) {
                    return Ok(());
                }
                continue;
            }
            if self.in_string {
                let rest = self.buf.as_bytes().get(self.pos..).unwrap_or(&[]);
                match memchr::memchr2(b'"', b'\\', rest) {
                    None => {
                        self.pos = self.buf.len();
                        return Ok(());
                    }
                    Some(k) => {
                        let i = self.pos + k;
                        if rest.get(k) == Some(&b'\\') {
                            if i + 1 >= self.buf.len() {
                                // The escaped byte is in the next piece.
                                self.pos = i;
                                return Ok(());
                            }
                            self.pos = i + 2;
                            continue;
                        }
                        self.in_string = false;
                        self.pos = i + 1;
                        self.string_end(i);
                        continue;
                    }
                }
            }
            let Some(&c) = self.buf.as_bytes().get(self.pos) else {
                return Ok(());
            };
            let i = self.pos;
            self.pos += 1;
            match c {
                b' ' | b'\t' | b'\r' => {}
                b'\n' => {
                    self.line += 1;
                    self.line_start = self.abs(self.pos);
                }
                b'"' => {
                    let is_key = self.stack.last().is_some_and(|f| f.obj && f.expect_key);
                    if is_key {
                        self.key_start = Some(self.abs(i + 1));
                    } else {
                        self.value_start(i, c)?;
                    }
                    self.in_string = true;
                }
                b'{' | b'[' => {
                    self.value_start(i, c)?;
                    let (role, via) = self.next_role.take().unwrap_or((Role::Other, Key::Other));
                    let span_starts = c == b'{'
                        && self.stack.last().is_some_and(|f| {
                            f.cap == Cap::Record && f.cap_start == self.base + i as u64
                        });
                    if span_starts {
                        if let Some(end) = self.read_jaeger_in_place(i, out) {
                            self.pos = end;
                            continue;
                        }
                        self.skip = Some(Skip {
                            depth: 1,
                            in_string: false,
                        });
                    } else {
                        self.stack.push(new_frame(c == b'{', role, via));
                    }
                }
                b'}' | b']' => self.close(i, c, out)?,
                b',' => {
                    self.end_child(i, out);
                    if let Some(f) = self.stack.last_mut() {
                        f.expect_key = f.obj;
                        f.want_value = !f.obj;
                    } else {
                        return Err(self.stop(self.abs(i), "a comma outside any JSON value".into()));
                    }
                }
                b':' => {
                    if let Some(f) = self.stack.last_mut() {
                        f.want_value = true;
                    }
                }
                _ => {
                    if self.stack.is_empty() && !self.literal_decidable(i, c) {
                        // Wait for the rest of the line before saying what
                        // this document starts with.
                        self.pos = i;
                        return Ok(());
                    }
                    if self.stack.last().is_none_or(|f| f.want_value) {
                        self.value_start(i, c)?;
                    }
                }
            }
        }
    }

    /// Runs through a span's bytes to its closing brace: the span is parsed
    /// on its own later, so nothing inside it matters to the scanner but
    /// strings and brackets. False when the buffer ends first.
    fn skip_span(&mut self, mut skip: Skip) -> bool {
        let bytes = self.buf.as_bytes().get(self.pos..).unwrap_or(&[]);
        let mut k = 0;
        let n = bytes.len();
        while k < n {
            let b = bytes.get(k).copied().unwrap_or(b' ');
            k += 1;
            if skip.in_string {
                match b {
                    b'\\' => {
                        if k >= n {
                            // The escaped byte is in the next piece.
                            k -= 1;
                            break;
                        }
                        k += 1;
                    }
                    b'"' => skip.in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => skip.in_string = true,
                b'{' | b'[' => skip.depth += 1,
                b'}' | b']' => {
                    skip.depth -= 1;
                    if skip.depth == 0 {
                        self.pos += k;
                        self.skip = None;
                        return true;
                    }
                }
                b'\n' => {
                    self.line += 1;
                    self.line_start = self.base + (self.pos + k) as u64;
                }
                _ => {}
            }
        }
        self.pos += k;
        self.skip = Some(skip);
        false
    }

    fn string_end(&mut self, quote: usize) {
        if let Some(start) = self.key_start.take() {
            let key = Key::of(self.slice(start, self.abs(quote)).as_bytes());
            if let Some(f) = self.stack.last_mut() {
                f.key = key;
                f.expect_key = false;
            }
        }
    }

    /// Whether enough follows `i` to tell a document that starts with `c` as
    /// `t`, `f` or `n` from text that is no JSON, with the same words
    /// whatever the pieces the text came in: the end of its line, 40
    /// characters, or the end of the input.
    fn literal_decidable(&self, i: usize, c: u8) -> bool {
        if !matches!(c, b't' | b'f' | b'n') || self.ended {
            return true;
        }
        let head = self.buf.get(i..).unwrap_or("").chars().take(40);
        let (mut n, mut line_ends) = (0, false);
        for ch in head {
            n += 1;
            line_ends |= ch == '\n';
        }
        line_ends || n >= 40
    }

    /// For a document starting at `i` with `t`, `f` or `n` that does not
    /// spell `true`, `false` or `null` (as far as it is buffered): its first
    /// words, for the message (a page of text is no boolean).
    fn not_a_literal(&self, i: usize, c: u8) -> Option<String> {
        let word: &[u8] = match c {
            b't' => b"true",
            b'f' => b"false",
            b'n' => b"null",
            _ => return None,
        };
        let rest = self.buf.get(i..).unwrap_or("");
        let n = rest.len().min(word.len());
        if rest.as_bytes().get(..n) == word.get(..n) {
            return None;
        }
        Some(rest.chars().take_while(|&ch| ch != '\n').take(40).collect())
    }

    /// A value starts at `i` with byte `c`.
    fn value_start(&mut self, i: usize, c: u8) -> Result<(), Stop> {
        let at = self.abs(i);
        let Some(top) = self.stack.last_mut() else {
            // A new document.
            let role = match c {
                b'{' => Role::Obj,
                b'[' => Role::TraceList,
                _ => {
                    if let Some(word) = self.not_a_literal(i, c) {
                        return Err(self.stop(
                            at,
                            format!("malformed JSON: the text starts with {word:?}, which is no JSON value"),
                        ));
                    }
                    let what = match c {
                        b'"' => "a string",
                        b't' | b'f' => "a boolean",
                        b'n' => "null",
                        b'-' | b'0'..=b'9' => "a number",
                        _ => {
                            return Err(self.stop(
                                at,
                                format!(
                                    "malformed JSON: a document cannot start with {}",
                                    describe_byte(c)
                                ),
                            ))
                        }
                    };
                    return Err(Stop {
                        line: (self.docs > 0).then_some(self.line),
                        column: None,
                        message: format!("the document is {what}, not a trace. Tried {}", TRIED),
                    });
                }
            };
            self.next_role = Some((role, Key::Other));
            self.doc = Some(Doc {
                start: at,
                line: self.line,
                streamed: false,
            });
            self.docs += 1;
            return Ok(());
        };
        if !top.want_value {
            return Ok(());
        }
        top.want_value = false;
        top.items += 1;
        let (role, cap) = child_of(top.role, top.key, c);
        if cap != Cap::None {
            top.cap = cap;
            top.cap_start = at;
        }
        self.next_role = Some((role, top.key));
        Ok(())
    }

    fn close(&mut self, i: usize, c: u8, out: &mut Collector) -> Result<(), Stop> {
        let at = self.abs(i);
        let Some(top) = self.stack.last() else {
            return Err(self.stop(
                at,
                format!(
                    "malformed JSON: {} without an opening bracket",
                    describe_byte(c)
                ),
            ));
        };
        let obj = top.obj;
        // What came before the bracket is complete either way.
        self.end_child(i, out);
        if obj != (c == b'}') {
            let want = if obj { "'}'" } else { "']'" };
            return Err(self.stop(
                at,
                format!(
                    "malformed JSON: expected {want} but found {}",
                    describe_byte(c)
                ),
            ));
        }
        if let Some(frame) = self.stack.pop() {
            self.frame_closed(frame, out);
        }
        if self.stack.is_empty() {
            self.doc_end(at + 1, out)?;
        }
        Ok(())
    }

    /// A document ended at `end`: read it whole unless its spans were streamed.
    fn doc_end(&mut self, end: u64, out: &mut Collector) -> Result<(), Stop> {
        let Some(doc) = self.doc.take() else {
            return Ok(());
        };
        if doc.streamed {
            return Ok(());
        }
        let ndjson = self.docs > 1;
        let text = self.slice(doc.start, end);
        let raw = serde_json::from_str::<&RawValue>(text).map_err(|e| Stop {
            line: Some(doc.line + e.line().saturating_sub(1)),
            column: Some(e.column()),
            message: if ndjson {
                format!(
                    "malformed JSON on this line of NDJSON: {}",
                    strip_position(&e)
                )
            } else {
                format!("malformed JSON: {}", strip_position(&e))
            },
        })?;
        let format = read_document(raw, out).map_err(|message| Stop {
            line: ndjson.then_some(doc.line),
            column: None,
            message,
        })?;
        self.format.get_or_insert(format);
        Ok(())
    }

    /// Closes every open container after the input stopped early, so that
    /// what they were waiting for (processes, a resource) is settled.
    pub(super) fn close_all(&mut self, out: &mut Collector) {
        self.skip = None;
        self.in_string = false;
        for f in &mut self.stack {
            f.cap = Cap::None;
        }
        while let Some(frame) = self.stack.pop() {
            self.frame_closed(frame, out);
        }
        self.doc = None;
    }

    /// The end of the input: what is still open is incomplete.
    pub(super) fn end_of_input(&mut self, out: &mut Collector) -> Result<(), Stop> {
        let Some(doc) = self.doc.take() else {
            return Ok(());
        };
        if doc.streamed {
            out.warn(format!(
                "the file ends before its JSON is complete (line {}): the spans before that point are loaded",
                self.line
            ));
            self.doc = Some(doc);
            self.close_all(out);
            return Ok(());
        }
        let end = self.abs(self.buf.len());
        let text = self.slice(doc.start, end).to_string();
        match serde_json::from_str::<&RawValue>(&text) {
            Err(e) if self.docs > 1 => Err(Stop {
                line: Some(doc.line),
                column: (e.line() == 1).then(|| e.column()),
                message: format!(
                    "malformed JSON on this line of NDJSON: {}",
                    strip_position(&e)
                ),
            }),
            Err(e) => Err(Stop {
                line: Some(doc.line + e.line().saturating_sub(1)),
                column: Some(e.column()),
                message: format!("malformed JSON: {}", strip_position(&e)),
            }),
            // Complete after all (cannot happen with an open bracket).
            Ok(_) => {
                self.doc = Some(doc);
                self.doc_end(end, out)
            }
        }
    }
}

fn describe_byte(c: u8) -> String {
    if c.is_ascii_graphic() {
        format!("'{}'", c as char)
    } else {
        format!("the byte 0x{c:02x}")
    }
}
