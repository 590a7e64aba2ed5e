//! Rendering result values as Lake returns them: every value a string.
//!
//! - `varchar`: as is; `timestamp`: `YYYY-MM-DD HH:MM:SS.mmm`;
//! - `integer`/`bigint`: decimal digits; `double`: Java's `Double.toString` (`2.5`, `1.0E7`);
//! - `boolean`: `true`/`false`;
//! - `map(varchar, varchar)`: `{key=value, key2=value2}` in the stored JSON's member order, each value as
//!   `element_at` returns it (strings unquoted, other JSON values as their compact JSON text, `null`);
//! - `row`: `{field=value, …}` with every schema field in schema order and lowercase names, a missing field
//!   as `null`, nested rows and maps rendered the same way;
//! - SQL `NULL`: `None`.

use rusqlite::types::ValueRef;
use serde_json::value::RawValue;

use super::error::QueryError;
use super::json::object_entries;
use super::schema::{Field, FieldKind};
use super::types::Ty;

/// Renders one SQLite result value of an output column of Lake SQL type `ty`.
pub(crate) fn render(value: ValueRef<'_>, ty: Ty) -> Result<Option<String>, QueryError> {
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    Ok(Some(match (value, ty) {
        (ValueRef::Null, _) => return Ok(None),
        (ValueRef::Integer(n), Ty::Boolean) => (if n != 0 { "true" } else { "false" }).to_owned(),
        (ValueRef::Integer(n), Ty::Double) => {
            // An integer branch of a UNION with a double column is coerced to double, as in Trino.
            #[allow(clippy::cast_precision_loss)]
            java_double(n as f64)
        }
        (ValueRef::Integer(n), _) => n.to_string(),
        (ValueRef::Real(f), Ty::Integer | Ty::Bigint) => {
            return Err(QueryError::Execution(format!(
                "{ty} result out of range: {}",
                java_double(f)
            )));
        }
        (ValueRef::Real(f), _) => java_double(f),
        (ValueRef::Text(t) | ValueRef::Blob(t), Ty::Map) => render_map(&text(t))?,
        (ValueRef::Text(t) | ValueRef::Blob(t), Ty::Row(fields)) => render_row(&text(t), fields)?,
        (ValueRef::Text(t) | ValueRef::Blob(t), _) => text(t),
    }))
}

fn malformed(e: serde_json::Error) -> QueryError {
    QueryError::Execution(format!("a stored record holds malformed JSON: {e}"))
}

/// `{k=v, …}` from the JSON text of an object.
fn render_map(json: &str) -> Result<String, QueryError> {
    let entries = object_entries(json).map_err(malformed)?;
    let mut out = String::from("{");
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(key);
        out.push('=');
        out.push_str(&map_value(value));
    }
    out.push('}');
    Ok(out)
}

/// A map value as text: strings unquoted, everything else as its JSON text.
fn map_value(value: &RawValue) -> String {
    let text = value.get().trim();
    if text.starts_with('"') {
        serde_json::from_str::<String>(text).unwrap_or_else(|_| text.to_owned())
    } else {
        text.to_owned()
    }
}

/// `{field=value, …}` from the JSON text of an object, following the schema's fields.
fn render_row(json: &str, fields: &'static [Field]) -> Result<String, QueryError> {
    let entries = object_entries(json).map_err(malformed)?;
    let mut out = String::from("{");
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&field.name.to_lowercase());
        out.push('=');
        let value = entries.iter().find(|(k, _)| k == field.json_key).map(|(_, v)| v);
        match value {
            None => out.push_str("null"),
            Some(v) if v.get().trim() == "null" => out.push_str("null"),
            Some(v) => match field.kind {
                FieldKind::Map if v.get().trim_start().starts_with('{') => {
                    out.push_str(&render_map(v.get())?)
                }
                FieldKind::Row(children) if v.get().trim_start().starts_with('{') => {
                    out.push_str(&render_row(v.get(), children)?);
                }
                _ => out.push_str(&map_value(v)),
            },
        }
    }
    out.push('}');
    Ok(out)
}

/// Java's `Double.toString`, the text Lake's (Java) service gives a double: `NaN`, `Infinity`, plain decimal
/// with at least one fractional digit for 10⁻³ ≤ |x| < 10⁷, otherwise `d.dddE±n`; the digits are the shortest
/// that round-trip (as since JDK 19).
pub(crate) fn java_double(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    let abs = x.abs();
    if (1e-3..1e7).contains(&abs) {
        let s = format!("{x}");
        if s.contains('.') { s } else { format!("{s}.0") }
    } else {
        let s = format!("{x:e}");
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = if mantissa.contains('.') {
            mantissa.to_owned()
        } else {
            format!("{mantissa}.0")
        };
        format!("{mantissa}E{exponent}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::schema::TOP_LEVEL;

    #[test]
    fn java_double_formats() {
        for (x, want) in [
            (2.5, "2.5"),
            (2.0, "2.0"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1234567.0, "1234567.0"),
            (1e7, "1.0E7"),
            (12345678.9, "1.23456789E7"),
            (-3.25, "-3.25"),
            (1.0 / 3.0, "0.3333333333333333"),
            (0.0, "0.0"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ] {
            assert_eq!(java_double(x), want, "{x}");
        }
    }

    #[test]
    fn renders_scalars_by_type() {
        assert_eq!(
            render(ValueRef::Integer(1), Ty::Boolean).unwrap().as_deref(),
            Some("true")
        );
        assert_eq!(
            render(ValueRef::Integer(0), Ty::Boolean).unwrap().as_deref(),
            Some("false")
        );
        assert_eq!(
            render(ValueRef::Integer(96059), Ty::Bigint).unwrap().as_deref(),
            Some("96059")
        );
        assert_eq!(
            render(ValueRef::Integer(3), Ty::Double).unwrap().as_deref(),
            Some("3.0")
        );
        assert_eq!(
            render(ValueRef::Real(2.5), Ty::Double).unwrap().as_deref(),
            Some("2.5")
        );
        assert_eq!(render(ValueRef::Null, Ty::Varchar).unwrap(), None);
        assert!(render(ValueRef::Real(1e30), Ty::Bigint).is_err());
    }

    #[test]
    fn renders_maps_and_rows() {
        let map = r#"{"b":"x","a":1.50,"n":null,"o":{"k":[1,true]},"t":false}"#;
        assert_eq!(
            render(ValueRef::Text(map.as_bytes()), Ty::Map)
                .unwrap()
                .as_deref(),
            Some("{b=x, a=1.50, n=null, o={\"k\":[1,true]}, t=false}")
        );
        let metadata = TOP_LEVEL.iter().find(|f| f.name == "metadata").unwrap();
        let FieldKind::Row(fields) = metadata.kind else {
            panic!()
        };
        let row = r#"{"channelARN":"arn:x","ingestionTime":"2023-01-01T00:00:00Z"}"#;
        assert_eq!(
            render(ValueRef::Text(row.as_bytes()), Ty::Row(fields))
                .unwrap()
                .as_deref(),
            Some("{ingestiontime=2023-01-01T00:00:00Z, channelarn=arn:x}")
        );
        let row = r#"{"channelARN":"arn:x"}"#;
        assert_eq!(
            render(ValueRef::Text(row.as_bytes()), Ty::Row(fields))
                .unwrap()
                .as_deref(),
            Some("{ingestiontime=null, channelarn=arn:x}")
        );
        assert!(render(ValueRef::Text(b"{oops"), Ty::Map).is_err());
    }
}
