//! The cursor the fast Jaeger reader (`fast.rs`) walks a span's text with:
//! whitespace, strings (borrowed unless they have escapes), numbers,
//! literals, and objects and lists read by a callback per member. It reads
//! each value exactly as serde_json would or gives up: a [`Miss::Odd`] for
//! anything serde must decide, a [`Miss::End`] when the text runs out (the
//! streaming loader runs it on a buffer that may stop inside a span). It
//! counts the newlines it passes, for the loader's line numbers.

use std::borrow::Cow;

/// Why the fast reader gave up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::import) enum Miss {
    /// The bytes ended inside the span.
    End,
    /// Something the general reader must decide.
    Odd,
}

pub(super) type R<T> = Result<T, Miss>;

/// Deepest nesting skipped inside an unknown field.
const MAX_DEPTH: u32 = 64;

/// A cursor over bytes that counts the newlines it passes.
pub(in crate::import) struct Reader<'a> {
    s: &'a str,
    b: &'a [u8],
    pub i: usize,
    pub newlines: usize,
    /// Offset just after the last newline passed.
    pub line_start: usize,
}

/// A JSON scalar as read, before a tag's type says what it means.
pub(super) enum Scalar<'a> {
    Str(Cow<'a, str>),
    Bool(bool),
    Int(i64),
    Float(f64),
    Null,
}

impl<'a> Reader<'a> {
    pub fn new(s: &'a str) -> Reader<'a> {
        Reader {
            s,
            b: s.as_bytes(),
            i: 0,
            newlines: 0,
            line_start: 0,
        }
    }

    fn peek(&self) -> R<u8> {
        self.b.get(self.i).copied().ok_or(Miss::End)
    }

    /// Skips whitespace; the next byte.
    pub(super) fn ws(&mut self) -> R<u8> {
        loop {
            let c = self.peek()?;
            match c {
                b' ' | b'\t' | b'\r' => self.i += 1,
                b'\n' => {
                    self.i += 1;
                    self.newlines += 1;
                    self.line_start = self.i;
                }
                _ => return Ok(c),
            }
        }
    }

    fn eat(&mut self, c: u8) -> R<()> {
        if self.ws()? == c {
            self.i += 1;
            Ok(())
        } else {
            Err(Miss::Odd)
        }
    }

    /// After a member: true when another follows, false at `close`.
    fn more(&mut self, close: u8) -> R<bool> {
        match self.ws()? {
            b',' => {
                self.i += 1;
                Ok(true)
            }
            c if c == close => {
                self.i += 1;
                Ok(false)
            }
            _ => Err(Miss::Odd),
        }
    }

    /// Opens an object or array; false when it is empty (and closed).
    fn open(&mut self, open: u8, close: u8) -> R<bool> {
        self.eat(open)?;
        if self.ws()? == close {
            self.i += 1;
            return Ok(false);
        }
        Ok(true)
    }

    pub(super) fn literal(&mut self, word: &[u8]) -> R<()> {
        let rest = self.b.get(self.i..).unwrap_or(&[]);
        if rest.starts_with(word) {
            self.i += word.len();
            Ok(())
        } else if word.starts_with(rest) {
            Err(Miss::End)
        } else {
            Err(Miss::Odd)
        }
    }

    /// `null`, if that is what comes next.
    pub(super) fn null(&mut self) -> R<bool> {
        if self.ws()? == b'n' {
            self.literal(b"null")?;
            return Ok(true);
        }
        Ok(false)
    }

    /// A string, borrowed unless it has escapes.
    pub(super) fn string(&mut self) -> R<Cow<'a, str>> {
        if self.ws()? != b'"' {
            return Err(Miss::Odd);
        }
        let start = self.i + 1;
        let mut k = start;
        // Eight bytes at a time, straight to the first that ends the plain run.
        while let Some(w) = self.b.get(k..k + 8) {
            let w = u64::from_le_bytes(w.try_into().map_err(|_| Miss::Odd)?);
            let ends = run_ends(w);
            if ends != 0 {
                k += (ends.trailing_zeros() / 8) as usize;
                break;
            }
            k += 8;
        }
        loop {
            match *self.b.get(k).ok_or(Miss::End)? {
                b'"' => {
                    self.i = k + 1;
                    return self.s.get(start..k).map(Cow::Borrowed).ok_or(Miss::Odd);
                }
                b'\\' => return self.escaped(start).map(Cow::Owned),
                // JSON strings hold no raw control characters.
                0..=0x1f => return Err(Miss::Odd),
                _ => k += 1,
            }
        }
    }

