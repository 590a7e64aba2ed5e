//! Function calls, `CAST`, `substring`, `position` and `extract`: the Trino functions with a faithful SQLite
//! translation. Every other function is rejected by name.

use sqlparser::ast::{self, DataType, DateTimeField, FunctionArg, FunctionArgExpr, FunctionArguments};

use super::super::error::QueryError;
use super::super::ir::{AggFunc, Expr, Func, Literal, TimeField, TruncUnit};
use super::super::json::parse_path;
use super::super::timestamp::normalize_timestamp;
use super::super::types::Ty;
use super::expr::{Ctx, integer_literal, string_literal, value};

type Typed = (Expr, Ty);

/// A function call.
pub(super) fn call(f: &ast::Function, cx: Ctx<'_>) -> Result<Typed, QueryError> {
    let ast::Function {
        name,
        uses_odbc_syntax,
        parameters,
        args,
        within_group,
        filter,
        null_treatment,
        over,
    } = f;
    let name = match name.0.as_slice() {
        [ast::ObjectNamePart::Identifier(id)] => id.value.to_ascii_lowercase(),
        _ => return Err(QueryError::unsupported(format!("the function {name}"))),
    };
    if over.is_some() {
        return Err(QueryError::unsupported(format!("the window function {f} (OVER)")));
    }
    if filter.is_some() {
        return Err(QueryError::unsupported(format!("FILTER (WHERE …) in {f}")));
    }
    if !within_group.is_empty() || null_treatment.is_some() || *uses_odbc_syntax {
        return Err(QueryError::unsupported(format!("the call {f}")));
    }
    if !matches!(parameters, FunctionArguments::None) {
        return Err(QueryError::unsupported(format!("the call {f}")));
    }
    let (distinct, raw_args) = match args {
        FunctionArguments::None => return Err(QueryError::unsupported(format!("the function {f}"))),
        FunctionArguments::Subquery(_) => return Err(QueryError::unsupported("a subquery")),
        FunctionArguments::List(list) => {
            if !list.clauses.is_empty() {
                return Err(QueryError::unsupported(format!("the clauses inside {f}")));
            }
            (
                matches!(list.duplicate_treatment, Some(ast::DuplicateTreatment::Distinct)),
                &list.args,
            )
        }
    };
    let agg = match name.as_str() {
        "count" => Some(AggFunc::Count),
        "min" => Some(AggFunc::Min),
        "max" => Some(AggFunc::Max),
        "sum" => Some(AggFunc::Sum),
        "avg" => Some(AggFunc::Avg),
        _ => None,
    };
    if let Some(agg) = agg {
        return aggregate(f, &name, agg, distinct, raw_args, cx);
    }
    if distinct {
        return Err(QueryError::invalid(format!(
            "DISTINCT is only allowed in aggregate functions, not in {f}"
        )));
    }
    let mut args = Vec::with_capacity(raw_args.len());
    for a in raw_args {
        match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => args.push(e),
            _ => return Err(QueryError::invalid(format!("unexpected argument {a} in {f}"))),
        }
    }
    scalar(f, &name, &args, cx)
}

fn aggregate(
    f: &ast::Function,
    name: &str,
    func: AggFunc,
    distinct: bool,
    raw_args: &[FunctionArg],
    cx: Ctx<'_>,
) -> Result<Typed, QueryError> {
    if let Some(outer) = cx.in_aggregate {
        return Err(QueryError::invalid(format!(
            "Cannot nest aggregations inside aggregation '{outer}': {f}"
        )));
    }
    if !cx.aggregates {
        return Err(QueryError::invalid(format!(
            "{} clause cannot contain aggregations: {f}",
            cx.clause
        )));
    }
    let inner = Ctx {
        in_aggregate: Some(static_name(func)),
        ..cx
    };
    let arg = match raw_args {
        [FunctionArg::Unnamed(FunctionArgExpr::Wildcard)] if func == AggFunc::Count && !distinct => None,
        [FunctionArg::Unnamed(FunctionArgExpr::Expr(e))] => Some(value(e, inner)?),
        _ => {
            return Err(QueryError::invalid(format!(
                "{name} takes exactly one argument: {f}"
            )));
        }
    };
    let ty = match (func, &arg) {
        (AggFunc::Count, _) => Ty::Bigint,
        (_, None) => Ty::Bigint,
        (AggFunc::Min | AggFunc::Max, Some((_, t))) if t.is_comparable() => *t,
        (AggFunc::Sum, Some((_, Ty::Integer | Ty::Bigint))) => Ty::Bigint,
        (AggFunc::Sum, Some((_, Ty::Double)))
        | (AggFunc::Avg, Some((_, Ty::Integer | Ty::Bigint | Ty::Double))) => Ty::Double,
        (_, Some((_, t))) => {
            return Err(QueryError::invalid(format!(
                "Unexpected parameters ({t}) for function {name}: {f}"
            )));
        }
    };
    if distinct && arg.as_ref().is_some_and(|(_, t)| !t.is_comparable()) {
        return Err(QueryError::unsupported(format!(
            "DISTINCT over a map or row value ({f})"
        )));
    }
    Ok((
        Expr::Aggregate {
            func,
            distinct,
            arg: arg.map(|(e, _)| Box::new(e)),
        },
        ty,
    ))
}

