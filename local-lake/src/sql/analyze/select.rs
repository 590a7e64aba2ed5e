//! One `SELECT` block: `FROM` (tables and joins), the select list, `WHERE`, `GROUP BY`, `HAVING`, `DISTINCT`.

use sqlparser::ast::{self, Distinct, GroupByExpr, JoinConstraint, JoinOperator, SelectItem, TableFactor};

use super::super::error::QueryError;
use super::super::ir::{Access, CmpOp, Expr, JoinKind, Literal, Relation, SelectPlan, TimeBound};
use super::super::schema::{Field, FieldKind, TOP_LEVEL};
use super::super::types::Ty;
use super::expr::{Ctx, condition, position_literal, value};
use super::scope::{Scope, ScopeRel, check_quotes, column};

/// A `SELECT` block with what the enclosing query needs to resolve `ORDER BY`.
#[derive(Debug)]
pub(super) struct SelectOut {
    /// The block.
    pub(super) plan: SelectPlan,
    /// Output column names.
    pub(super) names: Vec<String>,
    /// Names `ORDER BY` may refer to (aliases and derived names; not `_colN`).
    pub(super) matchable: Vec<Option<String>>,
    /// Output column types.
    pub(super) types: Vec<Ty>,
    /// The block's relations.
    pub(super) scope: Vec<ScopeRel>,
}

