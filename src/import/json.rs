//! Lenient JSON pieces shared by the importers: numbers that may come as
//! strings (int64 in protobuf JSON), and peeking at an object's keys.

use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::fmt;

/// An integer that may be written as a JSON number (integer or float) or as a
/// decimal string, as protobuf JSON writes int64.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Int(pub i64);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Int, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Int;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an integer, as a number or a string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Int, E> {
                Ok(Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Int, E> {
                i64::try_from(v)
                    .map(Int)
                    .map_err(|_| E::custom(format!("{v} is past the int64 range")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Int, E> {
                if v.is_finite() && v.abs() < 9.2e18 {
                    Ok(Int(v.round() as i64))
                } else {
                    // `{:e}`: 1e308 is not written out in 309 digits.
                    Err(E::custom(format!("{v:e} is not a usable integer")))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Int, E> {
                let t = v.trim();
                if let Ok(n) = t.parse::<i64>() {
                    return Ok(Int(n));
                }
                match t.parse::<f64>() {
                    Ok(f) => self.visit_f64(f),
                    Err(_) => Err(E::custom(format!("{} is not an integer", quoted_start(v)))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A float that may be written as a number or a string (`"NaN"`, `"Infinity"`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Float(pub f64);

impl<'de> Deserialize<'de> for Float {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Float, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Float;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Float, E> {
                Ok(Float(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Float, E> {
                Ok(Float(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Float, E> {
                Ok(Float(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Float, E> {
                v.trim()
                    .parse::<f64>()
                    .map(Float)
                    .map_err(|_| E::custom(format!("{} is not a number", quoted_start(v))))
            }
        }
        d.deserialize_any(V)
    }
}

/// A string that may also be written as a number (some exporters write ids so).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text(String::new()))
            }
        }
        d.deserialize_any(V)
    }
}

/// The keys of a JSON object, or `None` when the value is not an object.
pub fn object_keys(raw: &RawValue) -> Option<Vec<String>> {
    serde_json::from_str::<BTreeMap<String, IgnoredAny>>(raw.get())
        .ok()
        .map(|m| m.into_keys().collect())
}

/// What kind of JSON value `raw` is, for messages.
pub fn value_kind(raw: &RawValue) -> &'static str {
    match raw.get().trim_start().as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        Some(_) => "a number",
        None => "nothing",
    }
}

/// A string quoted for a message, cut after 40 characters: a field can hold
/// megabytes, and the message is shown whole.
pub fn quoted_start(v: &str) -> String {
    let mut chars = v.chars();
    let start: String = chars.by_ref().take(40).collect();
    let more = if chars.next().is_some() { "…" } else { "" };
    format!("\"{start}{more}\"")
}

/// Microseconds to nanoseconds, saturating.
pub fn us_to_ns(us: i64) -> i64 {
    us.saturating_mul(1000)
}

/// The span warning for a time or duration in microseconds that
/// nanoseconds cannot hold (past the year 2262), when one is: it is shown
/// saturated, at the largest (or smallest) time there is.
pub fn us_beyond_ns(field: &str, us: Option<i64>) -> Option<String> {
    let us = us?;
    us.checked_mul(1000).is_none().then(|| {
        format!(
            "{field} {us} µs is beyond what nanoseconds hold (the year 2262): shown as {}",
            us_to_ns(us)
        )
    })
}

/// Best-effort id of a span whose full parse failed, for the warning.
pub fn span_label(raw: &RawValue, keys: &[&str]) -> String {
    span_label_str(raw.get(), keys)
}

/// [`span_label`] of raw text.
pub fn span_label_str(raw: &str, keys: &[&str]) -> String {
    // Values are kept raw: a field nested too deep or a number out of range
    // elsewhere in the span must not hide its id (it read "a span without
    // an id" for a span whose id was there).
    let Ok(map) = serde_json::from_str::<BTreeMap<String, &RawValue>>(raw) else {
        return "a span whose id could not be read".to_string();
    };
    for k in keys {
        if let Some(s) = map
            .get(*k)
            .and_then(|v| serde_json::from_str::<String>(v.get()).ok())
        {
            // An id is short; a megabyte one is cut for the message.
            let mut id: String = s.chars().take(64).collect();
            if id.len() < s.len() {
                id.push('…');
            }
            return format!("span {id}");
        }
    }
    "a span without an id".to_string()
}
