//! A trace in a link: the trace written as OTLP/JSON, compressed with raw
//! DEFLATE and spelled in base64url, in the URL's fragment
//! (`#trace=1.<data>`). The fragment never leaves the browser (it is not
//! sent with the request for the page), so a shared trace goes to no
//! server; whoever opens the link loads it like a file named
//! [`SHARED_NAME`]. Redact first ([`super::redact`]) when the trace carries
//! values that must not travel.
//!
//! **Why OTLP/JSON.** It keeps times in nanoseconds (Jaeger JSON has
//! microseconds), span kind and status as fields rather than tags, and
//! compresses as well as Jaeger JSON. Raw DEFLATE at best compression,
//! then base64url, of the two writers' output (characters of the payload):
//!
//! | trace | spans | Jaeger JSON | OTLP/JSON |
//! |---|---:|---:|---:|
//! | demo, `flask-slow-view.otlp.json` | 3 | 1,055 | 1,003 |
//! | HotROD (`otlp/hotrod-40spans-6services.json`) | 40 | 4,680 | 4,884 |
//! | OpenTelemetry demo (`otlp/oteldemo-timeout-clock-skew.json`) | 26 | 4,851 | 4,863 |
//! | Zipkin (`zipkin/smartthings-oauth-authorization.json`) | 171 | 12,350 | 12,823 |
//! | Zipkin (`zipkin/smartthings-mobile-web-install.json`) | 953 | 54,623 | 53,416 |
//! | every trace of every fixture (88) | | 127,940 | 124,854 |
//!
//! The two are within a few per cent of each other either way, so the
//! format that loses nothing decides. A shared trace re-imports as the
//! OTLP round trip of `tests/export.rs` does: the same span ids, parents,
//! names, services, times, attributes, events, links and status; a 64-bit
//! trace id comes back padded to 32 hex digits, and Jaeger references
//! other than the parent come back as links.
//!
//! The payload starts with a version tag (`1.`), so that the format can
//! change and old links still say what they are.

use super::to_otlp_json;
use crate::model::Trace;
use crate::text::thousands;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use std::fmt;
use std::io::{Read, Write};

/// The longest payload a link carries. Current browsers open far longer
/// URLs (Chromium's limit is 2 MB), but chat and ticket tools cut or refuse
/// long links, and a link is for pasting there; above this the UI offers
/// the file instead.
pub const MAX_LINK_CHARS: usize = 65_536;

/// The most a link's trace may inflate to: a payload of 64 KB cannot hold
/// a real trace of this size, so anything beyond is refused as a
/// decompression bomb, and inflating stops at this many bytes.
pub const MAX_INFLATED: usize = 128 << 20;

/// The name a shared trace is loaded under (the importer's messages say it).
pub const SHARED_NAME: &str = "shared trace";

/// The tag of the current payload format: OTLP/JSON, raw DEFLATE, base64url.
const VERSION: &str = "1";

/// JSON handed to the compressor at a time, so that a trace far too large
/// for a link is found out without compressing all of it.
const PIECE: usize = 64 << 10;

/// The trace does not fit in a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooLarge {
    /// Characters the payload needs. Compression stops once the part
    /// compressed already needs more than `limit`: past that point this is
    /// an estimate, from that part's ratio, of what the whole would need.
    pub chars: usize,
    pub limit: usize,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "this trace needs about {} characters in a link, above the {} a link can carry; \
             download the file instead",
            thousands(self.chars),
            thousands(self.limit)
        )
    }
}

impl std::error::Error for TooLarge {}

/// Why a link's trace cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareError {
    /// The fragment's `trace=` is empty.
    Empty,
    /// A version tag this build does not know (shortened), or none.
    UnknownVersion(String),
    /// Not base64url: the link was cut or changed on its way.
    BadBase64,
    /// The data does not inflate: the link was cut or changed on its way.
    BadDeflate,
    /// The data inflates to more than [`MAX_INFLATED`] bytes.
    TooBig { limit: usize },
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareError::Empty => f.write_str("the link holds no trace"),
            ShareError::UnknownVersion(v) if v.is_empty() => f.write_str(
                "the link's trace has no format tag; it was not made by Traceglass, or was cut",
            ),
            ShareError::UnknownVersion(v) => write!(
                f,
                "the link's trace is in format \"{v}\", which this version of Traceglass \
                 does not read; open it with a newer one"
            ),
            ShareError::BadBase64 => f.write_str(
                "the link's trace is damaged (it is not base64url); it may have been cut \
                 or changed when it was copied",
            ),
            ShareError::BadDeflate => f.write_str(
                "the link's trace is damaged (its compressed data is invalid or cut short); \
                 it may have been cut or changed when it was copied",
            ),
            ShareError::TooBig { limit } => write!(
                f,
                "the link's trace inflates to more than {} MB, so it was not opened",
                limit >> 20
            ),
        }
    }
}

