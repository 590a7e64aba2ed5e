//! Analysis: parses a Lake SQL statement and turns it into a typed [`Plan`], rejecting everything the local
//! Lake cannot answer exactly as Lake (Trino) would.
//!
//! Cut by clause: `scope` resolves names against the schema, `expr` types expressions, `functions` handles
//! calls, `select` one `SELECT` block; this file handles the statement, set operations, `ORDER BY` and `LIMIT`.

mod expr;
mod functions;
mod scope;
mod select;

use sqlparser::ast::{self, SetExpr, SetOperator, SetQuantifier, Statement};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

use super::error::QueryError;
use super::ir::{Body, Expr, OrderTerm, Plan, Relation, SetOp};
use super::prepass::quote_table_ids;
use super::types::Ty;
use expr::{Ctx, integer_literal, position_literal, value};
use scope::Scope;
use select::{SelectOut, check_grouped, select};

/// Nesting depth the parser accepts before it reports an error (instead of overflowing the stack).
const PARSER_RECURSION_LIMIT: usize = 50;

/// The analyzed statement.
#[derive(Debug)]
pub(crate) struct Analysis {
    /// The typed plan.
    pub(crate) plan: Plan,
    /// Output column names as Lake reports them.
    pub(crate) columns: Vec<String>,
}

/// Parses and analyzes one Lake SQL statement.
pub(crate) fn analyze(statement: &str) -> Result<Analysis, QueryError> {
    let quoted = quote_table_ids(statement);
    let statements = Parser::new(&GenericDialect {})
        .with_recursion_limit(PARSER_RECURSION_LIMIT)
        .try_with_sql(&quoted)
        .and_then(|mut p| p.parse_statements())
        .map_err(|e| QueryError::invalid(format!("syntax error: {}", parse_message(&e))))?;
    let statement = match statements.as_slice() {
        [] => return Err(QueryError::invalid("the query statement is empty")),
        [one] => one,
        _ => {
            return Err(QueryError::invalid(
                "multiple statements are not allowed: send one SELECT statement",
            ));
        }
    };
    let query = match statement {
        Statement::Query(q) => q,
        other => {
            let text = other.to_string();
            let keyword = text.split_whitespace().next().unwrap_or("this").to_uppercase();
            return Err(QueryError::invalid(format!(
                "SELECT only: {keyword} statements are not allowed in Lake SQL"
            )));
        }
    };
    let mut relations = Vec::new();
    let (plan_without_relations, columns) = query_plan(query, &mut relations)?;
    Ok(Analysis {
        plan: Plan {
            relations,
            ..plan_without_relations
        },
        columns,
    })
}

/// sqlparser's message without its `sql parser error: ` prefix.
fn parse_message(e: &sqlparser::parser::ParserError) -> String {
    let text = e.to_string();
    text.strip_prefix("sql parser error: ")
        .map(str::to_owned)
        .unwrap_or(text)
}

/// What analyzing a query body yields.
struct BodyOut {
    body: Body,
    names: Vec<String>,
    types: Vec<Ty>,
    /// Set for a single `SELECT` (whose `ORDER BY` may use input columns).
    select: Option<SelectOut>,
}

