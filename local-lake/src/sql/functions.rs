//! SQLite user functions for the Trino semantics SQLite lacks: Unicode `lower`/`upper`, `json_extract_scalar`
//! with Trino's path rules, casts that fail like Trino's, and checked integer arithmetic.
//!
//! [`register`] installs them on the connection before each query; they are deterministic and pure. A Trino
//! runtime error (an impossible cast, an overflow, a division by zero) is returned as a function error, which
//! fails the statement with Trino's message.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, Error};

use super::json::extract_scalar;
use super::render::java_double;
use super::timestamp::normalize_timestamp;

/// `lake_lower(varchar)`.
pub(crate) const LOWER: &str = "lake_lower";
/// `lake_upper(varchar)`.
pub(crate) const UPPER: &str = "lake_upper";
/// `lake_json_extract_scalar(varchar, path_segments_as_json_array)`.
pub(crate) const JSON_EXTRACT_SCALAR: &str = "lake_json_extract_scalar";
/// `lake_cast_integer(value, try, bits)`: varchar, double or bigint to a 32- or 64-bit integer.
pub(crate) const CAST_INTEGER: &str = "lake_cast_integer";
/// `lake_cast_double(value, try)`: varchar to double.
pub(crate) const CAST_DOUBLE: &str = "lake_cast_double";
/// `lake_cast_timestamp(value, try)`: varchar to timestamp text.
pub(crate) const CAST_TIMESTAMP: &str = "lake_cast_timestamp";
/// `lake_arith(op, bits, a, b)`: checked 32/64-bit integer arithmetic (`bits` 32 or 64) or double `/` and `%`
/// (`bits` 0).
pub(crate) const ARITH: &str = "lake_arith";

/// Installs the user functions on `conn`.
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function(LOWER, 1, flags, |ctx| map_text(ctx, lower))?;
    conn.create_scalar_function(UPPER, 1, flags, |ctx| map_text(ctx, upper))?;
    conn.create_scalar_function(JSON_EXTRACT_SCALAR, 2, flags, json_extract_scalar)?;
    conn.create_scalar_function(CAST_INTEGER, 3, flags, cast_integer)?;
    conn.create_scalar_function(CAST_DOUBLE, 2, flags, cast_double)?;
    conn.create_scalar_function(CAST_TIMESTAMP, 2, flags, cast_timestamp)?;
    conn.create_scalar_function(ARITH, 4, flags, arith)?;
    Ok(())
}

/// A Trino runtime error, reported as the function's error.
fn fail(message: String) -> Error {
    Error::UserFunctionError(message.into())
}

fn text_arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<String>> {
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
    })
}

fn map_text(ctx: &Context<'_>, f: fn(&str) -> String) -> rusqlite::Result<Option<String>> {
    Ok(text_arg(ctx, 0)?.map(|s| f(&s)))
}

/// Trino's `lower`: each code point to its simple lowercase mapping (Java's `Character.toLowerCase(int)`).
pub(crate) fn lower(s: &str) -> String {
    s.chars().map(|c| simple_case(c, c.to_lowercase())).collect()
}

/// Trino's `upper`: each code point to its simple uppercase mapping (Java's `Character.toUpperCase(int)`).
pub(crate) fn upper(s: &str) -> String {
    s.chars().map(|c| simple_case(c, c.to_uppercase())).collect()
}

/// One code point's simple case mapping. Rust gives the full mapping, which can be several code points where
/// the simple one is a single code point or none: `İ` lowercases to `i` (the first code point of its full
/// mapping), and a character whose only uppercase is a multi-character one (`ß`, `ŉ`) stays as it is.
fn simple_case(c: char, mut mapped: impl ExactSizeIterator<Item = char>) -> char {
    match mapped.len() {
        1 => mapped.next().unwrap_or(c),
        _ if c == '\u{130}' => 'i',
        _ => c,
    }
}

fn json_extract_scalar(ctx: &Context<'_>) -> rusqlite::Result<Option<String>> {
    let Some(json) = text_arg(ctx, 0)? else {
        return Ok(None);
    };
    let segments: Vec<String> = match text_arg(ctx, 1)? {
        Some(p) => serde_json::from_str(&p).map_err(|e| fail(format!("invalid JSON path segments: {e}")))?,
        None => return Ok(None),
    };
    Ok(extract_scalar(&json, &segments))
}

fn flag(ctx: &Context<'_>, i: usize) -> rusqlite::Result<bool> {
    Ok(ctx.get::<i64>(i)? != 0)
}