fn static_name(func: AggFunc) -> &'static str {
    match func {
        AggFunc::Count => "count",
        AggFunc::Min => "min",
        AggFunc::Max => "max",
        AggFunc::Sum => "sum",
        AggFunc::Avg => "avg",
    }
}

/// The error Trino gives for a call whose argument types match no signature.
fn signature_error(name: &str, types: &[Ty]) -> QueryError {
    let list = types.iter().map(Ty::to_string).collect::<Vec<_>>().join(", ");
    QueryError::invalid(format!("Unexpected parameters ({list}) for function {name}"))
}

fn scalar(f: &ast::Function, name: &str, args: &[&ast::Expr], cx: Ctx<'_>) -> Result<Typed, QueryError> {
    match name {
        "element_at" => return element_at(args, cx),
        "json_extract_scalar" => return json_extract_scalar(args, cx),
        "concat" => return concat(args, cx),
        "substr" | "substring" => {
            return match args {
                [s, start] => substring(s, Some(start), None, cx),
                [s, start, len] => substring(s, Some(start), Some(len), cx),
                _ => Err(QueryError::invalid(format!("{name} takes 2 or 3 arguments: {f}"))),
            };
        }
        "strpos" => {
            return match args {
                [s, sub] => strpos(s, sub, cx),
                _ => Err(QueryError::invalid(format!("strpos takes 2 arguments: {f}"))),
            };
        }
        "replace" => return replace(f, args, cx),
        "date_trunc" => return date_trunc(f, args, cx),
        _ => {}
    }
    if let Some(field) = time_function(name) {
        return match args {
            [x] => extract_field(field, x, cx),
            _ => Err(QueryError::invalid(format!("{name} takes 1 argument: {f}"))),
        };
    }
    let typed = args.iter().map(|a| value(a, cx)).collect::<Result<Vec<_>, _>>()?;
    let types: Vec<Ty> = typed.iter().map(|(_, t)| *t).collect();
    let exprs = || typed.iter().map(|(e, _)| e.clone()).collect::<Vec<_>>();
    let is_text = |t: &Ty| matches!(t, Ty::Varchar | Ty::Unknown);
    let (func, ty) = match name {
        "lower" | "upper" | "length" => {
            if types.len() != 1 || !is_text(&types[0]) {
                return Err(signature_error(name, &types));
            }
            match name {
                "lower" => (Func::Lower, Ty::Varchar),
                "upper" => (Func::Upper, Ty::Varchar),
                _ => (Func::Length, Ty::Bigint),
            }
        }
        "starts_with" => {
            if types.len() != 2 || !types.iter().all(is_text) {
                return Err(signature_error(name, &types));
            }
            (Func::StartsWith, Ty::Boolean)
        }
        "coalesce" | "greatest" | "least" | "nullif" => {
            let common = types.iter().try_fold(Ty::Unknown, |acc, t| acc.common(*t));
            let common = match common {
                Some(t) if !types.is_empty() && (name == "coalesce" || t.is_comparable()) => t,
                _ => return Err(signature_error(name, &types)),
            };
            match name {
                "coalesce" => (Func::Coalesce, common),
                "greatest" => (Func::Greatest, common),
                "least" => (Func::Least, common),
                _ => {
                    if types.len() != 2 {
                        return Err(signature_error(name, &types));
                    }
                    (Func::NullIf, types[0])
                }
            }
        }
        _ => {
            return Err(QueryError::invalid(format!(
                "function {name}() is not supported by the local Lake"
            )));
        }
    };
    Ok((Expr::Call { func, args: exprs() }, ty))
}

