//! SQLite SQL generation from a [`Plan`].
//!
//! The generated text contains only what this module writes: keywords, the `events` table, relation aliases
//! `t<n>`, output aliases `c<n>`, JSON paths built from the static schema and integer literals. Every string or
//! double that came from the statement (literals, map keys, patterns, event data store ids) is a bound
//! parameter, so the user's text never becomes SQLite SQL.

use std::fmt::Write as _;

use rusqlite::types::Value;

use super::functions as udf;
use super::ir::{
    Access, AggFunc, ArithOp, Body, CmpOp, Expr, Func, JoinKind, Literal, Plan, SelectPlan, SetOp, TimeField,
    TruncUnit,
};
use super::types::Ty;

/// Generated SQL with its parameters (`?1`, `?2`, … in order).
#[derive(Debug, Clone, Default)]
pub(crate) struct Sql {
    /// The SQL text.
    pub(crate) text: String,
    /// Values bound to `?1`, `?2`, ….
    pub(crate) params: Vec<Value>,
}

impl Sql {
    /// Binds `v` (reusing the number of an equal earlier value, so equal expressions stay textually equal) and
    /// writes its placeholder.
    fn bind(&mut self, v: Value) {
        let n = match self.params.iter().position(|p| *p == v) {
            Some(i) => i + 1,
            None => {
                self.params.push(v);
                self.params.len()
            }
        };
        let _ = write!(self.text, "?{n}");
    }

    fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }
}

/// Generates the SQLite statement for `plan`.
pub(crate) fn generate(plan: &Plan) -> Sql {
    let mut sql = Sql::default();
    body(&mut sql, plan, &plan.body, false);
    if !plan.order_by.is_empty() {
        sql.push(" ORDER BY ");
        for (i, term) in plan.order_by.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            expr(&mut sql, &term.expr);
            sql.push(if term.descending { " DESC" } else { " ASC" });
            sql.push(if term.nulls_first {
                " NULLS FIRST"
            } else {
                " NULLS LAST"
            });
        }
    }
    match (plan.limit, plan.offset) {
        (Some(l), Some(o)) => {
            let _ = write!(sql.text, " LIMIT {} OFFSET {}", clamp(l), clamp(o));
        }
        (Some(l), None) => {
            let _ = write!(sql.text, " LIMIT {}", clamp(l));
        }
        (None, Some(o)) => {
            let _ = write!(sql.text, " LIMIT -1 OFFSET {}", clamp(o));
        }
        (None, None) => {}
    }
    sql
}

/// SQLite's LIMIT is a signed 64-bit integer.
fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn body(sql: &mut Sql, plan: &Plan, b: &Body, nested_right: bool) {
    match b {
        Body::Select(s) => select(sql, plan, s),
        Body::SetOp { op, all, left, right } => {
            // SQLite evaluates compound operators left to right at one precedence; a set operation on the right
            // (Trino's INTERSECT binds tighter than UNION) becomes a subquery.
            if nested_right {
                sql.push("SELECT * FROM (");
            }
            body(sql, plan, left, false);
            sql.push(match (op, all) {
                (SetOp::Union, true) => " UNION ALL ",
                (SetOp::Union, false) => " UNION ",
                (SetOp::Intersect, _) => " INTERSECT ",
                (SetOp::Except, _) => " EXCEPT ",
            });
            body(sql, plan, right, true);
            if nested_right {
                sql.push(")");
            }
        }
    }
}