impl std::error::Error for ShareError {}

/// The payload of a link to `trace`: `1.` and the base64url of the raw
/// DEFLATE of its OTLP/JSON. [`TooLarge`] above [`MAX_LINK_CHARS`].
pub fn encode(trace: &Trace) -> Result<String, TooLarge> {
    let json = to_otlp_json(&[trace]);
    let prefix = VERSION.len() + 1;
    let chars_of = |bytes: usize| prefix + base64_chars(bytes);
    let mut deflater = DeflateEncoder::new(Vec::new(), Compression::best());
    let mut done = 0;
    for piece in json.as_bytes().chunks(PIECE) {
        // Writing to a Vec cannot fail.
        let _ = deflater.write_all(piece);
        done += piece.len();
        let so_far = chars_of(deflater.get_ref().len());
        if so_far > MAX_LINK_CHARS {
            let whole = so_far as f64 * json.len() as f64 / done.max(1) as f64;
            return Err(TooLarge {
                chars: (whole as usize).max(so_far),
                limit: MAX_LINK_CHARS,
            });
        }
    }
    let data = deflater.finish().unwrap_or_default();
    let chars = chars_of(data.len());
    if chars > MAX_LINK_CHARS {
        return Err(TooLarge {
            chars,
            limit: MAX_LINK_CHARS,
        });
    }
    let mut out = String::with_capacity(chars);
    out.push_str(VERSION);
    out.push('.');
    URL_SAFE_NO_PAD.encode_string(&data, &mut out);
    Ok(out)
}

/// The JSON of a link's payload, for the importer. Never panics; stops
/// inflating at [`MAX_INFLATED`] bytes.
pub fn decode(payload: &str) -> Result<Vec<u8>, ShareError> {
    let payload = payload.trim();
    if payload.is_empty() {
        return Err(ShareError::Empty);
    }
    let (version, data) = payload.split_once('.').unwrap_or(("", payload));
    if version != VERSION {
        let shown: String = version.chars().take(16).collect();
        return Err(ShareError::UnknownVersion(shown));
    }
    // Padding is not written, but a tool on the way may have added it.
    let lenient = GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let compressed = lenient.decode(data).map_err(|_| ShareError::BadBase64)?;
    inflate(&compressed, MAX_INFLATED)
}

/// Raw DEFLATE data inflated, refused once it passes `limit` bytes. Two
/// passes: the first only counts (so a bomb is refused having held one
/// piece of it), the second fills a buffer of exactly that size (so the
/// output is never reallocated, which would hold it twice). Inflating is
/// fast next to the import that follows: the second pass costs little.
fn inflate(compressed: &[u8], limit: usize) -> Result<Vec<u8>, ShareError> {
    let mut size = 0usize;
    pieces(compressed, |piece| {
        size += piece.len();
        if size > limit {
            return Err(ShareError::TooBig { limit });
        }
        Ok(())
    })?;
    let mut out: Vec<u8> = Vec::new();
    out.try_reserve_exact(size)
        .map_err(|_| ShareError::TooBig { limit })?;
    pieces(compressed, |piece| {
        if out.len() + piece.len() > size {
            return Err(ShareError::BadDeflate);
        }
        out.extend_from_slice(piece);
        Ok(())
    })?;
    Ok(out)
}

/// Inflates `compressed` a piece at a time into `each`, until the data ends
/// or `each` says stop.
fn pieces(
    compressed: &[u8],
    mut each: impl FnMut(&[u8]) -> Result<(), ShareError>,
) -> Result<(), ShareError> {
    let mut inflater = flate2::read::DeflateDecoder::new(compressed);
    let mut piece = vec![0u8; 64 << 10];
    loop {
        match inflater.read(&mut piece) {
            Ok(0) => return Ok(()),
            Ok(n) => each(piece.get(..n).ok_or(ShareError::BadDeflate)?)?,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Err(ShareError::BadDeflate),
        }
    }
}

/// The URL fragment (without `#`) of a payload.
pub fn fragment(payload: &str) -> String {
    format!("trace={payload}")
}

/// The payload in a page's `location.hash`: the value of `trace=`, with or
/// without the leading `#` and among other `&`-separated parameters.
/// Base64url needs no percent-decoding, so the value is given as it is.
pub fn from_fragment(hash: &str) -> Option<&str> {
    let hash = hash.strip_prefix('#').unwrap_or(hash);
    hash.split('&')
        .find_map(|part| part.strip_prefix("trace="))
        .filter(|p| !p.is_empty())
}

