//! The Lake SQL (Trino) types the translator checks expressions against.
//!
//! Trino rejects ill-typed expressions (comparing a varchar with a number, `sum` of a varchar, a non-boolean
//! `WHERE`) where SQLite would quietly coerce; the analyzer types every expression so that such statements are
//! rejected instead of answered wrongly.

use std::fmt;

use super::schema::Field;

/// A Lake SQL type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    /// `varchar`.
    Varchar,
    /// `timestamp(3)`, held as `YYYY-MM-DD HH:MM:SS.000` text.
    Timestamp,
    /// `date` (literals only; coerced to a timestamp at midnight where compared with one).
    Date,
    /// `integer` (32-bit).
    Integer,
    /// `bigint` (64-bit).
    Bigint,
    /// `double`.
    Double,
    /// `decimal` (literals only, accepted in comparisons with numbers).
    Decimal,
    /// `boolean`, held as SQLite 0/1.
    Boolean,
    /// `map(varchar, varchar)`, held as the JSON object text.
    Map,
    /// `row(...)` with these fields, held as the JSON object text.
    Row(&'static [Field]),
    /// The type of a bare `NULL`: compatible with every type.
    Unknown,
}

impl Ty {
    /// Integer, bigint, double (and decimal literals).
    pub(crate) fn is_numeric(self) -> bool {
        matches!(self, Self::Integer | Self::Bigint | Self::Double | Self::Decimal)
    }

    /// Integer or bigint.
    pub(crate) fn is_integral(self) -> bool {
        matches!(self, Self::Integer | Self::Bigint)
    }

    /// Whether `=`/`<>`/`IN`/`DISTINCT`/`GROUP BY` may use values of this type. Maps and rows are rejected: Trino
    /// compares them structurally, the JSON text they are held as would not.
    pub(crate) fn is_comparable(self) -> bool {
        !matches!(self, Self::Map | Self::Row(_))
    }

    /// The common type of two operands of a comparison, `CASE`, `COALESCE` or set operation, or `None` when
    /// Trino has no implicit coercion between them.
    pub(crate) fn common(self, other: Ty) -> Option<Ty> {
        use Ty::*;
        match (self, other) {
            (a, b) if a == b => Some(a),
            (Unknown, t) | (t, Unknown) => Some(t),
            (Integer, Bigint) | (Bigint, Integer) => Some(Bigint),
            (Double, t) | (t, Double) if t.is_numeric() => Some(Double),
            (Decimal, t) | (t, Decimal) if t.is_integral() => Some(Decimal),
            (Date, Timestamp) | (Timestamp, Date) => Some(Timestamp),
            _ => None,
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Varchar => "varchar",
            Self::Timestamp => "timestamp(3)",
            Self::Date => "date",
            Self::Integer => "integer",
            Self::Bigint => "bigint",
            Self::Double => "double",
            Self::Decimal => "decimal",
            Self::Boolean => "boolean",
            Self::Map => "map(varchar, varchar)",
            Self::Row(_) => "row",
            Self::Unknown => "unknown",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_types_follow_trino_coercions() {
        assert_eq!(Ty::Integer.common(Ty::Bigint), Some(Ty::Bigint));
        assert_eq!(Ty::Bigint.common(Ty::Double), Some(Ty::Double));
        assert_eq!(Ty::Unknown.common(Ty::Varchar), Some(Ty::Varchar));
        assert_eq!(Ty::Date.common(Ty::Timestamp), Some(Ty::Timestamp));
        assert_eq!(Ty::Varchar.common(Ty::Bigint), None);
        assert_eq!(Ty::Varchar.common(Ty::Timestamp), None);
        assert_eq!(Ty::Boolean.common(Ty::Integer), None);
    }
}