fn select(sql: &mut Sql, plan: &Plan, s: &SelectPlan) {
    sql.push(if s.distinct { "SELECT DISTINCT " } else { "SELECT " });
    for (i, item) in s.items.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        expr(sql, item);
        let _ = write!(sql.text, " AS c{i}");
    }
    let eds_id = |i: usize| {
        plan.relations
            .get(i)
            .map(|r| r.eds_id.clone())
            .unwrap_or_default()
    };
    if s.joins.is_empty() {
        let _ = write!(
            sql.text,
            " FROM events AS t{} WHERE t{}.eds_id = ",
            s.from, s.from
        );
        sql.bind(Value::Text(eds_id(s.from)));
        if let Some(f) = &s.filter {
            sql.push(" AND ");
            expr(sql, f);
        }
    } else {
        sql.push(" FROM ");
        derived(sql, s.from, eds_id(s.from));
        for (kind, rel, on) in &s.joins {
            sql.push(match kind {
                JoinKind::Inner => " JOIN ",
                JoinKind::Left => " LEFT JOIN ",
                JoinKind::Right => " RIGHT JOIN ",
                JoinKind::Full => " FULL JOIN ",
                JoinKind::Cross => " CROSS JOIN ",
            });
            derived(sql, *rel, eds_id(*rel));
            if let Some(on) = on {
                sql.push(" ON ");
                expr(sql, on);
            }
        }
        if let Some(f) = &s.filter {
            sql.push(" WHERE ");
            expr(sql, f);
        }
    }
    if !s.group_by.is_empty() {
        sql.push(" GROUP BY ");
        for (i, k) in s.group_by.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            expr(sql, k);
        }
    }
    if let Some(h) = &s.having {
        sql.push(" HAVING ");
        expr(sql, h);
    }
}

/// One event data store as a relation of a join.
fn derived(sql: &mut Sql, index: usize, eds_id: String) {
    sql.push("(SELECT * FROM events WHERE eds_id = ");
    sql.bind(Value::Text(eds_id));
    let _ = write!(sql.text, ") AS t{index}");
}

fn list(sql: &mut Sql, items: &[Expr]) {
    for (i, e) in items.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        expr(sql, e);
    }
}

