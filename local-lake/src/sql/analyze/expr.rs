//! Expressions: AST → typed [`Expr`], rejecting what Trino would reject and what SQLite cannot reproduce.

use sqlparser::ast::{self, BinaryOperator, DataType, UnaryOperator, Value};

use super::super::error::QueryError;
use super::super::ir::{ArithOp, CmpOp, Expr, Literal};
use super::super::like::like_to_glob;
use super::super::timestamp::{normalize_date, normalize_timestamp};
use super::super::types::Ty;
use super::functions;
use super::scope::Scope;

/// Where an expression is analyzed.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ctx<'a> {
    /// Visible relations.
    pub(super) scope: Scope<'a>,
    /// Clause name for messages (`WHERE`, `GROUP BY`, …).
    pub(super) clause: &'static str,
    /// Whether aggregate calls are allowed here.
    pub(super) aggregates: bool,
    /// Inside an aggregate's argument (aggregates cannot nest).
    pub(super) in_aggregate: Option<&'static str>,
    /// Nesting depth of the expression being analyzed.
    pub(super) depth: usize,
}

/// Deepest expression nesting the local Lake translates. The generated SQL must stay within SQLite's
/// `SQLITE_MAX_EXPR_DEPTH` (1000), and the analysis runs on a bounded stack; a long `OR` chain is better written
/// as `IN (…)` anyway.
pub(crate) const MAX_EXPRESSION_DEPTH: usize = 200;

impl<'a> Ctx<'a> {
    /// A context for the top of an expression in `clause`.
    pub(super) fn new(scope: Scope<'a>, clause: &'static str, aggregates: bool) -> Self {
        Ctx {
            scope,
            clause,
            aggregates,
            in_aggregate: None,
            depth: 0,
        }
    }

    /// The context one level deeper, or an error past [`MAX_EXPRESSION_DEPTH`].
    fn deeper(self) -> Result<Self, QueryError> {
        if self.depth >= MAX_EXPRESSION_DEPTH {
            return Err(QueryError::invalid(format!(
                "the expression is nested more than {MAX_EXPRESSION_DEPTH} levels deep; write long OR chains as IN (…)"
            )));
        }
        Ok(Ctx {
            depth: self.depth + 1,
            ..self
        })
    }
}

type Typed = (Expr, Ty);

/// Analyzes an expression whose value is used as such (an output column, a function argument, …): decimal and
/// date literals, which only comparisons accept, are rejected.
pub(super) fn value(e: &ast::Expr, cx: Ctx<'_>) -> Result<Typed, QueryError> {
    let (expr, ty) = expr(e, cx)?;
    match ty {
        Ty::Decimal => Err(QueryError::invalid(format!(
            "the DECIMAL literal {e} is only supported in comparisons by the local Lake; write a DOUBLE such as {e}e0"
        ))),
        Ty::Date => Err(QueryError::invalid(format!(
            "the DATE literal {e} is only supported in comparisons with eventTime by the local Lake"
        ))),
        _ => Ok((expr, ty)),
    }
}

/// Analyzes a boolean condition (`WHERE`, `HAVING`, `ON`, `CASE WHEN`, operands of `AND`/`OR`/`NOT`).
pub(super) fn condition(e: &ast::Expr, cx: Ctx<'_>) -> Result<Expr, QueryError> {
    let (expr, ty) = value(e, cx)?;
    match ty {
        Ty::Boolean | Ty::Unknown => Ok(expr),
        other => Err(QueryError::invalid(format!(
            "{} must evaluate to a boolean: {e} is {other}",
            if cx.clause == "argument" {
                "this operand"
            } else {
                cx.clause
            }
        ))),
    }
}