fn query_plan(q: &ast::Query, relations: &mut Vec<Relation>) -> Result<(Plan, Vec<String>), QueryError> {
    let ast::Query {
        with,
        body,
        order_by,
        limit_clause,
        fetch,
        locks,
        for_clause,
        settings,
        format_clause,
        pipe_operators,
    } = q;
    if with.is_some() {
        return Err(QueryError::unsupported("WITH (common table expressions)"));
    }
    if !locks.is_empty()
        || for_clause.is_some()
        || settings.is_some()
        || format_clause.is_some()
        || !pipe_operators.is_empty()
    {
        return Err(QueryError::unsupported("FOR/SETTINGS/FORMAT/pipe clauses"));
    }
    let out = body_plan(body, relations)?;
    let order_by = match order_by {
        None => Vec::new(),
        Some(ob) => {
            if ob.interpolate.is_some() {
                return Err(QueryError::unsupported("ORDER BY … INTERPOLATE"));
            }
            match &ob.kind {
                ast::OrderByKind::All(_) => return Err(QueryError::unsupported("ORDER BY ALL")),
                ast::OrderByKind::Expressions(terms) => terms
                    .iter()
                    .map(|t| order_term(t, &out))
                    .collect::<Result<Vec<_>, _>>()?,
            }
        }
    };
    let (mut limit, offset) = match limit_clause {
        None => (None, None),
        Some(ast::LimitClause::LimitOffset {
            limit,
            offset,
            limit_by,
        }) => {
            if !limit_by.is_empty() {
                return Err(QueryError::unsupported("LIMIT … BY"));
            }
            let limit = limit.as_ref().map(|l| count_literal(l, "LIMIT")).transpose()?;
            let offset = offset
                .as_ref()
                .map(|o| count_literal(&o.value, "OFFSET"))
                .transpose()?;
            (limit, offset)
        }
        Some(ast::LimitClause::OffsetCommaLimit { .. }) => {
            return Err(QueryError::invalid(
                "LIMIT offset, count is not Trino syntax; use OFFSET n LIMIT m",
            ));
        }
    };
    if let Some(fetch) = fetch {
        if fetch.with_ties || fetch.percent || limit.is_some() {
            return Err(QueryError::unsupported(
                "FETCH … WITH TIES/PERCENT, or FETCH together with LIMIT",
            ));
        }
        limit = Some(match &fetch.quantity {
            Some(q) => count_literal(q, "FETCH FIRST")?,
            None => 1,
        });
    }
    let plan = Plan {
        body: out.body,
        order_by,
        limit,
        offset,
        types: out.types,
        relations: Vec::new(),
    };
    Ok((plan, out.names))
}

/// A non-negative integer literal (`LIMIT`, `OFFSET`).
fn count_literal(e: &ast::Expr, clause: &str) -> Result<u64, QueryError> {
    integer_literal(e)
        .and_then(|n| u64::try_from(n).ok())
        .ok_or_else(|| {
            QueryError::invalid(format!(
                "{clause} must be a non-negative integer literal, not {e}"
            ))
        })
}

fn body_plan(b: &SetExpr, relations: &mut Vec<Relation>) -> Result<BodyOut, QueryError> {
    match b {
        SetExpr::Select(s) => {
            let out = select(s, relations)?;
            Ok(BodyOut {
                body: Body::Select(Box::new(out.plan.clone())),
                names: out.names.clone(),
                types: out.types.clone(),
                select: Some(out),
            })
        }
        SetExpr::Query(q) => {
            let ast::Query {
                with,
                body,
                order_by,
                limit_clause,
                fetch,
                ..
            } = &**q;
            if with.is_some() || order_by.is_some() || limit_clause.is_some() || fetch.is_some() {
                return Err(QueryError::unsupported(
                    "WITH, ORDER BY or LIMIT inside a parenthesized query (apply them to the whole query)",
                ));
            }
            body_plan(body, relations)
        }
        SetExpr::SetOperation {
            left,
            op,
            set_quantifier,
            right,
        } => {
            let op_name = op.to_string();
            let (op, all) = match (op, set_quantifier) {
                (SetOperator::Union, SetQuantifier::All) => (SetOp::Union, true),
                (SetOperator::Union, SetQuantifier::Distinct | SetQuantifier::None) => (SetOp::Union, false),
                (SetOperator::Intersect, SetQuantifier::Distinct | SetQuantifier::None) => {
                    (SetOp::Intersect, false)
                }
                (SetOperator::Except, SetQuantifier::Distinct | SetQuantifier::None) => {
                    (SetOp::Except, false)
                }
                (_, SetQuantifier::All) => return Err(QueryError::unsupported(format!("{op_name} ALL"))),
                (SetOperator::Minus, _) => {
                    return Err(QueryError::invalid("MINUS is not Trino syntax; use EXCEPT"));
                }
                _ => return Err(QueryError::unsupported(format!("{op_name} {set_quantifier}"))),
            };
            let l = body_plan(left, relations)?;
            let r = body_plan(right, relations)?;
            if l.types.len() != r.types.len() {
                return Err(QueryError::invalid(format!(
                    "{op_name} query has different number of fields: {}, {}",
                    l.types.len(),
                    r.types.len()
                )));
            }
            let mut types = Vec::with_capacity(l.types.len());
            for (i, (a, b)) in l.types.iter().zip(&r.types).enumerate() {
                let t = a.common(*b).ok_or_else(|| {
                    QueryError::invalid(format!(
                        "column {} in {op_name} query has incompatible types: {a}, {b}",
                        i + 1
                    ))
                })?;
                if !(t.is_comparable() || (all && op == SetOp::Union)) {
                    return Err(QueryError::unsupported(format!(
                        "{op_name} (without ALL) over the map or row column {}",
                        l.names[i]
                    )));
                }
                types.push(t);
            }
            Ok(BodyOut {
                body: Body::SetOp {
                    op,
                    all,
                    left: Box::new(l.body),
                    right: Box::new(r.body),
                },
                names: l.names,
                types,
                select: None,
            })
        }
        SetExpr::Values(_) => Err(QueryError::unsupported("VALUES")),
        SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_) | SetExpr::Merge(_) => Err(
            QueryError::invalid("SELECT only: statements that change data are not allowed in Lake SQL"),
        ),
        SetExpr::Table(_) => Err(QueryError::unsupported("TABLE t")),
    }
}