fn expr(sql: &mut Sql, e: &Expr) {
    match e {
        Expr::Column { rel, access, .. } => match access {
            Access::Column(c) => {
                let _ = write!(sql.text, "t{rel}.{c}");
            }
            Access::JsonScalar(path) => {
                let _ = write!(sql.text, "json_extract(t{rel}.record, '{path}')");
            }
            Access::JsonObject(path) => {
                let _ = write!(sql.text, "(t{rel}.record -> '{path}')");
            }
        },
        Expr::MapGet { rel, path } => {
            // Strings unquoted, JSON null as NULL, anything else (numbers, booleans, objects, arrays) as its JSON
            // text; see SQL.md.
            let _ = write!(sql.text, "CASE json_type(t{rel}.record, ");
            sql.bind(Value::Text(path.clone()));
            sql.push(") WHEN 'null' THEN NULL WHEN 'text' THEN json_extract(");
            let _ = write!(sql.text, "t{rel}.record, ");
            sql.bind(Value::Text(path.clone()));
            let _ = write!(sql.text, ") ELSE (t{rel}.record -> ");
            sql.bind(Value::Text(path.clone()));
            sql.push(") END");
        }
        Expr::Literal(l) => literal(sql, l),
        Expr::Not(x) => {
            sql.push("(NOT ");
            expr(sql, x);
            sql.push(")");
        }
        Expr::And(a, b) | Expr::Or(a, b) => {
            sql.push("(");
            expr(sql, a);
            sql.push(if matches!(e, Expr::And(..)) {
                " AND "
            } else {
                " OR "
            });
            expr(sql, b);
            sql.push(")");
        }
        Expr::Compare { op, left, right } => {
            sql.push("(");
            expr(sql, left);
            sql.push(match op {
                CmpOp::Eq => " = ",
                CmpOp::NotEq => " <> ",
                CmpOp::Lt => " < ",
                CmpOp::LtEq => " <= ",
                CmpOp::Gt => " > ",
                CmpOp::GtEq => " >= ",
            });
            expr(sql, right);
            sql.push(")");
        }
        Expr::IsNull { expr: x, negated } => {
            sql.push("(");
            expr(sql, x);
            sql.push(if *negated { " IS NOT NULL)" } else { " IS NULL)" });
        }
        Expr::IsDistinct { left, right, negated } => {
            sql.push("(");
            expr(sql, left);
            // SQLite's IS / IS NOT are the null-safe comparisons.
            sql.push(if *negated { " IS " } else { " IS NOT " });
            expr(sql, right);
            sql.push(")");
        }
        Expr::InList {
            expr: x,
            list: items,
            negated,
        } => {
            sql.push("(");
            expr(sql, x);
            sql.push(if *negated { " NOT IN (" } else { " IN (" });
            list(sql, items);
            sql.push("))");
        }
        Expr::Between {
            expr: x,
            low,
            high,
            negated,
        } => {
            sql.push("(");
            expr(sql, x);
            sql.push(if *negated { " NOT BETWEEN " } else { " BETWEEN " });
            expr(sql, low);
            sql.push(" AND ");
            expr(sql, high);
            sql.push(")");
        }
        Expr::Glob {
            expr: x,
            pattern,
            negated,
        } => {
            sql.push("(");
            expr(sql, x);
            sql.push(if *negated { " NOT GLOB " } else { " GLOB " });
            sql.bind(Value::Text(pattern.clone()));
            sql.push(")");
        }
        Expr::Call { func, args } => call(sql, *func, args),
        Expr::Substr {
            expr: x,
            start,
            length,
        } => substr(sql, x, *start, *length),
        Expr::DateTrunc { unit, expr: x } => date_trunc(sql, *unit, x),
        Expr::Extract { field, expr: x } => extract(sql, *field, x),
        Expr::Case {
            operand,
            whens,
            otherwise,
        } => {
            sql.push("CASE");
            if let Some(o) = operand {
                sql.push(" ");
                expr(sql, o);
            }
            for (w, t) in whens {
                sql.push(" WHEN ");
                expr(sql, w);
                sql.push(" THEN ");
                expr(sql, t);
            }
            if let Some(o) = otherwise {
                sql.push(" ELSE ");
                expr(sql, o);
            }
            sql.push(" END");
        }
        Expr::Cast {
            expr: x,
            from,
            to,
            try_cast,
        } => cast(sql, x, *from, *to, *try_cast),
        Expr::Arith { op, left, right, ty } => arith(sql, *op, left, right, *ty),
        Expr::Negate {
            expr: x,
            ty: Ty::Double,
        } => {
            sql.push("(-");
            expr(sql, x);
            sql.push(")");
        }
        Expr::Negate { expr: x, ty } => arith(sql, ArithOp::Sub, &Expr::Literal(Literal::Int(0)), x, *ty),
        Expr::Aggregate { func, distinct, arg } => {
            sql.push(match func {
                AggFunc::Count => "count(",
                AggFunc::Min => "min(",
                AggFunc::Max => "max(",
                AggFunc::Sum => "sum(",
                AggFunc::Avg => "avg(",
            });
            match arg {
                None => sql.push("*"),
                Some(a) => {
                    if *distinct {
                        sql.push("DISTINCT ");
                    }
                    expr(sql, a);
                }
            }
            sql.push(")");
        }
        Expr::Output(i) => {
            let _ = write!(sql.text, "c{i}");
        }
    }
}

fn literal(sql: &mut Sql, l: &Literal) {
    match l {
        Literal::Null => sql.push("NULL"),
        Literal::Bool(b) => sql.push(if *b { "1" } else { "0" }),
        // Bound rather than written: SQLite reads a bare integer in GROUP BY / ORDER BY as a column position.
        Literal::Int(i) => sql.bind(Value::Integer(*i)),
        Literal::Double(d) => sql.bind(Value::Real(*d)),
        Literal::Text(t) | Literal::Timestamp(t) => sql.bind(Value::Text(t.clone())),
    }
}

fn call(sql: &mut Sql, func: Func, args: &[Expr]) {
    let simple = |sql: &mut Sql, name: &str, args: &[Expr]| {
        sql.push(name);
        sql.push("(");
        list(sql, args);
        sql.push(")");
    };
    match func {
        Func::Lower => simple(sql, udf::LOWER, args),
        Func::Upper => simple(sql, udf::UPPER, args),
        Func::Length => simple(sql, "length", args),
        Func::Strpos => simple(sql, "instr", args),
        Func::Replace => simple(sql, "replace", args),
        Func::NullIf => simple(sql, "nullif", args),
        Func::JsonExtractScalar => simple(sql, udf::JSON_EXTRACT_SCALAR, args),
        Func::Concat => {
            sql.push("(");
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    sql.push(" || ");
                }
                expr(sql, a);
            }
            sql.push(")");
        }
        // With one argument these are the argument itself (SQLite's one-argument min/max are aggregates).
        Func::Coalesce | Func::Greatest | Func::Least if args.len() == 1 => expr(sql, &args[0]),
        Func::Coalesce => simple(sql, "coalesce", args),
        Func::Greatest => simple(sql, "max", args),
        Func::Least => simple(sql, "min", args),
        Func::StartsWith => {
            if let [s, p] = args {
                sql.push("(substr(");
                expr(sql, s);
                sql.push(", 1, length(");
                expr(sql, p);
                sql.push(")) = ");
                expr(sql, p);
                sql.push(")");
            }
        }
    }
}