/// `element_at(map, 'key')`: the first argument must be one of the map columns, the key a string literal.
fn element_at(args: &[&ast::Expr], cx: Ctx<'_>) -> Result<Typed, QueryError> {
    let [map, key] = args else {
        return Err(QueryError::invalid(
            "element_at takes 2 arguments: element_at(map, 'key')",
        ));
    };
    let (map_expr, map_ty) = value(map, cx)?;
    let (rel, path) = match (&map_expr, map_ty) {
        (
            Expr::Column {
                rel,
                access: super::super::ir::Access::JsonObject(path),
                ..
            },
            Ty::Map,
        ) => (*rel, path),
        _ => {
            let key_ty = value(key, cx).map_or(Ty::Unknown, |(_, t)| t);
            return Err(QueryError::invalid(format!(
                "Unexpected parameters ({map_ty}, {key_ty}) for function element_at: its first argument must be a \
                 map column (eventData.requestParameters, eventData.responseElements, \
                 eventData.additionalEventData or eventData.userIdentity.details)"
            )));
        }
    };
    let key = string_literal(key).ok_or_else(|| {
        QueryError::unsupported(format!(
            "element_at with a key that is not a string literal ({key})"
        ))
    })?;
    // The key is JSON-quoted in the path, so any key (dots, quotes, Unicode) selects exactly that member.
    let quoted = serde_json::to_string(&key).map_err(|e| QueryError::invalid(e.to_string()))?;
    Ok((
        Expr::MapGet {
            rel,
            path: format!("{path}.{quoted}"),
        },
        Ty::Varchar,
    ))
}

/// `json_extract_scalar(varchar, 'path')`.
fn json_extract_scalar(args: &[&ast::Expr], cx: Ctx<'_>) -> Result<Typed, QueryError> {
    let [json, path] = args else {
        return Err(QueryError::invalid(
            "json_extract_scalar takes 2 arguments: json_extract_scalar(json, '$.path')",
        ));
    };
    let (json, ty) = value(json, cx)?;
    if !matches!(ty, Ty::Varchar | Ty::Unknown) {
        return Err(QueryError::invalid(format!(
            "Unexpected parameters ({ty}, varchar) for function json_extract_scalar: its first argument must be a \
             varchar holding JSON{}",
            if ty == Ty::Map {
                " (read a map member with element_at(map, 'key') first)"
            } else {
                ""
            }
        )));
    }
    let path_text = string_literal(path).ok_or_else(|| {
        QueryError::unsupported(format!(
            "json_extract_scalar with a path that is not a string literal ({path})"
        ))
    })?;
    let segments = parse_path(&path_text).map_err(QueryError::Invalid)?;
    let encoded = serde_json::to_string(&segments).map_err(|e| QueryError::invalid(e.to_string()))?;
    Ok((
        Expr::Call {
            func: Func::JsonExtractScalar,
            args: vec![json, Expr::Literal(Literal::Text(encoded))],
        },
        Ty::Varchar,
    ))
}

/// `concat(a, b, …)` and `a || b`: varchars only, as in Trino.
pub(super) fn concat(args: &[&ast::Expr], cx: Ctx<'_>) -> Result<Typed, QueryError> {
    let typed = args.iter().map(|a| value(a, cx)).collect::<Result<Vec<_>, _>>()?;
    let types: Vec<Ty> = typed.iter().map(|(_, t)| *t).collect();
    if typed.len() < 2 {
        return Err(QueryError::invalid(
            "There must be two or more concatenation arguments",
        ));
    }
    if !types.iter().all(|t| matches!(t, Ty::Varchar | Ty::Unknown)) {
        return Err(signature_error("concat", &types));
    }
    Ok((
        Expr::Call {
            func: Func::Concat,
            args: typed.into_iter().map(|(e, _)| e).collect(),
        },
        Ty::Varchar,
    ))
}