/// Analyzes any expression (comparison operands may be decimal or date literals).
pub(super) fn expr(e: &ast::Expr, cx: Ctx<'_>) -> Result<Typed, QueryError> {
    use ast::Expr as A;
    let cx = cx.deeper()?;
    match e {
        A::Identifier(ident) => cx.scope.resolve(std::slice::from_ref(ident)),
        A::CompoundIdentifier(idents) => cx.scope.resolve(idents),
        A::Nested(inner) => expr(inner, cx),
        A::Value(v) => literal(&v.value, false),
        A::TypedString(ts) => typed_string(ts),
        A::UnaryOp { op, expr: inner } => unary(*op, inner, cx),
        A::BinaryOp { left, op, right } => binary(e, left, op, right, cx),
        A::IsNull(inner) | A::IsNotNull(inner) => {
            let (inner, _) = value(inner, cx)?;
            Ok((
                Expr::IsNull {
                    expr: Box::new(inner),
                    negated: matches!(e, A::IsNotNull(_)),
                },
                Ty::Boolean,
            ))
        }
        A::IsDistinctFrom(l, r) | A::IsNotDistinctFrom(l, r) => {
            let (left, right, _) = comparison(expr(l, cx)?, expr(r, cx)?, "IS DISTINCT FROM", e)?;
            let negated = matches!(e, A::IsNotDistinctFrom(..));
            Ok((
                Expr::IsDistinct {
                    left: Box::new(left),
                    right: Box::new(right),
                    negated,
                },
                Ty::Boolean,
            ))
        }
        A::InList {
            expr: lhs,
            list,
            negated,
        } => {
            let (mut lhs, mut lhs_ty) = expr(lhs, cx)?;
            let mut items = Vec::with_capacity(list.len());
            for item in list {
                let (l, r, common) = comparison((lhs, lhs_ty), expr(item, cx)?, "IN", e)?;
                lhs = l;
                lhs_ty = common;
                items.push(r);
            }
            // A timestamp-typed list may have turned string literals into timestamps; re-check the earlier ones.
            let items = items
                .into_iter()
                .map(|item| {
                    let ty = if matches!(item, Expr::Literal(Literal::Text(_))) {
                        Ty::Varchar
                    } else {
                        Ty::Unknown
                    };
                    coerce_literal((item, ty), lhs_ty).map(|(x, _)| x)
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok((
                Expr::InList {
                    expr: Box::new(lhs),
                    list: items,
                    negated: *negated,
                },
                Ty::Boolean,
            ))
        }
        A::Between {
            expr: x,
            negated,
            low,
            high,
        } => {
            let (x, x_ty) = expr(x, cx)?;
            let (x, low, common) = comparison((x, x_ty), expr(low, cx)?, "BETWEEN", e)?;
            let (x, high, _) = comparison((x, common), expr(high, cx)?, "BETWEEN", e)?;
            Ok((
                Expr::Between {
                    expr: Box::new(x),
                    low: Box::new(low),
                    high: Box::new(high),
                    negated: *negated,
                },
                Ty::Boolean,
            ))
        }
        A::Like {
            negated,
            any,
            expr: x,
            pattern,
            escape_char,
        } => {
            if *any {
                return Err(QueryError::unsupported("LIKE ANY"));
            }
            like(x, pattern, escape_char.as_deref(), *negated, cx)
        }
        A::ILike { .. } => Err(QueryError::invalid(
            "ILIKE is not a Trino operator; use lower(x) LIKE '…'",
        )),
        A::SimilarTo { .. } => Err(QueryError::unsupported("SIMILAR TO")),
        A::RLike { .. } => Err(QueryError::unsupported("RLIKE/REGEXP")),
        A::Function(f) => functions::call(f, cx),
        A::Case {
            operand,
            conditions,
            else_result,
            ..
        } => case(operand.as_deref(), conditions, else_result.as_deref(), cx),
        A::Cast {
            kind,
            expr: x,
            data_type,
            format,
        } => {
            if format.is_some() {
                return Err(QueryError::unsupported("CAST … FORMAT"));
            }
            let try_cast = match kind {
                ast::CastKind::Cast => false,
                ast::CastKind::TryCast => true,
                ast::CastKind::SafeCast => return Err(QueryError::unsupported("SAFE_CAST")),
                ast::CastKind::DoubleColon => {
                    return Err(QueryError::invalid(
                        "the :: cast is not Trino syntax; use CAST(x AS type)",
                    ));
                }
            };
            functions::cast(x, data_type, try_cast, cx)
        }
        A::Substring {
            expr: x,
            substring_from,
            substring_for,
            ..
        } => functions::substring(x, substring_from.as_deref(), substring_for.as_deref(), cx),
        A::Position { expr: needle, r#in } => functions::strpos(r#in, needle, cx),
        A::Extract { field, expr: x, .. } => functions::extract(field, x, cx),
        A::Interval(_) => Err(QueryError::unsupported("INTERVAL")),
        A::Subquery(_) | A::Exists { .. } | A::InSubquery { .. } => {
            Err(QueryError::unsupported("a subquery"))
        }
        A::CompoundFieldAccess { .. } => Err(QueryError::invalid(format!(
            "{e}: subscripts are not supported by the local Lake; read a map member with element_at(map, 'key')"
        ))),
        A::AtTimeZone { .. } => Err(QueryError::unsupported("AT TIME ZONE")),
        A::Trim { .. } => Err(QueryError::unsupported("trim()")),
        A::Ceil { .. } | A::Floor { .. } => Err(QueryError::unsupported(format!("{e}"))),
        A::Wildcard(_) | A::QualifiedWildcard(..) => Err(QueryError::invalid(format!(
            "* is only allowed as a whole SELECT item or in count(*), not in {e}"
        ))),
        A::Tuple(_) => Err(QueryError::unsupported("a row constructor (a, b)")),
        A::Array(_) => Err(QueryError::unsupported("an ARRAY constructor")),
        A::Lambda(_) => Err(QueryError::unsupported("a lambda expression")),
        A::GroupingSets(_) | A::Cube(_) | A::Rollup(_) => {
            Err(QueryError::unsupported("GROUPING SETS, CUBE and ROLLUP"))
        }
        other => Err(QueryError::unsupported(format!("the expression {other}"))),
    }
}

/// A literal value.
pub(super) fn literal(v: &Value, negative: bool) -> Result<Typed, QueryError> {
    Ok(match v {
        Value::Number(text, _) => {
            let signed = if negative {
                format!("-{text}")
            } else {
                text.clone()
            };
            number(&signed)?
        }
        Value::SingleQuotedString(s) if !negative => (Expr::Literal(Literal::Text(s.clone())), Ty::Varchar),
        Value::Boolean(b) if !negative => (Expr::Literal(Literal::Bool(*b)), Ty::Boolean),
        Value::Null if !negative => (Expr::Literal(Literal::Null), Ty::Unknown),
        Value::DoubleQuotedString(_) => {
            return Err(QueryError::invalid(format!(
                "{v} is an identifier in Trino (double quotes); write string literals in single quotes"
            )));
        }
        other if negative => {
            return Err(QueryError::invalid(format!(
                "unary minus cannot be applied to {other}"
            )));
        }
        other => return Err(QueryError::unsupported(format!("the literal {other}"))),
    })
}

/// A numeric literal with Trino's typing: integer (32-bit) or bigint without a point, decimal with a point,
/// double with an exponent.
fn number(text: &str) -> Result<Typed, QueryError> {
    let out_of_range = || QueryError::invalid(format!("numeric literal {text} is out of range"));
    if text.contains(['e', 'E']) {
        let v: f64 = text.parse().map_err(|_| out_of_range())?;
        if !v.is_finite() {
            return Err(out_of_range());
        }
        return Ok((Expr::Literal(Literal::Double(v)), Ty::Double));
    }
    if text.contains('.') {
        let v: f64 = text.parse().map_err(|_| out_of_range())?;
        // Exactly representable decimals only: a comparison with a rounded value could answer wrongly.
        let significant = text
            .trim_start_matches('-')
            .replace('.', "")
            .trim_start_matches('0')
            .len();
        if significant > 15 || !v.is_finite() {
            return Err(QueryError::unsupported(format!(
                "the DECIMAL literal {text} (more than 15 digits)"
            )));
        }
        return Ok((Expr::Literal(Literal::Double(v)), Ty::Decimal));
    }
    let v: i64 = text.parse().map_err(|_| out_of_range())?;
    let ty = if i32::try_from(v).is_ok() {
        Ty::Integer
    } else {
        Ty::Bigint
    };
    Ok((Expr::Literal(Literal::Int(v)), ty))
}

/// `TIMESTAMP '…'` and `DATE '…'`.
fn typed_string(ts: &ast::TypedString) -> Result<Typed, QueryError> {
    let text = match &ts.value.value {
        Value::SingleQuotedString(s) => s,
        other => return Err(QueryError::unsupported(format!("the literal {other}"))),
    };
    match &ts.data_type {
        DataType::Timestamp(None, ast::TimezoneInfo::None | ast::TimezoneInfo::WithoutTimeZone) => {
            let t = normalize_timestamp(text).map_err(QueryError::Invalid)?;
            Ok((Expr::Literal(Literal::Timestamp(t)), Ty::Timestamp))
        }
        DataType::Date => {
            let t = normalize_date(text).map_err(QueryError::Invalid)?;
            Ok((Expr::Literal(Literal::Timestamp(t)), Ty::Date))
        }
        other => Err(QueryError::unsupported(format!("the {other} literal"))),
    }
}

fn unary(op: UnaryOperator, inner: &ast::Expr, cx: Ctx<'_>) -> Result<Typed, QueryError> {
    match op {
        UnaryOperator::Not => {
            let inner = condition(
                inner,
                Ctx {
                    clause: "argument",
                    ..cx
                },
            )?;
            Ok((Expr::Not(Box::new(inner)), Ty::Boolean))
        }
        UnaryOperator::Minus => {
            if let ast::Expr::Value(v) = inner {
                return literal(&v.value, true);
            }
            let (x, ty) = value(inner, cx)?;
            if !matches!(ty, Ty::Integer | Ty::Bigint | Ty::Double) {
                return Err(QueryError::invalid(format!(
                    "unary minus cannot be applied to {ty}: -{inner}"
                )));
            }
            Ok((
                Expr::Negate {
                    expr: Box::new(x),
                    ty,
                },
                ty,
            ))
        }
        UnaryOperator::Plus => {
            let (x, ty) = expr(inner, cx)?;
            if !ty.is_numeric() {
                return Err(QueryError::invalid(format!(
                    "unary plus cannot be applied to {ty}: +{inner}"
                )));
            }
            Ok((x, ty))
        }
        other => Err(QueryError::unsupported(format!("the operator {other}"))),
    }
}

fn binary(
    whole: &ast::Expr,
    left: &ast::Expr,
    op: &BinaryOperator,
    right: &ast::Expr,
    cx: Ctx<'_>,
) -> Result<Typed, QueryError> {
    let cmp = match op {
        BinaryOperator::And | BinaryOperator::Or => {
            let arg = Ctx {
                clause: "argument",
                ..cx
            };
            let (l, r) = (Box::new(condition(left, arg)?), Box::new(condition(right, arg)?));
            let e = if matches!(op, BinaryOperator::And) {
                Expr::And(l, r)
            } else {
                Expr::Or(l, r)
            };
            return Ok((e, Ty::Boolean));
        }
        BinaryOperator::StringConcat => {
            return functions::concat(&[left, right], cx);
        }
        BinaryOperator::Plus => return arithmetic(whole, ArithOp::Add, left, right, cx),
        BinaryOperator::Minus => return arithmetic(whole, ArithOp::Sub, left, right, cx),
        BinaryOperator::Multiply => return arithmetic(whole, ArithOp::Mul, left, right, cx),
        BinaryOperator::Divide => return arithmetic(whole, ArithOp::Div, left, right, cx),
        BinaryOperator::Modulo => return arithmetic(whole, ArithOp::Rem, left, right, cx),
        BinaryOperator::Eq => CmpOp::Eq,
        BinaryOperator::NotEq => CmpOp::NotEq,
        BinaryOperator::Lt => CmpOp::Lt,
        BinaryOperator::LtEq => CmpOp::LtEq,
        BinaryOperator::Gt => CmpOp::Gt,
        BinaryOperator::GtEq => CmpOp::GtEq,
        other => return Err(QueryError::unsupported(format!("the operator {other}"))),
    };
    let (l, r, _) = comparison(expr(left, cx)?, expr(right, cx)?, &op.to_string(), whole)?;
    Ok((
        Expr::Compare {
            op: cmp,
            left: Box::new(l),
            right: Box::new(r),
        },
        Ty::Boolean,
    ))
}

/// Types the two operands of a comparison: a string literal compared with a timestamp becomes a timestamp
/// literal (Lake's documented `eventTime >= '2023-01-05 13:51:00'`), then both sides need a common, comparable
/// type. Returns the operands and their common type.
pub(super) fn comparison(
    left: Typed,
    right: Typed,
    op: &str,
    whole: &ast::Expr,
) -> Result<(Expr, Expr, Ty), QueryError> {
    let (l, lt) = coerce_literal(left, right.1)?;
    let (r, rt) = coerce_literal(right, lt)?;
    let common = lt.common(rt).filter(|t| t.is_comparable()).ok_or_else(|| {
        let hint = if lt == Ty::Timestamp || rt == Ty::Timestamp {
            "; compare eventTime with a string literal ('2023-01-05 13:51:00') or a TIMESTAMP literal"
        } else {
            ""
        };
        QueryError::invalid(format!(
            "'{op}' cannot be applied to {lt} and {rt} (in {whole}){hint}"
        ))
    })?;
    Ok((l, r, common))
}

/// Turns a string literal into a timestamp literal when it is compared with a timestamp.
fn coerce_literal((e, ty): Typed, other: Ty) -> Result<Typed, QueryError> {
    match (&e, ty, other) {
        (Expr::Literal(Literal::Text(text)), Ty::Varchar, Ty::Timestamp | Ty::Date) => {
            let t = normalize_timestamp(text).map_err(QueryError::Invalid)?;
            Ok((Expr::Literal(Literal::Timestamp(t)), Ty::Timestamp))
        }
        _ => Ok((e, ty)),
    }
}

fn like(
    x: &ast::Expr,
    pattern: &ast::Expr,
    escape: Option<&ast::Expr>,
    negated: bool,
    cx: Ctx<'_>,
) -> Result<Typed, QueryError> {
    let (x, ty) = value(x, cx)?;
    if !matches!(ty, Ty::Varchar | Ty::Unknown) {
        return Err(QueryError::invalid(format!("LIKE cannot be applied to {ty}")));
    }
    let pattern = string_literal(pattern).ok_or_else(|| {
        QueryError::unsupported(format!(
            "LIKE with a pattern that is not a string literal ({pattern})"
        ))
    })?;
    let escape = match escape {
        None => None,
        Some(e) => {
            let text = string_literal(e).ok_or_else(|| {
                QueryError::invalid(format!("the LIKE escape must be a string literal, not {e}"))
            })?;
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Some(c),
                _ => return Err(QueryError::invalid("Escape string must be a single character")),
            }
        }
    };
    let glob = like_to_glob(&pattern, escape).map_err(QueryError::Invalid)?;
    Ok((
        Expr::Glob {
            expr: Box::new(x),
            pattern: glob,
            negated,
        },
        Ty::Boolean,
    ))
}

/// The text of a single-quoted string literal.
pub(super) fn string_literal(e: &ast::Expr) -> Option<String> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) => Some(s.clone()),
            _ => None,
        },
        ast::Expr::Nested(inner) => string_literal(inner),
        _ => None,
    }
}

