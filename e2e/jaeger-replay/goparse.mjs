// Go-compatible parsers for the Jaeger query API replay server, so that a malformed parameter is
// refused with the very message a real Jaeger (a Go program) would write.
//
// Jaeger's query parsers hand their input to Go's standard library (time.Parse,
// time.ParseDuration, strconv.ParseInt / Atoi / ParseUint / ParseBool, encoding/json) and put the
// library's error text into the response. Each function below mirrors one of those functions:
// same accepted grammar, same error text. They work on what the test suites send (ASCII in the
// common case); the rare non-ASCII paths follow Go's quoting rules as far as a UTF-16 string lets
// us. Each returns `{ value }` or `{ error }` (a string) and never throws on user input.

const TE = new TextEncoder();

const isDigit = (c) => c >= '0' && c <= '9';

// ---------------------------------------------------------------------------------------------
// Quoting

/** Go's `time.quote`: double quotes, `"` and `\` escaped, every non-ASCII or control byte as \xNN. */
export function timeQuote(s) {
  let out = '"';
  for (const ch of String(s)) {
    const code = ch.codePointAt(0);
    if (code >= 0x80 || code < 0x20) {
      for (const b of TE.encode(ch)) out += '\\x' + b.toString(16).padStart(2, '0');
    } else {
      if (ch === '"' || ch === '\\') out += '\\';
      out += ch;
    }
  }
  return out + '"';
}

const SHORT_ESCAPES = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