/// Analyzes a `SELECT` block; new relations are appended to `relations`.
pub(super) fn select(s: &ast::Select, relations: &mut Vec<Relation>) -> Result<SelectOut, QueryError> {
    let ast::Select {
        select_token: _,
        optimizer_hints,
        distinct,
        select_modifiers,
        top,
        top_before_distinct: _,
        projection,
        exclude,
        into,
        from,
        lateral_views,
        prewhere,
        selection,
        connect_by,
        group_by,
        cluster_by,
        distribute_by,
        sort_by,
        having,
        named_window,
        qualify,
        window_before_qualify: _,
        value_table_mode,
        flavor,
    } = s;
    let unsupported = |what: &str| Err(QueryError::unsupported(what.to_owned()));
    if !optimizer_hints.is_empty() || select_modifiers.is_some() {
        return unsupported("a SELECT modifier or optimizer hint");
    }
    if top.is_some() {
        return Err(QueryError::invalid("TOP is not Trino syntax; use LIMIT"));
    }
    if exclude.is_some() {
        return unsupported("SELECT * EXCLUDE");
    }
    if into.is_some() {
        return Err(QueryError::invalid("SELECT only: SELECT … INTO is not allowed"));
    }
    if !lateral_views.is_empty() || prewhere.is_some() || !connect_by.is_empty() {
        return unsupported("LATERAL VIEW, PREWHERE and CONNECT BY");
    }
    if !cluster_by.is_empty() || !distribute_by.is_empty() || !sort_by.is_empty() {
        return unsupported("CLUSTER/DISTRIBUTE/SORT BY");
    }
    if !named_window.is_empty() || qualify.is_some() {
        return unsupported("WINDOW and QUALIFY (window functions)");
    }
    if value_table_mode.is_some() || *flavor != ast::SelectFlavor::Standard {
        return unsupported("this SELECT form");
    }
    let distinct = match distinct {
        None | Some(Distinct::All) => false,
        Some(Distinct::Distinct) => true,
        Some(Distinct::On(_)) => return unsupported("DISTINCT ON"),
    };

    // FROM: the first relation, then joins; a comma is a cross join.
    let mut scope: Vec<ScopeRel> = Vec::new();
    let mut first = None;
    let mut joins = Vec::new();
    if from.is_empty() {
        return Err(QueryError::invalid(
            "a Lake SQL query must read FROM an event data store (FROM <event data store id>)",
        ));
    }
    for (n, twj) in from.iter().enumerate() {
        let rel = table(&twj.relation, relations, &mut scope)?;
        if n == 0 {
            first = Some(rel);
        } else {
            joins.push((JoinKind::Cross, rel, None));
        }
        for join in &twj.joins {
            let rel = table(&join.relation, relations, &mut scope)?;
            if join.global {
                return unsupported("GLOBAL JOIN");
            }
            let (kind, constraint) = match &join.join_operator {
                JoinOperator::Join(c) | JoinOperator::Inner(c) => (JoinKind::Inner, c),
                JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (JoinKind::Left, c),
                JoinOperator::Right(c) | JoinOperator::RightOuter(c) => (JoinKind::Right, c),
                JoinOperator::FullOuter(c) => (JoinKind::Full, c),
                JoinOperator::CrossJoin(c) => (JoinKind::Cross, c),
                other => return Err(QueryError::unsupported(format!("the join {other:?}"))),
            };
            let on = match (kind, constraint) {
                (JoinKind::Cross, JoinConstraint::None) => None,
                (JoinKind::Cross, _) => {
                    return Err(QueryError::invalid("CROSS JOIN takes no ON/USING condition"));
                }
                (_, JoinConstraint::On(e)) => {
                    let cx = Ctx::new(Scope { rels: &scope }, "JOIN ON", false);
                    Some(condition(e, cx)?)
                }
                (_, JoinConstraint::Using(_)) => return unsupported("JOIN … USING (write JOIN … ON)"),
                (_, JoinConstraint::Natural) => return unsupported("NATURAL JOIN"),
                (_, JoinConstraint::None) => return Err(QueryError::invalid("JOIN needs an ON condition")),
            };
            joins.push((kind, rel, on));
        }
    }
    let first = first.ok_or_else(|| QueryError::invalid("a query must read FROM an event data store"))?;
    let sc = Scope { rels: &scope };
    let base = Ctx::new(sc, "SELECT", true);

    // The select list.
    let mut items = Vec::new();
    let mut names = Vec::new();
    let mut matchable = Vec::new();
    let mut types = Vec::new();
    for item in projection {
        match item {
            SelectItem::UnnamedExpr(e) => {
                bare_timestamp_literal(e)?;
                let (x, ty) = value(e, base)?;
                let derived = derived_name(e);
                names.push(derived.clone().unwrap_or_else(|| format!("_col{}", items.len())));
                matchable.push(derived);
                items.push(x);
                types.push(ty);
            }
            SelectItem::ExprWithAlias { expr, alias } => {
                bare_timestamp_literal(expr)?;
                let (x, ty) = value(expr, base)?;
                names.push(alias.value.clone());
                matchable.push(Some(alias.value.clone()));
                items.push(x);
                types.push(ty);
            }
            SelectItem::ExprWithAliases { .. } => return unsupported("multiple aliases for one SELECT item"),
            SelectItem::Wildcard(opts) => {
                wildcard_options(opts)?;
                for rel in &scope {
                    expand_fields(
                        rel.index,
                        &TOP_LEVEL,
                        "$",
                        &mut items,
                        &mut names,
                        &mut matchable,
                        &mut types,
                    );
                }
            }
            SelectItem::QualifiedWildcard(kind, opts) => {
                wildcard_options(opts)?;
                let idents: Vec<ast::Ident> = match kind {
                    ast::SelectItemQualifiedWildcardKind::ObjectName(name) => name
                        .0
                        .iter()
                        .map(|p| match p {
                            ast::ObjectNamePart::Identifier(i) => Ok(i.clone()),
                            other => Err(QueryError::unsupported(format!("{other}.*"))),
                        })
                        .collect::<Result<_, _>>()?,
                    ast::SelectItemQualifiedWildcardKind::Expr(e) => {
                        return Err(QueryError::unsupported(format!("{e}.*")));
                    }
                };
                let written = idents
                    .iter()
                    .map(|i| i.value.as_str())
                    .collect::<Vec<_>>()
                    .join(".");
                match (
                    idents.as_slice(),
                    idents.first().and_then(|i| sc.relation(&i.value)),
                ) {
                    ([_], Some(rel)) => {
                        expand_fields(
                            rel,
                            &TOP_LEVEL,
                            "$",
                            &mut items,
                            &mut names,
                            &mut matchable,
                            &mut types,
                        );
                    }
                    _ => match sc.resolve(&idents)? {
                        (
                            Expr::Column {
                                rel,
                                access: Access::JsonObject(path),
                                ..
                            },
                            Ty::Row(fields),
                        ) => {
                            expand_fields(
                                rel,
                                fields,
                                &path,
                                &mut items,
                                &mut names,
                                &mut matchable,
                                &mut types,
                            );
                        }
                        (_, ty) => {
                            return Err(QueryError::invalid(format!(
                                "{written}.* needs a table or a struct (row) column, and {written} is {ty}"
                            )));
                        }
                    },
                }
            }
        }
    }

    // WHERE, GROUP BY, HAVING.
    let filter = match selection {
        Some(e) => Some(condition(
            e,
            Ctx {
                clause: "WHERE",
                aggregates: false,
                ..base
            },
        )?),
        None => None,
    };
    let group_exprs = match group_by {
        GroupByExpr::Expressions(exprs, modifiers) => {
            if !modifiers.is_empty() {
                return unsupported("GROUP BY … WITH ROLLUP/CUBE/TOTALS");
            }
            exprs
        }
        GroupByExpr::All(_) => return unsupported("GROUP BY ALL"),
    };
    let mut group_keys = Vec::new();
    for g in group_exprs {
        let key = group_key(g, &items, &names, base)?;
        group_keys.push(key);
    }
    let having = match having {
        Some(e) => Some(condition(
            e,
            Ctx {
                clause: "HAVING",
                ..base
            },
        )?),
        None => None,
    };
    let aggregated = !group_keys.is_empty() || having.is_some() || items.iter().any(Expr::has_aggregate);
    if aggregated {
        for item in &items {
            check_grouped(item, &group_keys, &|| describe(item, projection, &items))?;
        }
        if let Some(h) = &having {
            check_grouped(h, &group_keys, &|| "HAVING".to_owned())?;
        }
    }
    if distinct && let Some(pos) = types.iter().position(|t| !t.is_comparable()) {
        return Err(QueryError::unsupported(format!(
            "SELECT DISTINCT over the map or row column {} (Trino compares those structurally)",
            names[pos]
        )));
    }

    // Time bounds of the top-level eventTime, for the scan statistics.
    if let Some(f) = &filter {
        for c in conjuncts(f) {
            record_time_bounds(c, relations);
        }
    }

    Ok(SelectOut {
        plan: SelectPlan {
            from: first,
            joins,
            distinct,
            items,
            filter,
            group_by: group_keys,
            having,
            aggregated,
        },
        names,
        matchable,
        types,
        scope,
    })
}