/// An integer written as a plain number (possibly parenthesized): a position in `GROUP BY` / `ORDER BY`.
pub(super) fn position_literal(e: &ast::Expr) -> Option<Result<usize, ()>> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            Value::Number(n, _) if n.bytes().all(|b| b.is_ascii_digit()) => {
                Some(n.parse::<usize>().ok().and_then(|n| n.checked_sub(1)).ok_or(()))
            }
            _ => None,
        },
        ast::Expr::Nested(inner) => position_literal(inner),
        _ => None,
    }
}

/// An integer literal (optionally negative).
pub(super) fn integer_literal(e: &ast::Expr) -> Option<i64> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        ast::Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => integer_literal(expr).and_then(i64::checked_neg),
        ast::Expr::Nested(inner) => integer_literal(inner),
        _ => None,
    }
}

fn case(
    operand: Option<&ast::Expr>,
    conditions: &[ast::CaseWhen],
    otherwise: Option<&ast::Expr>,
    cx: Ctx<'_>,
) -> Result<Typed, QueryError> {
    let mut result_ty = Ty::Unknown;
    let mut whens = Vec::with_capacity(conditions.len());
    let operand = match operand {
        Some(op) => Some(value(op, cx)?),
        None => None,
    };
    let unify = |acc: Ty, e: &ast::Expr, ty: Ty| {
        acc.common(ty).ok_or_else(|| {
            QueryError::invalid(format!(
                "all CASE results must have the same type: {e} is {ty}, not {acc}"
            ))
        })
    };
    for w in conditions {
        let cond = match &operand {
            Some((op_expr, op_ty)) => {
                let whole = &w.condition;
                let (_, when, _) =
                    comparison((op_expr.clone(), *op_ty), expr(&w.condition, cx)?, "CASE", whole)?;
                when
            }
            None => condition(
                &w.condition,
                Ctx {
                    clause: "CASE WHEN",
                    ..cx
                },
            )?,
        };
        let (result, ty) = value(&w.result, cx)?;
        result_ty = unify(result_ty, &w.result, ty)?;
        whens.push((cond, result));
    }
    let otherwise = match otherwise {
        Some(e) => {
            let (x, ty) = value(e, cx)?;
            result_ty = unify(result_ty, e, ty)?;
            Some(Box::new(x))
        }
        None => None,
    };
    let operand = operand.map(|(e, _)| Box::new(e));
    Ok((
        Expr::Case {
            operand,
            whens,
            otherwise,
        },
        result_ty,
    ))
}