/** Go's `strconv.Quote` (printable Unicode kept as is, the rest escaped Go-style). */
export function goQuote(s) {
  let out = '"';
  for (const ch of String(s)) {
    const code = ch.codePointAt(0);
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (SHORT_ESCAPES[ch]) out += SHORT_ESCAPES[ch];
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else if (code >= 0x80 && /[\p{C}\p{Zl}\p{Zp}]/u.test(ch)) {
      out += code > 0xffff ? '\\U' + code.toString(16).padStart(8, '0') : '\\u' + code.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + '"';
}

/**
 * A JSON string as Go's encoding/json writes it (HTML-safe: `<`, `>` and `&` as \u003c etc.,
 * U+2028/U+2029 escaped, `\b` and `\f` short forms as since Go 1.22).
 */
export function goJsonQuote(s) {
  return goJsonEscape(JSON.stringify(String(s)));
}

/**
 * Makes JSON text produced by `JSON.stringify` byte-identical to what Go's json.Marshal writes
 * for the same strings: `<`, `>`, `&`, U+2028 and U+2029 can only occur inside strings in JSON
 * text, so replacing them anywhere is safe.
 */
export function goJsonEscape(jsonText) {
  return jsonText.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

// ---------------------------------------------------------------------------------------------
// strconv

const numError = (fn, s, what) => `strconv.${fn}: parsing ${goQuote(s)}: ${what}`;

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

function parseDecimalDigits(s) {
  if (s === '' || !/^[0-9]+$/.test(s)) return null;
  return BigInt(s);
}

/** `strconv.ParseInt(s, 10, bitSize)`. */
export function parseInt10(s, bitSize = 64, fn = 'ParseInt') {
  s = String(s);
  if (s === '') return { error: numError(fn, s, 'invalid syntax') };
  let body = s;
  let neg = false;
  if (body[0] === '+' || body[0] === '-') {
    neg = body[0] === '-';
    body = body.slice(1);
  }
  const u = parseDecimalDigits(body);
  if (u === null) return { error: numError(fn, s, 'invalid syntax') };
  const max = (1n << BigInt(bitSize - 1)) - 1n;
  const v = neg ? -u : u;
  if (v > max || v < -max - 1n) return { error: numError(fn, s, 'value out of range') };
  return { value: v };
}

/** `strconv.Atoi(s)` on a 64-bit platform (errors always name `Atoi`). */
export function atoi(s) {
  return parseInt10(s, 64, 'Atoi');
}

/** `strconv.ParseUint(s, 16, 64)`. */
export function parseUint16(s) {
  s = String(s);
  if (s === '' || !/^[0-9a-fA-F]+$/.test(s)) return { error: numError('ParseUint', s, 'invalid syntax') };
  const v = BigInt('0x' + s);
  if (v > (1n << 64n) - 1n) return { error: numError('ParseUint', s, 'value out of range') };
  return { value: v };
}

/** `strconv.ParseBool(s)`. */
export function parseBool(s) {
  s = String(s);
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return { value: true };
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return { value: false };
  return { error: numError('ParseBool', s, 'invalid syntax') };
}

// ---------------------------------------------------------------------------------------------
// Trace IDs

/**
 * jaeger-idl `model.TraceIDFromString`: up to 32 hex digits, leading zeros optional, the part
 * beyond the last 16 digits being the high half. Returns the 128-bit value as a BigInt.
 */
export function traceIdFromString(s) {
  s = String(s);
  if (s.length > 32) return { error: `TraceID cannot be longer than 32 hex characters: ${s}` };
  if (s.length > 16) {
    const hiLen = s.length - 16;
    const hi = parseUint16(s.slice(0, hiLen));
    if (hi.error) return hi;
    const lo = parseUint16(s.slice(hiLen));
    if (lo.error) return lo;
    return { value: (hi.value << 64n) | lo.value };
  }
  const lo = parseUint16(s);
  if (lo.error) return lo;
  return { value: lo.value };
}

/** `model.TraceID.String()`: `%x` of the low half when the high half is 0, else `%x%016x`. */
export function traceIdString(v) {
  const hi = v >> 64n;
  const lo = v & ((1n << 64n) - 1n);
  if (hi === 0n) return lo.toString(16);
  return hi.toString(16) + lo.toString(16).padStart(16, '0');
}

// ---------------------------------------------------------------------------------------------
// time.ParseDuration

const UNITS = {
  ns: 1n,
  us: 1000n,
  'µs': 1000n, // U+00B5
  'μs': 1000n, // U+03BC
  ms: 1000000n,
  s: 1000000000n,
  m: 60000000000n,
  h: 3600000000000n,
};
const TWO63 = 1n << 63n;

/** `time.ParseDuration`: returns `{ value: nanoseconds as BigInt }` or `{ error }`. */
export function parseDuration(orig) {
  orig = String(orig);
  const invalid = { error: 'time: invalid duration ' + timeQuote(orig) };
  let s = orig;
  let d = 0n;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return { value: 0n };
  if (s === '') return invalid;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) return invalid;
    // leadingInt
    let v = 0n;
    let i = 0;
    for (; i < s.length && isDigit(s[i]); i++) {
      if (v > TWO63 / 10n) return invalid;
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > TWO63) return invalid;
    }
    const pre = i !== 0;
    s = s.slice(i);
    // leadingFraction
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s !== '' && s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      for (; j < s.length && isDigit(s[j]); j++) {
        if (overflow) continue;
        if (f > INT64_MAX / 10n) {
          overflow = true;
          continue;
        }
        const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
        if (y > TWO63) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j !== 0;
      s = s.slice(j);
    }
    if (!pre && !post) return invalid;
    let k = 0;
    for (; k < s.length; k++) {
      const c = s[k];
      if (c === '.' || isDigit(c)) break;
    }
    if (k === 0) return { error: 'time: missing unit in duration ' + timeQuote(orig) };
    const u = s.slice(0, k);
    s = s.slice(k);
    const unit = UNITS[u];
    if (unit === undefined) {
      return { error: 'time: unknown unit ' + timeQuote(u) + ' in duration ' + timeQuote(orig) };
    }
    if (v > TWO63 / unit) return invalid;
    v *= unit;
    if (f > 0n) {
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > TWO63) return invalid;
    }
    d += v;
    if (d > TWO63) return invalid;
  }
  if (neg) return { value: -d };
  if (d > INT64_MAX) return invalid;
  return { value: d };
}