/// Trino types `TIMESTAMP '…'` with the precision written (`timestamp(0)` renders without milliseconds); the
/// local Lake holds every timestamp at millisecond precision, so only a literal written with milliseconds
/// (`timestamp(3)`) can be output as is.
fn bare_timestamp_literal(e: &ast::Expr) -> Result<(), QueryError> {
    match e {
        ast::Expr::Nested(inner) => bare_timestamp_literal(inner),
        ast::Expr::TypedString(ts)
            if matches!(ts.data_type, ast::DataType::Timestamp(..))
                && !matches!(&ts.value.value, ast::Value::SingleQuotedString(t)
                    if t.trim().rsplit_once('.').is_some_and(|(_, f)| f.len() == 3)) =>
        {
            Err(QueryError::unsupported(format!(
                "the TIMESTAMP literal {e} as a result column (Trino renders it with the precision written)"
            )))
        }
        _ => Ok(()),
    }
}

/// A table in `FROM`: an event data store id, optionally aliased. Returns its relation index.
fn table(
    factor: &TableFactor,
    relations: &mut Vec<Relation>,
    scope: &mut Vec<ScopeRel>,
) -> Result<usize, QueryError> {
    let (name, alias) = match factor {
        TableFactor::Table {
            name,
            alias,
            args,
            with_hints,
            version,
            with_ordinality,
            partitions,
            json_path,
            sample,
            index_hints,
        } => {
            if args.is_some() {
                return Err(QueryError::unsupported(format!("the table function {name}(…)")));
            }
            if !with_hints.is_empty()
                || version.is_some()
                || *with_ordinality
                || !partitions.is_empty()
                || json_path.is_some()
                || sample.is_some()
                || !index_hints.is_empty()
            {
                return Err(QueryError::unsupported(format!("table modifiers on {name}")));
            }
            (name, alias)
        }
        TableFactor::Derived { .. } => return Err(QueryError::unsupported("a subquery in FROM")),
        TableFactor::NestedJoin { .. } => {
            return Err(QueryError::unsupported("a parenthesized join in FROM"));
        }
        TableFactor::UNNEST { .. } => return Err(QueryError::unsupported("UNNEST")),
        other => return Err(QueryError::unsupported(format!("the FROM item {other}"))),
    };
    let id = match name.0.as_slice() {
        [ast::ObjectNamePart::Identifier(id)] => {
            check_quotes(id)?;
            id.value.clone()
        }
        _ => {
            return Err(QueryError::invalid(format!(
                "{name} is not an event data store id: the table of a Lake SQL query is the bare event data store id"
            )));
        }
    };
    if id.is_empty() {
        return Err(QueryError::invalid("the event data store id is empty"));
    }
    let qualifier = match alias {
        None => id.clone(),
        Some(a) => {
            if !a.columns.is_empty() || a.at.is_some() {
                return Err(QueryError::unsupported("column aliases on a table"));
            }
            a.name.value.clone()
        }
    };
    if scope.iter().any(|r| r.qualifier.eq_ignore_ascii_case(&qualifier)) {
        return Err(QueryError::invalid(format!(
            "Relations appear more than once: {qualifier} (give each occurrence its own alias)"
        )));
    }
    let index = relations.len();
    // Trino folds identifiers to lower case, and event data store ids are lower-case UUIDs.
    relations.push(Relation {
        index,
        eds_id: id.to_lowercase(),
        from_time: None,
        to_time: None,
    });
    scope.push(ScopeRel { index, qualifier });
    Ok(index)
}