fn cast_integer(ctx: &Context<'_>) -> rusqlite::Result<Option<i64>> {
    let try_cast = flag(ctx, 1)?;
    let bits = ctx.get::<i64>(2)?;
    let (type_name, min, max) = if bits == 32 {
        ("INT", i64::from(i32::MIN), i64::from(i32::MAX))
    } else {
        ("BIGINT", i64::MIN, i64::MAX)
    };
    let result = match ctx.get_raw(0) {
        ValueRef::Null => return Ok(None),
        ValueRef::Integer(n) => {
            if (min..=max).contains(&n) {
                Ok(n)
            } else {
                Err(format!("Out of range for {}: {n}", type_name.to_lowercase()))
            }
        }
        ValueRef::Real(f) => {
            // Trino rounds half away from zero (Guava's HALF_UP), as f64::round does.
            let r = f.round();
            if f.is_nan() {
                Err(format!("Cannot cast double NaN to {}", type_name.to_lowercase()))
            } else if r >= min as f64 && r <= max as f64 && r.is_finite() {
                // In range by the check above, so the conversion is exact.
                #[allow(clippy::cast_possible_truncation)]
                Ok(r as i64)
            } else {
                Err(format!(
                    "Unable to cast {} to {}",
                    java_double(f),
                    type_name.to_lowercase()
                ))
            }
        }
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            let s = String::from_utf8_lossy(t);
            // Java's Long.parseLong / Integer.parseInt: an optional sign and decimal digits, nothing else.
            let digits = s.strip_prefix(['+', '-']).unwrap_or(&s);
            let parsed = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                s.parse::<i64>().ok().filter(|n| (min..=max).contains(n))
            } else {
                None
            };
            parsed.ok_or_else(|| format!("Cannot cast '{s}' to {type_name}"))
        }
    };
    match result {
        Ok(n) => Ok(Some(n)),
        Err(_) if try_cast => Ok(None),
        Err(msg) => Err(fail(msg)),
    }
}

fn cast_double(ctx: &Context<'_>) -> rusqlite::Result<Option<f64>> {
    let try_cast = flag(ctx, 1)?;
    let Some(s) = text_arg(ctx, 0)? else {
        return Ok(None);
    };
    match parse_java_double(&s) {
        Some(v) => not_nan(v).map(Some),
        None if try_cast => Ok(None),
        None => Err(fail(format!("Cannot cast '{s}' to DOUBLE"))),
    }
}

/// Java's `Double.parseDouble` for decimal input: surrounding whitespace (code points ≤ U+0020) ignored, an
/// optional sign, `NaN`, `Infinity`, or digits with an optional point and exponent, and an optional `d`/`f`
/// suffix. Hexadecimal floating-point literals are not accepted (Java would).
pub(crate) fn parse_java_double(s: &str) -> Option<f64> {
    let t = s.trim_matches(|c: char| c <= ' ');
    let (sign, body) = match t.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, t.strip_prefix('+').unwrap_or(t)),
    };
    match body {
        "NaN" => return Some(f64::NAN),
        "Infinity" => return Some(sign * f64::INFINITY),
        _ => {}
    }
    let body = body.strip_suffix(['d', 'D', 'f', 'F']).unwrap_or(body);
    let valid = !body.is_empty()
        && !body.starts_with(['+', '-'])
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && body.bytes().any(|b| b.is_ascii_digit());
    if !valid {
        return None;
    }
    body.parse::<f64>().ok().map(|v| sign * v)
}

fn cast_timestamp(ctx: &Context<'_>) -> rusqlite::Result<Option<String>> {
    let try_cast = flag(ctx, 1)?;
    let Some(s) = text_arg(ctx, 0)? else {
        return Ok(None);
    };
    match normalize_timestamp(&s) {
        Ok(t) => Ok(Some(t)),
        Err(_) if try_cast => Ok(None),
        Err(_) => Err(fail(format!("Value cannot be cast to timestamp: {s}"))),
    }
}

fn arith(ctx: &Context<'_>) -> rusqlite::Result<Value> {
    let op: String = ctx.get(0)?;
    let bits: i64 = ctx.get(1)?;
    let (a, b) = (ctx.get_raw(2), ctx.get_raw(3));
    if matches!(a, ValueRef::Null) || matches!(b, ValueRef::Null) {
        return Ok(Value::Null);
    }
    if bits == 0 {
        let (x, y) = (as_f64(a), as_f64(b));
        let r = match op.as_str() {
            "+" => x + y,
            "-" => x - y,
            "*" => x * y,
            "/" => x / y,
            _ => x % y,
        };
        return not_nan(r).map(Value::Real);
    }
    let (x, y) = (as_i64(a), as_i64(b));
    let name = if bits == 32 { "integer" } else { "bigint" };
    if matches!(op.as_str(), "/" | "%") && y == 0 {
        return Err(fail("Division by zero".to_owned()));
    }
    let result = match op.as_str() {
        "+" => x.checked_add(y),
        "-" => x.checked_sub(y),
        "*" => x.checked_mul(y),
        "/" => x.checked_div(y),
        _ => Some(x.wrapping_rem(y)),
    };
    let in_range = |n: i64| bits != 32 || i32::try_from(n).is_ok();
    match result.filter(|n| in_range(*n)) {
        Some(n) => Ok(Value::Integer(n)),
        None => {
            let what = match op.as_str() {
                "+" => "addition",
                "-" => "subtraction",
                "*" => "multiplication",
                _ => "division",
            };
            Err(fail(format!("{name} {what} overflow: {x} {op} {y}")))
        }
    }
}