// ---------------------------------------------------------------------------------------------
// time.Parse(time.RFC3339Nano, value)

export const RFC3339_NANO = '2006-01-02T15:04:05.999999999Z07:00';

// The layout split the way Go's nextStdChunk splits it: [prefix, std element].
const RFC3339_CHUNKS = [
  ['', '2006'],
  ['-', '01'],
  ['-', '02'],
  ['T', '15'],
  [':', '04'],
  [':', '05'],
  ['', '.999999999'],
  ['', 'Z07:00'],
];

function parseErr(value, valueElem, layoutElem, message = '') {
  if (message) return { error: 'parsing time ' + timeQuote(value) + message };
  return {
    error:
      'parsing time ' + timeQuote(value) + ' as ' + timeQuote(RFC3339_NANO) + ': cannot parse ' +
      timeQuote(valueElem) + ' as ' + timeQuote(layoutElem),
  };
}

/** Go's getnum: one or two digits (exactly two when `fixed`). */
function getnum(s, fixed) {
  if (!isDigit(s[0] ?? '')) return null;
  if (!isDigit(s[1] ?? '')) {
    if (fixed) return null;
    return [s.charCodeAt(0) - 48, s.slice(1)];
  }
  return [(s.charCodeAt(0) - 48) * 10 + (s.charCodeAt(1) - 48), s.slice(2)];
}