/// Resolves an `ORDER BY` term: a position, an output column name, or (for a single `SELECT`) an expression.
fn order_term(t: &ast::OrderByExpr, out: &BodyOut) -> Result<OrderTerm, QueryError> {
    if t.with_fill.is_some() {
        return Err(QueryError::unsupported("ORDER BY … WITH FILL"));
    }
    let descending = match &t.options.sort {
        None | Some(ast::OrderBySort::Asc) => false,
        Some(ast::OrderBySort::Desc) => true,
        Some(ast::OrderBySort::Using(_)) => return Err(QueryError::unsupported("ORDER BY … USING")),
    };
    // Trino sorts NULLs last unless told otherwise, in both directions.
    let nulls_first = t.options.nulls_first.unwrap_or(false);
    let expr = order_expr(&t.expr, out)?;
    let ty = match &expr {
        Expr::Output(i) => out.types.get(*i).copied().unwrap_or(Ty::Unknown),
        _ => Ty::Unknown,
    };
    if !ty.is_comparable() {
        return Err(QueryError::unsupported(format!(
            "ORDER BY the map or row value {}",
            t.expr
        )));
    }
    Ok(OrderTerm {
        expr,
        descending,
        nulls_first,
    })
}

fn order_expr(e: &ast::Expr, out: &BodyOut) -> Result<Expr, QueryError> {
    // A position.
    if let Some(pos) = position_literal(e) {
        return pos
            .ok()
            .filter(|i| *i < out.names.len())
            .map(Expr::Output)
            .ok_or_else(|| QueryError::invalid(format!("ORDER BY position {e} is not in select list")));
    }
    // An output column name.
    if let ast::Expr::Identifier(id) = e {
        let matches: Vec<usize> = match &out.select {
            Some(s) => s
                .matchable
                .iter()
                .enumerate()
                .filter(|(_, n)| n.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(&id.value)))
                .map(|(i, _)| i)
                .collect(),
            None => out
                .names
                .iter()
                .enumerate()
                .filter(|(_, n)| n.eq_ignore_ascii_case(&id.value))
                .map(|(i, _)| i)
                .collect(),
        };
        match matches.as_slice() {
            [i] => return Ok(Expr::Output(*i)),
            [first, rest @ ..] => {
                let same = match &out.select {
                    Some(s) => rest.iter().all(|i| s.plan.items[*i] == s.plan.items[*first]),
                    None => false,
                };
                if same {
                    return Ok(Expr::Output(*first));
                }
                return Err(QueryError::invalid(format!("ORDER BY {e} is ambiguous")));
            }
            [] => {}
        }
    }
    let Some(s) = &out.select else {
        return Err(QueryError::invalid(format!(
            "ORDER BY {e}: a UNION, INTERSECT or EXCEPT query can only be ordered by an output column name or position"
        )));
    };
    let cx = Ctx::new(Scope { rels: &s.scope }, "ORDER BY", s.plan.aggregated);
    let (x, ty) = value(e, cx)?;
    if !ty.is_comparable() {
        return Err(QueryError::unsupported(format!(
            "ORDER BY the map or row value {e}"
        )));
    }
    if let Some(i) = s.plan.items.iter().position(|item| *item == x) {
        return Ok(Expr::Output(i));
    }
    if s.plan.distinct {
        return Err(QueryError::invalid(format!(
            "For SELECT DISTINCT, ORDER BY expressions must appear in select list: {e}"
        )));
    }
    if s.plan.aggregated {
        check_grouped(&x, &s.plan.group_by, &|| e.to_string())?;
    }
    Ok(x)
}