/// Trino's `substr`: 1-based; a negative start counts from the end and gives `''` before the beginning; a zero
/// start or a non-positive length gives `''`.
fn substr(sql: &mut Sql, x: &Expr, start: i64, length: Option<i64>) {
    if start == 0 || length.is_some_and(|l| l <= 0) {
        sql.push("CASE WHEN ");
        expr(sql, x);
        sql.push(" IS NULL THEN NULL ELSE '' END");
        return;
    }
    let args = |sql: &mut Sql| {
        sql.push("substr(");
        expr(sql, x);
        let _ = write!(sql.text, ", {start}");
        if let Some(l) = length {
            let _ = write!(sql.text, ", {l}");
        }
        sql.push(")");
    };
    if start > 0 {
        args(sql);
    } else {
        sql.push("CASE WHEN length(");
        expr(sql, x);
        let _ = write!(sql.text, ") + ({start}) < 0 THEN '' ELSE ");
        args(sql);
        sql.push(" END");
    }
}

/// `date_trunc` on the `YYYY-MM-DD HH:MM:SS.mmm` text.
fn date_trunc(sql: &mut Sql, unit: TruncUnit, x: &Expr) {
    let prefix = |sql: &mut Sql, len: u32, suffix: &str| {
        sql.push("(substr(");
        expr(sql, x);
        let _ = write!(sql.text, ", 1, {len}) || '{suffix}')");
    };
    match unit {
        TruncUnit::Second => prefix(sql, 19, ".000"),
        TruncUnit::Minute => prefix(sql, 16, ":00.000"),
        TruncUnit::Hour => prefix(sql, 13, ":00:00.000"),
        TruncUnit::Day => prefix(sql, 10, " 00:00:00.000"),
        TruncUnit::Month => prefix(sql, 7, "-01 00:00:00.000"),
        TruncUnit::Year => prefix(sql, 4, "-01-01 00:00:00.000"),
        TruncUnit::Quarter => {
            sql.push("(substr(");
            expr(sql, x);
            sql.push(", 1, 5) || CASE WHEN substr(");
            expr(sql, x);
            sql.push(", 6, 2) <= '03' THEN '01' WHEN substr(");
            expr(sql, x);
            sql.push(", 6, 2) <= '06' THEN '04' WHEN substr(");
            expr(sql, x);
            sql.push(", 6, 2) <= '09' THEN '07' ELSE '10' END || '-01 00:00:00.000')");
        }
        TruncUnit::Week => {
            // The Monday of the ISO week: back (weekday + 6) % 7 days, weekday 0 being Sunday.
            sql.push("(date(substr(");
            expr(sql, x);
            sql.push(", 1, 10), '-' || ((CAST(strftime('%w', substr(");
            expr(sql, x);
            sql.push(", 1, 10)) AS INTEGER) + 6) % 7) || ' days') || ' 00:00:00.000')");
        }
    }
}