/// `substr(s, start[, length])` / `substring(s FROM start [FOR length])` with integer-literal positions.
pub(super) fn substring(
    s: &ast::Expr,
    start: Option<&ast::Expr>,
    length: Option<&ast::Expr>,
    cx: Ctx<'_>,
) -> Result<Typed, QueryError> {
    let (s, ty) = value(s, cx)?;
    if !matches!(ty, Ty::Varchar | Ty::Unknown) {
        return Err(signature_error("substr", &[ty]));
    }
    let literal = |e: Option<&ast::Expr>| -> Result<Option<i64>, QueryError> {
        match e {
            None => Ok(None),
            Some(e) => integer_literal(e).map(Some).ok_or_else(|| {
                QueryError::unsupported(format!(
                    "substr with a position or length that is not an integer literal ({e})"
                ))
            }),
        }
    };
    let start = literal(start)?.ok_or_else(|| QueryError::invalid("substring needs a start position"))?;
    let length = literal(length)?;
    Ok((
        Expr::Substr {
            expr: Box::new(s),
            start,
            length,
        },
        Ty::Varchar,
    ))
}

/// `strpos(s, sub)` / `position(sub IN s)`.
pub(super) fn strpos(s: &ast::Expr, sub: &ast::Expr, cx: Ctx<'_>) -> Result<Typed, QueryError> {
    let (s, st) = value(s, cx)?;
    let (sub, subt) = value(sub, cx)?;
    if !matches!(st, Ty::Varchar | Ty::Unknown) || !matches!(subt, Ty::Varchar | Ty::Unknown) {
        return Err(signature_error("strpos", &[st, subt]));
    }
    Ok((
        Expr::Call {
            func: Func::Strpos,
            args: vec![s, sub],
        },
        Ty::Bigint,
    ))
}

/// `replace(s, search[, replacement])` with a non-empty literal search string (Trino inserts the replacement
/// between every character for an empty one; SQLite does nothing).
fn replace(f: &ast::Function, args: &[&ast::Expr], cx: Ctx<'_>) -> Result<Typed, QueryError> {
    let (s, search, replacement) = match args {
        [s, search] => (s, search, None),
        [s, search, r] => (s, search, Some(r)),
        _ => {
            return Err(QueryError::invalid(format!(
                "replace takes 2 or 3 arguments: {f}"
            )));
        }
    };
    let search_text = string_literal(search).ok_or_else(|| {
        QueryError::unsupported(format!(
            "replace with a search value that is not a string literal ({search})"
        ))
    })?;
    if search_text.is_empty() {
        return Err(QueryError::unsupported("replace with an empty search string"));
    }
    let (s, st) = value(s, cx)?;
    let (r, rt) = match replacement {
        Some(r) => value(r, cx)?,
        None => (Expr::Literal(Literal::Text(String::new())), Ty::Varchar),
    };
    if !matches!(st, Ty::Varchar | Ty::Unknown) || !matches!(rt, Ty::Varchar | Ty::Unknown) {
        return Err(signature_error("replace", &[st, Ty::Varchar, rt]));
    }
    Ok((
        Expr::Call {
            func: Func::Replace,
            args: vec![s, Expr::Literal(Literal::Text(search_text)), r],
        },
        Ty::Varchar,
    ))
}

/// `date_trunc('unit', timestamp)`.
fn date_trunc(f: &ast::Function, args: &[&ast::Expr], cx: Ctx<'_>) -> Result<Typed, QueryError> {
    let [unit, ts] = args else {
        return Err(QueryError::invalid(format!("date_trunc takes 2 arguments: {f}")));
    };
    let unit_text = string_literal(unit).ok_or_else(|| {
        QueryError::unsupported(format!(
            "date_trunc with a unit that is not a string literal ({unit})"
        ))
    })?;
    let unit = match unit_text.to_ascii_lowercase().as_str() {
        "second" => TruncUnit::Second,
        "minute" => TruncUnit::Minute,
        "hour" => TruncUnit::Hour,
        "day" => TruncUnit::Day,
        "week" => TruncUnit::Week,
        "month" => TruncUnit::Month,
        "quarter" => TruncUnit::Quarter,
        "year" => TruncUnit::Year,
        other => {
            return Err(QueryError::invalid(format!(
                "'{other}' is not a valid TIMESTAMP field for date_trunc"
            )));
        }
    };
    let (ts, ty) = value(ts, cx)?;
    if !matches!(ty, Ty::Timestamp | Ty::Unknown) {
        return Err(QueryError::invalid(format!(
            "Unexpected parameters (varchar, {ty}) for function date_trunc: the value must be a timestamp such as \
             eventTime"
        )));
    }
    Ok((
        Expr::DateTrunc {
            unit,
            expr: Box::new(ts),
        },
        Ty::Timestamp,
    ))
}