fn wildcard_options(opts: &ast::WildcardAdditionalOptions) -> Result<(), QueryError> {
    let ast::WildcardAdditionalOptions {
        wildcard_token: _,
        opt_ilike,
        opt_exclude,
        opt_except,
        opt_replace,
        opt_rename,
        opt_alias,
    } = opts;
    if opt_ilike.is_some()
        || opt_exclude.is_some()
        || opt_except.is_some()
        || opt_replace.is_some()
        || opt_rename.is_some()
        || opt_alias.is_some()
    {
        return Err(QueryError::unsupported(
            "SELECT * with EXCEPT/EXCLUDE/REPLACE/RENAME/ILIKE",
        ));
    }
    Ok(())
}

/// Appends one output column per field (named by its lowercase schema name, as Trino reports them).
fn expand_fields(
    rel: usize,
    fields: &'static [Field],
    parent_path: &str,
    items: &mut Vec<Expr>,
    names: &mut Vec<String>,
    matchable: &mut Vec<Option<String>>,
    types: &mut Vec<Ty>,
) {
    for field in fields {
        let (x, ty) = column(rel, field, format!("{parent_path}.{}", field.json_key));
        let name = field.name.to_lowercase();
        items.push(x);
        names.push(name.clone());
        matchable.push(Some(name));
        types.push(ty);
    }
}

/// The output name Trino derives for an unaliased item: a column's name, or a dotted path's last part, as
/// written.
fn derived_name(e: &ast::Expr) -> Option<String> {
    match e {
        ast::Expr::Identifier(i) => Some(i.value.clone()),
        ast::Expr::CompoundIdentifier(ids) => ids.last().map(|i| i.value.clone()),
        ast::Expr::Nested(inner) => derived_name(inner),
        _ => None,
    }
}

/// A `GROUP BY` term: a position, or an expression over the input columns. An output alias is not a column in
/// Trino's `GROUP BY`, so naming one is rejected with a hint.
fn group_key(g: &ast::Expr, items: &[Expr], names: &[String], cx: Ctx<'_>) -> Result<Expr, QueryError> {
    let gcx = Ctx {
        clause: "GROUP BY",
        aggregates: false,
        ..cx
    };
    if let Some(pos) = position_literal(g) {
        let (item, name) = pos
            .ok()
            .and_then(|i| Some((items.get(i)?, names.get(i)?)))
            .ok_or_else(|| QueryError::invalid(format!("GROUP BY position {g} is not in select list")))?;
        if item.has_aggregate() {
            return Err(QueryError::invalid(format!(
                "GROUP BY position {g} cannot refer to an aggregate"
            )));
        }
        return check_key(item.clone(), name);
    }
    match value(g, gcx) {
        Ok((key, ty)) => {
            if !ty.is_comparable() {
                return Err(QueryError::unsupported(format!(
                    "GROUP BY the map or row value {g}"
                )));
            }
            Ok(key)
        }
        Err(err) => {
            if let ast::Expr::Identifier(id) = g
                && names.iter().any(|n| n.eq_ignore_ascii_case(&id.value))
            {
                return Err(QueryError::invalid(format!(
                    "GROUP BY {g}: Trino resolves GROUP BY against the table's columns, not the SELECT aliases; \
                         repeat the expression or use its position (GROUP BY 1)"
                )));
            }
            Err(err)
        }
    }
}