function daysIn(month, year) {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** Days from 1970-01-01 to the civil date (proleptic Gregorian; H. Hinnant's algorithm). */
function daysFromCivil(y, m, d) {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * `time.Parse(time.RFC3339Nano, value)` (Go's general layout parser, which is what reports the
 * errors). Returns `{ value: Unix nanoseconds as BigInt }` or `{ error }`.
 */
export function parseRFC3339Nano(avalue) {
  avalue = String(avalue);
  let value = avalue;
  let year = 0;
  let month = -1;
  let day = -1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let zoneOffset = 0;
  for (let idx = 0; idx < RFC3339_CHUNKS.length; idx++) {
    const [prefix, std] = RFC3339_CHUNKS[idx];
    // skip(value, prefix)
    for (const p of prefix) {
      if (value === '' || value[0] !== p) return parseErr(avalue, value, prefix);
      value = value.slice(1);
    }
    const hold = value;
    let bad = false;
    let rangeErr = '';
    switch (std) {
      case '2006': {
        if (value.length < 4 || !isDigit(value[0])) {
          bad = true;
          break;
        }
        const p = value.slice(0, 4);
        value = value.slice(4);
        if (!/^[0-9]{4}$/.test(p)) bad = true;
        else year = Number(p);
        break;
      }
      case '01': {
        const r = getnum(value, true);
        if (!r) bad = true;
        else {
          [month, value] = r;
          if (month <= 0 || month > 12) rangeErr = 'month';
        }
        break;
      }
      case '02': {
        const r = getnum(value, true);
        if (!r) bad = true;
        else [day, value] = r;
        break;
      }
      case '15': {
        const r = getnum(value, false);
        if (!r) bad = true;
        else {
          [hour, value] = r;
          if (hour >= 24) rangeErr = 'hour';
        }
        break;
      }
      case '04': {
        const r = getnum(value, true);
        if (!r) bad = true;
        else {
          [min, value] = r;
          if (min >= 60) rangeErr = 'minute';
        }
        break;
      }
      case '05': {
        const r = getnum(value, true);
        if (!r) bad = true;
        else {
          [sec, value] = r;
          if (sec >= 60) rangeErr = 'second';
        }
        break;
      }
      case '.999999999': {
        if (value.length < 2 || !(value[0] === '.' || value[0] === ',') || !isDigit(value[1])) break;
        let i = 0;
        while (i + 1 < value.length && isDigit(value[i + 1])) i++;
        let nbytes = 1 + i;
        let frac = value;
        if (nbytes > 10) {
          frac = frac.slice(0, 10);
          nbytes = 10;
        }
        nsec = Number(frac.slice(1, nbytes)) * 10 ** (10 - nbytes);
        value = value.slice(1 + i);
        break;
      }
      case 'Z07:00': {
        if (value.length >= 1 && value[0] === 'Z') {
          value = value.slice(1);
          zoneOffset = 0;
          break;
        }
        if (value.length < 6 || value[3] !== ':') {
          bad = true;
          break;
        }
        const sign = value[0];
        const hh = getnum(value.slice(1, 3), true);
        const mm = hh ? getnum(value.slice(4, 6), true) : null;
        value = value.slice(6);
        if (!hh || !mm) {
          bad = true;
          break;
        }
        if (hh[0] > 24) rangeErr = 'time zone offset hour';
        if (mm[0] > 60) rangeErr = 'time zone offset minute';
        zoneOffset = (hh[0] * 60 + mm[0]) * 60;
        if (sign === '-') zoneOffset = -zoneOffset;
        else if (sign !== '+') bad = true;
        break;
      }
    }
    if (rangeErr) return parseErr(avalue, value, std, ': ' + rangeErr + ' out of range');
    if (bad) return parseErr(avalue, hold, std);
  }
  if (value.length !== 0) return parseErr(avalue, value, '', ': extra text: ' + timeQuote(value));
  if (day < 1 || day > daysIn(month, year)) return parseErr(avalue, value, '', ': day out of range');
  const secs = daysFromCivil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec - zoneOffset;
  return { value: BigInt(secs) * 1000000000n + BigInt(nsec) };
}

/** Go's `t.UTC().Format(time.RFC3339Nano)` for Unix nanoseconds (trailing zeros of the fraction dropped). */
export function formatRFC3339Nano(ns) {
  ns = BigInt(ns);
  let secs = ns / 1000000000n;
  let frac = ns % 1000000000n;
  if (frac < 0n) {
    frac += 1000000000n;
    secs -= 1n;
  }
  const iso = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  const fracText = frac === 0n ? '' : '.' + frac.toString().padStart(9, '0').replace(/0+$/, '');
  return iso + fracText + 'Z';
}

// ---------------------------------------------------------------------------------------------
// encoding/json: json.Unmarshal(data, &map[string]string{})

function quoteChar(c) {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const q = goQuote(c);
  return "'" + q.slice(1, -1) + "'";
}

class JsonSyntaxError extends Error {}

/**
 * A recursive-descent reader with the messages of Go's json scanner (`invalid character 'x'
 * looking for beginning of value`, `unexpected end of JSON input`, …). Produces plain JS values.
 */
function goJsonParse(text) {
  let i = 0;
  const n = text.length;
  const eof = () => {
    throw new JsonSyntaxError('unexpected end of JSON input');
  };
  const bad = (c, context) => {
    throw new JsonSyntaxError(`invalid character ${quoteChar(c)} ${context}`);
  };
  const ws = () => {
    while (i < n && ' \t\r\n'.includes(text[i])) i++;
  };
  function literal(word) {
    for (let k = 1; k < word.length; k++) {
      if (i + k >= n) eof();
      if (text[i + k] !== word[k]) bad(text[i + k], `in literal ${word} (expecting ${quoteChar(word[k])})`);
    }
    i += word.length;
  }
  function string() {
    i++; // opening quote
    let out = '';
    for (;;) {
      if (i >= n) eof();
      const c = text[i];
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\\') {
        i++;
        if (i >= n) eof();
        const e = text[i];
        const simple = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', '\\': '\\', '/': '/', '"': '"' }[e];
        if (simple !== undefined) {
          out += simple;
          i++;
        } else if (e === 'u') {
          i++;
          let hex = '';
          for (let k = 0; k < 4; k++) {
            if (i >= n) eof();
            if (!/[0-9a-fA-F]/.test(text[i])) bad(text[i], 'in \\u hexadecimal character escape');
            hex += text[i++];
          }
          out += String.fromCharCode(parseInt(hex, 16));
        } else bad(e, 'in string escape code');
        continue;
      }
      if (c.charCodeAt(0) < 0x20) bad(c, 'in string literal');
      out += c;
      i++;
    }
  }
  function number() {
    const start = i;
    if (text[i] === '-') {
      i++;
      if (i >= n) eof();
      if (!isDigit(text[i])) bad(text[i], 'in numeric literal');
    }
    if (text[i] === '0') i++;
    else while (i < n && isDigit(text[i])) i++;
    if (i < n && text[i] === '.') {
      i++;
      if (i >= n) eof();
      if (!isDigit(text[i])) bad(text[i], 'after decimal point in numeric literal');
      while (i < n && isDigit(text[i])) i++;
    }
    if (i < n && (text[i] === 'e' || text[i] === 'E')) {
      i++;
      if (i < n && (text[i] === '+' || text[i] === '-')) i++;
      if (i >= n) eof();
      if (!isDigit(text[i])) bad(text[i], 'in exponent of numeric literal');
      while (i < n && isDigit(text[i])) i++;
    }
    return { number: text.slice(start, i) };
  }
  function value(context) {
    ws();
    if (i >= n) eof();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj = new Map();
      ws();
      if (i >= n) eof();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (i >= n) eof();
        if (text[i] !== '"') bad(text[i], 'looking for beginning of object key string');
        const key = string();
        ws();
        if (i >= n) eof();
        if (text[i] !== ':') bad(text[i], 'after object key');
        i++;
        obj.set(key, value('looking for beginning of value'));
        ws();
        if (i >= n) eof();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        bad(text[i], 'after object key:value pair');
      }
    }
    if (c === '[') {
      i++;
      const arr = [];
      ws();
      if (i >= n) eof();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value('looking for beginning of value'));
        ws();
        if (i >= n) eof();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        bad(text[i], 'after array element');
      }
    }
    if (c === '"') return string();
    if (c === '-' || isDigit(c)) return number();
    if (c === 't') return literal('true'), true;
    if (c === 'f') return literal('false'), false;
    if (c === 'n') return literal('null'), null;
    bad(c, context);
  }
  const v = value('looking for beginning of value');
  ws();
  if (i < n) bad(text[i], 'after top-level value');
  return v;
}