/// `+ - * / %` on numbers, with Trino's result types: integer op integer is integer (32-bit, overflow is an
/// error), with a bigint it is bigint, with a double it is double.
fn arithmetic(
    whole: &ast::Expr,
    op: ArithOp,
    left: &ast::Expr,
    right: &ast::Expr,
    cx: Ctx<'_>,
) -> Result<Typed, QueryError> {
    let (l, lt) = value(left, cx)?;
    let (r, rt) = value(right, cx)?;
    let ty = match (lt, rt) {
        (Ty::Unknown, Ty::Unknown) => Ty::Integer,
        (Ty::Unknown, t) | (t, Ty::Unknown) if matches!(t, Ty::Integer | Ty::Bigint | Ty::Double) => t,
        (a, b)
            if matches!(a, Ty::Integer | Ty::Bigint | Ty::Double)
                && matches!(b, Ty::Integer | Ty::Bigint | Ty::Double) =>
        {
            a.common(b).unwrap_or(Ty::Double)
        }
        (Ty::Timestamp, _) | (_, Ty::Timestamp) => {
            return Err(QueryError::unsupported(format!("timestamp arithmetic ({whole})")));
        }
        _ => {
            return Err(QueryError::invalid(format!(
                "'{}' cannot be applied to {lt} and {rt} (in {whole})",
                match op {
                    ArithOp::Add => "+",
                    ArithOp::Sub => "-",
                    ArithOp::Mul => "*",
                    ArithOp::Div => "/",
                    ArithOp::Rem => "%",
                }
            )));
        }
    };
    Ok((
        Expr::Arith {
            op,
            left: Box::new(l),
            right: Box::new(r),
            ty,
        },
        ty,
    ))
}