/// Characters of `bytes` bytes in base64 without padding.
fn base64_chars(bytes: usize) -> usize {
    (bytes * 4).div_ceil(3)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Raw DEFLATE of `megabytes` MB of zeros, made without holding them:
    /// one megabyte compressed and flushed to a byte boundary (a block that
    /// refers only to itself), repeated, then the final block.
    fn zeros_bomb(megabytes: usize) -> Vec<u8> {
        let mut d = DeflateEncoder::new(Vec::new(), Compression::best());
        d.write_all(&vec![0u8; 1 << 20]).unwrap();
        d.flush().unwrap();
        let one = d.get_ref().clone();
        let whole = d.finish().unwrap();
        let mut out = one.repeat(megabytes);
        out.extend_from_slice(&whole[one.len()..]);
        out
    }

    #[test]
    fn the_bomb_is_what_it_says() {
        let bomb = zeros_bomb(3);
        assert_eq!(inflate(&bomb, usize::MAX).unwrap(), vec![0u8; 3 << 20]);
    }

    /// Inflating stops at the limit, with the output never past it.
    #[test]
    fn inflating_stops_at_the_limit() {
        let bomb = zeros_bomb(300);
        assert!(bomb.len() < 400_000, "{}", bomb.len());
        let started = std::time::Instant::now();
        assert_eq!(
            inflate(&bomb, 1 << 20),
            Err(ShareError::TooBig { limit: 1 << 20 })
        );
        assert!(started.elapsed().as_secs() < 2);
        assert_eq!(inflate(b"", 10), Err(ShareError::BadDeflate));
        assert_eq!(
            inflate(&[0xff, 0xff, 0xff], 10),
            Err(ShareError::BadDeflate)
        );
    }

    #[test]
    fn decode_words_each_failure() {
        assert_eq!(decode(""), Err(ShareError::Empty));
        assert_eq!(decode("  "), Err(ShareError::Empty));
        assert_eq!(
            decode("abc"),
            Err(ShareError::UnknownVersion(String::new()))
        );
        assert_eq!(decode("2.abc"), Err(ShareError::UnknownVersion("2".into())));
        assert_eq!(decode("1.a*b"), Err(ShareError::BadBase64));
        assert_eq!(decode("1.AAAA"), Err(ShareError::BadDeflate));
        let long = format!("{}.x", "9".repeat(1000));
        let Err(ShareError::UnknownVersion(v)) = decode(&long) else {
            panic!("a long tag is an unknown version");
        };
        assert_eq!(v.len(), 16);
        assert!(ShareError::BadDeflate.to_string().contains("damaged"));
        assert_eq!(
            ShareError::TooBig {
                limit: MAX_INFLATED
            }
            .to_string(),
            "the link's trace inflates to more than 128 MB, so it was not opened"
        );
    }

    /// What was deflated comes back, padded or not.
    #[test]
    fn decode_inverts_the_payload_format() {
        let mut d = DeflateEncoder::new(Vec::new(), Compression::best());
        d.write_all(br#"{"resourceSpans":[]}"#).unwrap();
        let data = d.finish().unwrap();
        let bare = format!("1.{}", URL_SAFE_NO_PAD.encode(&data));
        let padded = format!(
            "1.{}",
            base64::engine::general_purpose::URL_SAFE.encode(&data)
        );
        for p in [&bare, &padded] {
            assert_eq!(decode(p).unwrap(), br#"{"resourceSpans":[]}"#);
        }
    }

    #[test]
    fn fragments() {
        assert_eq!(fragment("1.abc"), "trace=1.abc");
        assert_eq!(from_fragment("#trace=1.abc"), Some("1.abc"));
        assert_eq!(from_fragment("trace=1.abc"), Some("1.abc"));
        assert_eq!(from_fragment("#span=a&trace=1.a-b_c&x=1"), Some("1.a-b_c"));
        assert_eq!(from_fragment("#trace="), None);
        assert_eq!(from_fragment("#traces=1.abc"), None);
        assert_eq!(from_fragment(""), None);
        assert_eq!(from_fragment("#"), None);
    }

    /// A trace too large for a link is told so, with its size in words.
    #[test]
    fn a_large_trace_is_too_large() {
        let t = crate::warm::sample_trace(20_000);
        let e = encode(&t).unwrap_err();
        assert_eq!(e.limit, MAX_LINK_CHARS);
        assert!(e.chars > MAX_LINK_CHARS, "{e:?}");
        let words = e.to_string();
        assert!(words.starts_with("this trace needs about "), "{words}");
        assert!(
            words.ends_with(
                " characters in a link, above the 65,536 a link can carry; download the file instead"
            ),
            "{words}"
        );
        // The small one of the same shape fits.
        let small = crate::warm::sample_trace(100);
        let payload = encode(&small).unwrap();
        assert!(payload.starts_with("1.") && payload.len() <= MAX_LINK_CHARS);
        assert_eq!(
            decode(&payload).unwrap(),
            to_otlp_json(&[&small]).into_bytes()
        );
    }
}