fn check_key(key: Expr, name: &str) -> Result<Expr, QueryError> {
    let comparable = match &key {
        Expr::Column { field, .. } => !matches!(field.kind, FieldKind::Map | FieldKind::Row(_)),
        _ => true,
    };
    if !comparable {
        return Err(QueryError::unsupported(format!(
            "GROUP BY the map or row column {name}"
        )));
    }
    Ok(key)
}

/// Checks that `e` only uses grouped values: group keys, aggregates and constants.
pub(super) fn check_grouped(e: &Expr, keys: &[Expr], what: &dyn Fn() -> String) -> Result<(), QueryError> {
    if keys.contains(e) {
        return Ok(());
    }
    match e {
        Expr::Aggregate { .. } | Expr::Literal(_) | Expr::Output(_) => Ok(()),
        Expr::Column { .. } | Expr::MapGet { .. } => Err(QueryError::invalid(format!(
            "'{}' must be an aggregate expression or appear in GROUP BY clause",
            what()
        ))),
        other => other
            .children()
            .into_iter()
            .try_for_each(|c| check_grouped(c, keys, what)),
    }
}

/// The select item as written, for messages.
fn describe(item: &Expr, projection: &[SelectItem], items: &[Expr]) -> String {
    let pos = items.iter().position(|i| std::ptr::eq(i, item)).unwrap_or(0);
    match projection.get(pos) {
        Some(SelectItem::UnnamedExpr(e)) | Some(SelectItem::ExprWithAlias { expr: e, .. })
            if projection.len() == items.len() =>
        {
            e.to_string()
        }
        _ => "*".to_owned(),
    }
}

/// The `AND`-ed parts of a condition.
fn conjuncts(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::And(a, b) => {
            let mut v = conjuncts(a);
            v.extend(conjuncts(b));
            v
        }
        other => vec![other],
    }
}

/// Notes `eventTime <op> literal` and `eventTime BETWEEN a AND b` on the relation it constrains.
fn record_time_bounds(e: &Expr, relations: &mut [Relation]) {
    let event_time = |e: &Expr| match e {
        Expr::Column {
            rel,
            access: Access::Column("event_time"),
            ..
        } => Some(*rel),
        _ => None,
    };
    let literal = |e: &Expr| match e {
        Expr::Literal(Literal::Timestamp(t)) => Some(t.clone()),
        _ => None,
    };
    let mut lower = None;
    let mut upper = None;
    let mut rel = None;
    match e {
        Expr::Compare { op, left, right } => {
            let (r, t, op) = match (event_time(left), literal(right), event_time(right), literal(left)) {
                (Some(r), Some(t), _, _) => (r, t, *op),
                (_, _, Some(r), Some(t)) => (r, t, flip(*op)),
                _ => return,
            };
            rel = Some(r);
            match op {
                CmpOp::Gt => {
                    lower = Some(TimeBound {
                        value: t,
                        inclusive: false,
                    })
                }
                CmpOp::GtEq => {
                    lower = Some(TimeBound {
                        value: t,
                        inclusive: true,
                    })
                }
                CmpOp::Lt => {
                    upper = Some(TimeBound {
                        value: t,
                        inclusive: false,
                    })
                }
                CmpOp::LtEq => {
                    upper = Some(TimeBound {
                        value: t,
                        inclusive: true,
                    })
                }
                CmpOp::Eq => {
                    lower = Some(TimeBound {
                        value: t.clone(),
                        inclusive: true,
                    });
                    upper = Some(TimeBound {
                        value: t,
                        inclusive: true,
                    });
                }
                CmpOp::NotEq => return,
            }
        }
        Expr::Between {
            expr,
            low,
            high,
            negated: false,
        } => {
            if let (Some(r), Some(lo), Some(hi)) = (event_time(expr), literal(low), literal(high)) {
                rel = Some(r);
                lower = Some(TimeBound {
                    value: lo,
                    inclusive: true,
                });
                upper = Some(TimeBound {
                    value: hi,
                    inclusive: true,
                });
            }
        }
        _ => return,
    }
    let Some(relation) = rel.and_then(|r| relations.get_mut(r)) else {
        return;
    };
    if let Some(l) = lower
        && relation.from_time.as_ref().is_none_or(|cur| l.value > cur.value)
    {
        relation.from_time = Some(l);
    }
    if let Some(u) = upper
        && relation.to_time.as_ref().is_none_or(|cur| u.value < cur.value)
    {
        relation.to_time = Some(u);
    }
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::LtEq => CmpOp::GtEq,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::GtEq => CmpOp::LtEq,
        other => other,
    }
}