function jsonKind(v) {
  if (v instanceof Map) return 'object';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return 'number';
}

/**
 * `json.Unmarshal([]byte(text), &m)` with `m map[string]string`, as Jaeger parses `tags` (v1)
 * and `query.attributes` (v3). Returns `{ value: Map<string,string> }` or `{ error }`. Like Go,
 * a syntax error anywhere wins over a type error, and `null` gives an empty map.
 */
export function unmarshalStringMap(text) {
  let v;
  try {
    v = goJsonParse(String(text));
  } catch (e) {
    if (e instanceof JsonSyntaxError) return { error: e.message };
    throw e;
  }
  const out = new Map();
  if (v === null) return { value: out };
  if (!(v instanceof Map)) {
    return { error: `json: cannot unmarshal ${jsonKind(v)} into Go value of type map[string]string` };
  }
  let firstError = null;
  for (const [k, val] of v) {
    if (val === null) out.set(k, '');
    else if (typeof val === 'string') out.set(k, val);
    else if (!firstError) firstError = `json: cannot unmarshal ${jsonKind(val)} into Go value of type string`;
  }
  if (firstError) return { error: firstError };
  return { value: out };
}

// ---------------------------------------------------------------------------------------------
// pcommon.Value.AsString for doubles: strconv.FormatFloat(f, 'f', -1, 64)

export function formatFloatF(x) {
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN';
  const s = String(x);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, intPart, fracPart = '', expText] = m;
  const exp = Number(expText);
  const digits = intPart + fracPart;
  const point = intPart.length + exp;
  if (point <= 0) return sign + '0.' + '0'.repeat(-point) + digits;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return sign + digits.slice(0, point) + '.' + digits.slice(point);
}

export { INT64_MAX, INT64_MIN };