fn extract(sql: &mut Sql, field: TimeField, x: &Expr) {
    let part = |sql: &mut Sql, from: u32, len: u32| {
        sql.push("CAST(substr(");
        expr(sql, x);
        let _ = write!(sql.text, ", {from}, {len}) AS INTEGER)");
    };
    match field {
        TimeField::Year => part(sql, 1, 4),
        TimeField::Month => part(sql, 6, 2),
        TimeField::Day => part(sql, 9, 2),
        TimeField::Hour => part(sql, 12, 2),
        TimeField::Minute => part(sql, 15, 2),
        TimeField::Second => part(sql, 18, 2),
        TimeField::Quarter => {
            sql.push("((");
            part(sql, 6, 2);
            sql.push(" + 2) / 3)");
        }
        TimeField::DayOfWeek => {
            sql.push("((CAST(strftime('%w', substr(");
            expr(sql, x);
            sql.push(", 1, 10)) AS INTEGER) + 6) % 7 + 1)");
        }
        TimeField::DayOfYear => {
            sql.push("CAST(strftime('%j', substr(");
            expr(sql, x);
            sql.push(", 1, 10)) AS INTEGER)");
        }
    }
}

fn cast(sql: &mut Sql, x: &Expr, from: Ty, to: Ty, try_cast: bool) {
    let udf_call = |sql: &mut Sql, name: &str, extra: &str| {
        sql.push(name);
        sql.push("(");
        expr(sql, x);
        let _ = write!(sql.text, ", {}{extra})", i32::from(try_cast));
    };
    match (from, to) {
        (f, t) if f == t => expr(sql, x),
        (Ty::Unknown, _) => sql.push("NULL"),
        (Ty::Timestamp, Ty::Varchar) => expr(sql, x),
        (Ty::Integer | Ty::Bigint, Ty::Varchar) | (Ty::Integer, Ty::Bigint) => {
            sql.push("CAST(");
            expr(sql, x);
            sql.push(if to == Ty::Varchar {
                " AS TEXT)"
            } else {
                " AS INTEGER)"
            });
        }
        (Ty::Boolean, Ty::Varchar) => {
            sql.push("CASE ");
            expr(sql, x);
            sql.push(" WHEN 1 THEN 'true' WHEN 0 THEN 'false' END");
        }
        (Ty::Boolean, Ty::Integer | Ty::Bigint | Ty::Double) => {
            sql.push("CASE ");
            expr(sql, x);
            sql.push(if to == Ty::Double {
                " WHEN 1 THEN 1.0 WHEN 0 THEN 0.0 END"
            } else {
                " WHEN 1 THEN 1 WHEN 0 THEN 0 END"
            });
        }
        (Ty::Integer | Ty::Bigint, Ty::Double) => {
            sql.push("CAST(");
            expr(sql, x);
            sql.push(" AS REAL)");
        }
        (_, Ty::Integer) => udf_call(sql, udf::CAST_INTEGER, ", 32"),
        (_, Ty::Bigint) => udf_call(sql, udf::CAST_INTEGER, ", 64"),
        (_, Ty::Double) => udf_call(sql, udf::CAST_DOUBLE, ""),
        (_, Ty::Timestamp) => udf_call(sql, udf::CAST_TIMESTAMP, ""),
        // The analyzer only lets the pairs above through.
        _ => sql.push("NULL"),
    }
}

/// Integer arithmetic goes through the checked UDF (Trino fails on overflow and division by zero); double
/// arithmetic is IEEE in both engines except division and remainder, which SQLite turns into NULL for a zero
/// divisor.
fn arith(sql: &mut Sql, op: ArithOp, left: &Expr, right: &Expr, ty: Ty) {
    let symbol = match op {
        ArithOp::Add => "+",
        ArithOp::Sub => "-",
        ArithOp::Mul => "*",
        ArithOp::Div => "/",
        ArithOp::Rem => "%",
    };
    match ty {
        Ty::Double if matches!(op, ArithOp::Add | ArithOp::Sub | ArithOp::Mul) => {
            // Promote an integer operand first: SQLite would otherwise do integer arithmetic on two integers.
            sql.push("(CAST(");
            expr(sql, left);
            let _ = write!(sql.text, " AS REAL) {symbol} ");
            expr(sql, right);
            sql.push(")");
        }
        _ => {
            let bits = if ty == Ty::Integer {
                32
            } else if ty == Ty::Double {
                0
            } else {
                64
            };
            let _ = write!(sql.text, "{}('{symbol}', {bits}, ", udf::ARITH);
            expr(sql, left);
            sql.push(", ");
            expr(sql, right);
            sql.push(")");
        }
    }
}