/// `year(ts)`, `month(ts)`, … → the field they extract.
fn time_function(name: &str) -> Option<TimeField> {
    Some(match name {
        "year" => TimeField::Year,
        "quarter" => TimeField::Quarter,
        "month" => TimeField::Month,
        "day" | "day_of_month" => TimeField::Day,
        "day_of_week" | "dow" => TimeField::DayOfWeek,
        "day_of_year" | "doy" => TimeField::DayOfYear,
        "hour" => TimeField::Hour,
        "minute" => TimeField::Minute,
        "second" => TimeField::Second,
        _ => return None,
    })
}

/// `EXTRACT(field FROM ts)`.
pub(super) fn extract(field: &DateTimeField, x: &ast::Expr, cx: Ctx<'_>) -> Result<Typed, QueryError> {
    let field = match field {
        DateTimeField::Year => TimeField::Year,
        DateTimeField::Quarter => TimeField::Quarter,
        DateTimeField::Month => TimeField::Month,
        DateTimeField::Day => TimeField::Day,
        DateTimeField::DayOfWeek | DateTimeField::Dow => TimeField::DayOfWeek,
        DateTimeField::DayOfYear | DateTimeField::Doy => TimeField::DayOfYear,
        DateTimeField::Hour => TimeField::Hour,
        DateTimeField::Minute => TimeField::Minute,
        DateTimeField::Second => TimeField::Second,
        other => return Err(QueryError::unsupported(format!("EXTRACT({other} FROM …)"))),
    };
    extract_field(field, x, cx)
}

fn extract_field(field: TimeField, x: &ast::Expr, cx: Ctx<'_>) -> Result<Typed, QueryError> {
    let (e, ty) = value(x, cx)?;
    if !matches!(ty, Ty::Timestamp | Ty::Unknown) {
        return Err(QueryError::invalid(format!(
            "cannot extract a date field from {ty} ({x}); only timestamps such as eventTime have date fields"
        )));
    }
    Ok((
        Expr::Extract {
            field,
            expr: Box::new(e),
        },
        Ty::Bigint,
    ))
}

/// `CAST(x AS type)` / `TRY_CAST(x AS type)` between the types with exact semantics in the local Lake.
pub(super) fn cast(x: &ast::Expr, to: &DataType, try_cast: bool, cx: Ctx<'_>) -> Result<Typed, QueryError> {
    let target = match to {
        DataType::Varchar(None) | DataType::String(None) | DataType::CharacterVarying(None) => Ty::Varchar,
        DataType::BigInt(None) => Ty::Bigint,
        DataType::Int(None) | DataType::Integer(None) => Ty::Integer,
        DataType::Double(ast::ExactNumberInfo::None) | DataType::DoublePrecision => Ty::Double,
        DataType::Boolean | DataType::Bool => Ty::Boolean,
        DataType::Timestamp(None, ast::TimezoneInfo::None | ast::TimezoneInfo::WithoutTimeZone)
        | DataType::Timestamp(Some(3), ast::TimezoneInfo::None | ast::TimezoneInfo::WithoutTimeZone) => {
            Ty::Timestamp
        }
        other => return Err(QueryError::unsupported(format!("CAST to {other}"))),
    };
    // A string literal cast to a timestamp is a timestamp literal.
    if target == Ty::Timestamp
        && let Some(text) = string_literal(x)
    {
        return match normalize_timestamp(&text) {
            Ok(t) => Ok((Expr::Literal(Literal::Timestamp(t)), Ty::Timestamp)),
            Err(_) if try_cast => Ok((Expr::Literal(Literal::Null), Ty::Timestamp)),
            Err(msg) => Err(QueryError::Invalid(msg)),
        };
    }
    let (e, from) = value(x, cx)?;
    let supported = from == target
        || from == Ty::Unknown
        || matches!(
            (from, target),
            (
                Ty::Integer | Ty::Bigint | Ty::Boolean | Ty::Timestamp,
                Ty::Varchar
            ) | (
                Ty::Varchar | Ty::Integer | Ty::Bigint | Ty::Double | Ty::Boolean,
                Ty::Integer | Ty::Bigint
            ) | (Ty::Varchar | Ty::Integer | Ty::Bigint | Ty::Boolean, Ty::Double)
                | (Ty::Varchar, Ty::Timestamp)
        );
    if !supported {
        return Err(QueryError::unsupported(format!("CAST from {from} to {target}")));
    }
    Ok((
        Expr::Cast {
            expr: Box::new(e),
            from,
            to: target,
            try_cast,
        },
        target,
    ))
}
