//! Typed attribute values, as OpenTelemetry defines them.

use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum AttrValue {
    Str(String),
    Bool(bool),
    /// Kept as `i64`, never through `f64`, so values past 2^53 survive.
    Int(i64),
    Double(f64),
    Bytes(Vec<u8>),
    Array(Vec<AttrValue>),
    KvList(Vec<(String, AttrValue)>),
    Empty,
}

impl AttrValue {
    pub fn type_name(&self) -> &'static str {
        match self {
            AttrValue::Str(_) => "string",
            AttrValue::Bool(_) => "bool",
            AttrValue::Int(_) => "int64",
            AttrValue::Double(_) => "double",
            AttrValue::Bytes(_) => "bytes",
            AttrValue::Array(_) => "array",
            AttrValue::KvList(_) => "kvlist",
            AttrValue::Empty => "empty",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            AttrValue::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            AttrValue::Int(n) => Some(*n),
            AttrValue::Str(s) => s.trim().parse().ok(),
            AttrValue::Double(d) if d.fract() == 0.0 => Some(*d as i64),
            _ => None,
        }
    }

    /// True for `true`, and for the strings `"true"` that some exporters send.
    pub fn is_true(&self) -> bool {
        match self {
            AttrValue::Bool(b) => *b,
            AttrValue::Str(s) => s.eq_ignore_ascii_case("true"),
            _ => false,
        }
    }
}

impl fmt::Display for AttrValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttrValue::Str(s) => f.write_str(s),
            AttrValue::Bool(b) => write!(f, "{b}"),
            AttrValue::Int(n) => write!(f, "{n}"),
            AttrValue::Double(d) => write!(f, "{d}"),
            AttrValue::Bytes(b) => {
                use base64::Engine;
                f.write_str(&base64::engine::general_purpose::STANDARD.encode(b))
            }
            AttrValue::Array(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            AttrValue::KvList(items) => {
                f.write_str("{")?;
                for (i, (k, v)) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
            AttrValue::Empty => Ok(()),
        }
    }
}