/// SQLite stores a NaN as NULL, which would turn Trino's `NaN` into a wrong `NULL`: fail instead.
fn not_nan(x: f64) -> rusqlite::Result<f64> {
    if x.is_nan() {
        Err(fail(
            "the result is NaN, which the local Lake cannot represent".to_owned(),
        ))
    } else {
        Ok(x)
    }
}

fn as_f64(v: ValueRef<'_>) -> f64 {
    match v {
        ValueRef::Integer(n) => n as f64,
        ValueRef::Real(f) => f,
        _ => f64::NAN,
    }
}

fn as_i64(v: ValueRef<'_>) -> i64 {
    match v {
        ValueRef::Integer(n) => n,
        // Only integers reach the integer path; anything else is a bug upstream, not user input.
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_case_mappings() {
        assert_eq!(lower("ÀÉÎ İ ΣΑΣ"), "àéî i σασ");
        assert_eq!(upper("straße ŉ àé"), "STRAßE ŉ ÀÉ");
        assert_eq!(upper("abc"), "ABC");
    }

    #[test]
    fn java_double_parsing() {
        assert_eq!(parse_java_double(" 1.5 "), Some(1.5));
        assert_eq!(parse_java_double("1e3"), Some(1000.0));
        assert_eq!(parse_java_double("-2d"), Some(-2.0));
        assert_eq!(parse_java_double(".5"), Some(0.5));
        assert_eq!(parse_java_double("-Infinity"), Some(f64::NEG_INFINITY));
        assert!(parse_java_double("NaN").is_some_and(f64::is_nan));
        for bad in ["", "abc", "inf", "nan", "1,5", "--1", "e5", "1.5x"] {
            assert_eq!(parse_java_double(bad), None, "{bad}");
        }
    }

    #[test]
    fn functions_fail_like_trino() {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        let one = |sql: &str| -> rusqlite::Result<Value> { conn.query_row(sql, [], |r| r.get(0)) };
        assert_eq!(
            one("SELECT lake_cast_integer('42', 0, 64)").unwrap(),
            Value::Integer(42)
        );
        assert_eq!(
            one("SELECT lake_cast_integer('+7', 0, 32)").unwrap(),
            Value::Integer(7)
        );
        assert_eq!(
            one("SELECT lake_cast_integer(2.5, 0, 64)").unwrap(),
            Value::Integer(3)
        );
        assert_eq!(
            one("SELECT lake_cast_integer(-2.5, 0, 64)").unwrap(),
            Value::Integer(-3)
        );
        assert_eq!(
            one("SELECT lake_cast_integer(' 42', 1, 64)").unwrap(),
            Value::Null
        );
        let err = one("SELECT lake_cast_integer('abc', 0, 64)").unwrap_err();
        assert_eq!(
            super::super::QueryError::from(err).to_string(),
            "Cannot cast 'abc' to BIGINT"
        );
        let err = one("SELECT lake_cast_integer('3000000000', 0, 32)").unwrap_err();
        assert!(
            err.to_string().contains("Cannot cast '3000000000' to INT"),
            "{err}"
        );
        assert_eq!(
            one("SELECT lake_arith('/', 64, 7, 2)").unwrap(),
            Value::Integer(3)
        );
        assert_eq!(
            one("SELECT lake_arith('/', 64, -7, 2)").unwrap(),
            Value::Integer(-3)
        );
        assert_eq!(
            one("SELECT lake_arith('%', 64, -7, 2)").unwrap(),
            Value::Integer(-1)
        );
        assert!(
            one("SELECT lake_arith('/', 64, 1, 0)")
                .unwrap_err()
                .to_string()
                .contains("Division by zero")
        );
        assert!(
            one("SELECT lake_arith('+', 32, 2147483647, 1)")
                .unwrap_err()
                .to_string()
                .contains("integer addition overflow")
        );
        assert_eq!(
            one("SELECT lake_arith('+', 64, 2147483647, 1)").unwrap(),
            Value::Integer(2147483648)
        );
        assert_eq!(
            one("SELECT lake_arith('/', 0, 1.0, 4)").unwrap(),
            Value::Real(0.25)
        );
        assert_eq!(
            one("SELECT lake_arith('/', 0, 1.0, 0)").unwrap(),
            Value::Real(f64::INFINITY)
        );
        assert_eq!(
            one("SELECT lake_cast_timestamp('2023-1-5 1:02:03', 0)").unwrap(),
            Value::Text("2023-01-05 01:02:03.000".into())
        );
        assert_eq!(one("SELECT lake_cast_timestamp('bad', 1)").unwrap(), Value::Null);
        assert_eq!(one("SELECT lake_lower('ÉA')").unwrap(), Value::Text("éa".into()));
        assert_eq!(
            one("SELECT lake_json_extract_scalar('{\"a\":[1,2]}', '[\"a\",\"1\"]')").unwrap(),
            Value::Text("2".into())
        );
    }
}