    /// A string with escapes, from just after its opening quote.
    fn escaped(&mut self, start: usize) -> R<String> {
        let mut out = String::new();
        let mut from = start;
        let mut i = start;
        loop {
            let c = *self.b.get(i).ok_or(Miss::End)?;
            if c >= 0x20 && c != b'"' && c != b'\\' {
                i += 1;
                continue;
            }
            out.push_str(self.s.get(from..i).ok_or(Miss::Odd)?);
            if c == b'"' {
                self.i = i + 1;
                return Ok(out);
            }
            if c != b'\\' {
                return Err(Miss::Odd);
            }
            let esc = *self.b.get(i + 1).ok_or(Miss::End)?;
            i += 2;
            let c = match esc {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let hi = self.hex4(i)?;
                    i += 4;
                    if (0xD800..0xDC00).contains(&hi) {
                        // A surrogate pair: the low half must follow.
                        if self.b.get(i..i + 2).ok_or(Miss::End)? != b"\\u" {
                            return Err(Miss::Odd);
                        }
                        let lo = self.hex4(i + 2)?;
                        i += 6;
                        if !(0xDC00..0xE000).contains(&lo) {
                            return Err(Miss::Odd);
                        }
                        let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                        char::from_u32(c).ok_or(Miss::Odd)?
                    } else {
                        char::from_u32(hi).ok_or(Miss::Odd)?
                    }
                }
                _ => return Err(Miss::Odd),
            };
            out.push(c);
            from = i;
        }
    }

    fn hex4(&self, at: usize) -> R<u32> {
        let digits = self.b.get(at..at + 4).ok_or(Miss::End)?;
        let mut n = 0u32;
        for &d in digits {
            let v = (d as char).to_digit(16).ok_or(Miss::Odd)?;
            n = n * 16 + v;
        }
        Ok(n)
    }

    /// A number: an integer that fits `i64`, or a float when it has a
    /// fraction or an exponent. Anything else is odd.
    fn number(&mut self) -> R<Scalar<'a>> {
        let start = self.i;
        // The common cases in one pass: an integer, or a plain decimal
        // with few digits. Anything else takes the general way below.
        let rest = self.b.get(start..).unwrap_or(&[]);
        let (neg, body) = match rest.split_first() {
            Some((b'-', body)) => (true, body),
            _ => (false, rest),
        };
        let int_len = body.iter().take_while(|c| c.is_ascii_digit()).count();
        let after = body.get(int_len).copied();
        let sign = usize::from(neg);
        if int_len > 0 && !(int_len > 1 && body.first() == Some(&b'0')) {
            match after {
                Some(b'.') => {
                    let frac = body.get(int_len + 1..).unwrap_or(&[]);
                    let frac_len = frac.iter().take_while(|c| c.is_ascii_digit()).count();
                    let end = frac.get(frac_len).copied();
                    if frac_len > 0
                        && int_len + frac_len <= 15
                        && end.is_some_and(|c| !matches!(c, b'e' | b'E' | b'+' | b'-' | b'.'))
                    {
                        if let Some(f) = plain_decimal(&body[..int_len], &frac[..frac_len]) {
                            self.i = start + sign + int_len + 1 + frac_len;
                            return Ok(Scalar::Float(if neg { -f } else { f }));
                        }
                    }
                }
                // serde reads -0 as a float.
                Some(c)
                    if !(matches!(c, b'e' | b'E' | b'+' | b'-')
                        || neg && int_len == 1 && body.first() == Some(&b'0')) =>
                {
                    let n = int_value(neg, &body[..int_len])?;
                    self.i = start + sign + int_len;
                    return Ok(Scalar::Int(n));
                }
                _ => {}
            }
        }
        self.number_general(start)
    }

    /// [`Reader::number`] for whatever its quick cases leave.
    fn number_general(&mut self, start: usize) -> R<Scalar<'a>> {
        let rest = self.b.get(start..).unwrap_or(&[]);
        let len = rest
            .iter()
            .position(|c| !matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
            .ok_or(Miss::End)?;
        let tok = rest.get(..len).unwrap_or(&[]);
        self.i = start + len;
        let (neg, digits) = match tok.split_first() {
            Some((b'-', d)) => (true, d),
            _ => (false, tok),
        };
        if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
            // JSON forbids leading zeros; serde reads -0 as a float.
            if digits.len() > 1 && digits.first() == Some(&b'0') || neg && digits == b"0" {
                return Err(Miss::Odd);
            }
            return int_value(neg, digits).map(Scalar::Int);
        }
        let tok = self.s.get(start..start + len).ok_or(Miss::Odd)?;
        serde_json::from_str::<f64>(tok)
            .map(Scalar::Float)
            .map_err(|_| Miss::Odd)
    }

    pub(super) fn scalar(&mut self) -> R<Scalar<'a>> {
        match self.ws()? {
            b'"' => self.string().map(Scalar::Str),
            b't' => self.literal(b"true").map(|_| Scalar::Bool(true)),
            b'f' => self.literal(b"false").map(|_| Scalar::Bool(false)),
            b'n' => self.literal(b"null").map(|_| Scalar::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(Miss::Odd),
        }
    }

    /// Skips any value (an unknown field).
    fn skip(&mut self, depth: u32) -> R<()> {
        if depth > MAX_DEPTH {
            return Err(Miss::Odd);
        }
        match self.ws()? {
            b'{' => {
                if self.open(b'{', b'}')? {
                    loop {
                        self.string()?;
                        self.eat(b':')?;
                        self.skip(depth + 1)?;
                        if !self.more(b'}')? {
                            break;
                        }
                    }
                }
                Ok(())
            }
            b'[' => {
                if self.open(b'[', b']')? {
                    loop {
                        self.skip(depth + 1)?;
                        if !self.more(b']')? {
                            break;
                        }
                    }
                }
                Ok(())
            }
            _ => self.scalar().map(|_| ()),
        }
    }

    /// A field name and its colon. Names with escapes are odd.
    fn key(&mut self) -> R<&'a str> {
        match self.string()? {
            Cow::Borrowed(k) => {
                self.eat(b':')?;
                Ok(k)
            }
            Cow::Owned(_) => Err(Miss::Odd),
        }
    }

    /// What `json::Text` reads: a string, an integer, or null as "".
    pub(super) fn text_value(&mut self) -> R<Cow<'a, str>> {
        match self.scalar()? {
            Scalar::Str(s) => Ok(s),
            Scalar::Int(n) => Ok(Cow::Owned(n.to_string())),
            Scalar::Null => Ok(Cow::Borrowed("")),
            _ => Err(Miss::Odd),
        }
    }

    /// `Option<Text>`: null is none.
    pub(super) fn opt_text(&mut self) -> R<Option<Cow<'a, str>>> {
        if self.null()? {
            return Ok(None);
        }
        self.text_value().map(Some)
    }

    /// `Option<String>`.
    pub(super) fn opt_string(&mut self) -> R<Option<Cow<'a, str>>> {
        if self.null()? {
            return Ok(None);
        }
        self.string().map(Some)
    }

    /// `Option<json::Int>`, for integers written as integers.
    pub(super) fn opt_int(&mut self) -> R<Option<i64>> {
        match self.scalar()? {
            Scalar::Null => Ok(None),
            Scalar::Int(n) => Ok(Some(n)),
            _ => Err(Miss::Odd),
        }
    }

    /// `Option<Vec<T>>` read by `item`; null and absent are both empty.
    /// `room` is the capacity a list that is not empty starts with.
    pub(super) fn list<T>(
        &mut self,
        room: usize,
        mut item: impl FnMut(&mut Self) -> R<T>,
    ) -> R<Vec<T>> {
        if self.null()? {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        if self.open(b'[', b']')? {
            out.reserve_exact(room);
            loop {
                out.push(item(self)?);
                if !self.more(b']')? {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// An object whose fields `field` reads: it returns the field's bit
    /// (each field once, as serde wants), or `None` for a field it does not
    /// know, which is skipped.
    pub(super) fn object(
        &mut self,
        mut field: impl FnMut(&mut Self, &'a str) -> R<Option<u16>>,
    ) -> R<()> {
        let mut seen = 0u16;
        if self.open(b'{', b'}')? {
            loop {
                let key = self.key()?;
                match field(self, key)? {
                    Some(bit) if seen & bit != 0 => return Err(Miss::Odd),
                    Some(bit) => seen |= bit,
                    None => self.skip(0)?,
                }
                if !self.more(b'}')? {
                    break;
                }
            }
        }
        Ok(())
    }
}

/// The bytes of `w` (little-endian) that are a quote, a backslash or a
/// control character, as their high bits. Bytes above the first such byte
/// may be flagged wrongly (a borrow runs on), but the lowest flag is exact,
/// and only the lowest is used.
fn run_ends(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let quote = zero_byte(w ^ (ONES * b'"' as u64));
    let backslash = zero_byte(w ^ (ONES * b'\\' as u64));
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    quote | backslash | control
}

/// The `i64` that ASCII digits (after a minus sign when `neg`) spell;
/// odd when it does not fit, as serde would then read a float.
fn int_value(neg: bool, digits: &[u8]) -> R<i64> {
    let mut n: i64 = 0;
    for &d in digits {
        let d = i64::from(d - b'0');
        n = n
            .checked_mul(10)
            .and_then(|n| {
                if neg {
                    n.checked_sub(d)
                } else {
                    n.checked_add(d)
                }
            })
            .ok_or(Miss::Odd)?;
    }
    Ok(n)
}

/// `int.frac` with at most 15 digits in all, as serde_json reads it: the
/// digits as an integer (exact below 2^53), divided by an exact power of
/// ten. One correctly rounded division, so the same bits as serde's.
fn plain_decimal(int: &[u8], frac: &[u8]) -> Option<f64> {
    let mut m: u64 = 0;
    for &d in int.iter().chain(frac) {
        m = m * 10 + u64::from(d - b'0');
    }
    let pow = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    Some(m as f64 / pow.get(frac.len())?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// `run_ends` finds the first quote, backslash or control byte of a
    /// word exactly, whatever surrounds it.
    #[test]
    fn run_ends_finds_the_first_special_byte() {
        let bytes = [
            b'"', b'\\', 0, 0x01, 0x1f, 0x20, 0x21, b'a', 0x7f, 0x80, 0x81, 0xa0, 0xdf, 0xff,
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let word: Vec<u8> = (0..8)
                .map(|k| bytes[(seed >> (k * 5)) as usize % bytes.len()])
                .collect();
            let w = u64::from_le_bytes(word.clone().try_into().unwrap());
            let want = word
                .iter()
                .position(|&c| c == b'"' || c == b'\\' || c < 0x20);
            let ends = run_ends(w);
            let got = (ends != 0).then(|| (ends.trailing_zeros() / 8) as usize);
            assert_eq!(got, want, "{word:02x?}");
        }
    }

    /// Numbers read by the quick cases equal serde's reading of the same
    /// text, bit for bit; what serde refuses, the reader refuses.
    #[test]
    fn numbers_agree_with_serde() {
        let mut tokens: Vec<String> = [
            "0",
            "-0",
            "7",
            "-7",
            "00",
            "01",
            "-01",
            "0.0",
            "-0.0",
            "1.0",
            "1.5",
            "0.1",
            "0.30",
            "1.",
            ".5",
            "-.5",
            "1.0e3",
            "1e3",
            "1E-2",
            "1.5e+2",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "123456789012345.0",
            "12345678901234.5",
            "1234567890123456.7",
            "0.123456789012345",
            "3.141592653589793",
            "1--2",
            "1.2.3",
            "-",
            "--1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let int = seed % 10u64.pow((seed >> 40) as u32 % 9);
            let frac_digits = (seed >> 50) as usize % 9;
            let frac = (seed >> 8) % 10u64.pow(frac_digits as u32);
            let sign = if seed & 1 == 0 { "" } else { "-" };
            tokens.push(format!("{sign}{int}.{frac:0frac_digits$}"));
            tokens.push(format!("{sign}{int}"));
        }
        for tok in &tokens {
            let text = format!("{tok},");
            let fast = Reader::new(&text).number();
            let slow: Result<Value, _> = serde_json::from_str(tok);
            match (fast, slow) {
                (Ok(Scalar::Int(n)), Ok(v)) => assert_eq!(v.as_i64(), Some(n), "{tok}"),
                (Ok(Scalar::Float(f)), Ok(_)) => {
                    let want: f64 = serde_json::from_str(tok).unwrap();
                    assert_eq!(f.to_bits(), want.to_bits(), "{tok}");
                }
                (Err(Miss::Odd), _) => {}
                (fast, slow) => {
                    assert!(
                        slow.is_err(),
                        "{tok}: serde reads it, fast gives {:?}",
                        fast.is_ok()
                    );
                }
            }
        }
    }
}
