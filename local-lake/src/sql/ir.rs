//! The typed, resolved form of a Lake SQL query that SQLite SQL is generated from.
//!
//! Every column reference is resolved against the schema (`schema.rs`) to where it is stored; every literal is
//! already in the form SQLite must compare (timestamps normalized, `LIKE` patterns as `GLOB` patterns). Two
//! expressions that mean the same thing compare equal, which is how `GROUP BY` membership is checked.

use super::schema::Field;
use super::types::Ty;

/// A scalar or aggregate expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    /// A column or struct field of relation `rel`.
    Column {
        rel: usize,
        field: &'static Field,
        access: Access,
    },
    /// `element_at(map, key)`: the JSON path of the member (`$.eventData.requestParameters."key"`).
    MapGet { rel: usize, path: String },
    /// A constant.
    Literal(Literal),
    /// `NOT e`.
    Not(Box<Expr>),
    /// `a AND b`.
    And(Box<Expr>, Box<Expr>),
    /// `a OR b`.
    Or(Box<Expr>, Box<Expr>),
    /// `a <op> b`.
    Compare {
        op: CmpOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `e IS [NOT] NULL`.
    IsNull { expr: Box<Expr>, negated: bool },
    /// `a IS [NOT] DISTINCT FROM b`.
    IsDistinct {
        left: Box<Expr>,
        right: Box<Expr>,
        negated: bool,
    },
    /// `e [NOT] IN (list)`.
    InList {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    /// `e [NOT] BETWEEN low AND high`.
    Between {
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        negated: bool,
    },
    /// `e [NOT] LIKE pattern`, the pattern already rewritten for `GLOB`.
    Glob {
        expr: Box<Expr>,
        pattern: String,
        negated: bool,
    },
    /// A scalar function call.
    Call { func: Func, args: Vec<Expr> },
    /// `substr(e, start[, length])` with constant positions.
    Substr {
        expr: Box<Expr>,
        start: i64,
        length: Option<i64>,
    },
    /// `date_trunc(unit, e)` on a timestamp.
    DateTrunc { unit: TruncUnit, expr: Box<Expr> },
    /// `extract(field FROM e)` / `year(e)`… on a timestamp: a bigint.
    Extract { field: TimeField, expr: Box<Expr> },
    /// `CASE [operand] WHEN … THEN … [ELSE …] END`.
    Case {
        operand: Option<Box<Expr>>,
        whens: Vec<(Expr, Expr)>,
        otherwise: Option<Box<Expr>>,
    },
    /// `CAST`/`TRY_CAST`.
    Cast {
        expr: Box<Expr>,
        from: Ty,
        to: Ty,
        try_cast: bool,
    },
    /// Integer arithmetic (checked) or double arithmetic.
    Arith {
        op: ArithOp,
        left: Box<Expr>,
        right: Box<Expr>,
        ty: Ty,
    },
    /// Unary minus.
    Negate { expr: Box<Expr>, ty: Ty },
    /// An aggregate call.
    Aggregate {
        func: AggFunc,
        distinct: bool,
        arg: Option<Box<Expr>>,
    },
    /// The `i`-th output column of the query (used by `ORDER BY` of set operations and of `SELECT DISTINCT`).
    Output(usize),
}

/// How a column is read from the `events` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Access {
    /// A column of the `events` table.
    Column(&'static str),
    /// A scalar in the record JSON at this path.
    JsonScalar(String),
    /// An object (map or row) in the record JSON at this path, read as its JSON text.
    JsonObject(String),
}

/// A constant, in the form SQLite compares.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    /// `NULL`.
    Null,
    /// `TRUE`/`FALSE`.
    Bool(bool),
    /// An integer (`integer` or `bigint`).
    Int(i64),
    /// A double (or a decimal literal used in a comparison).
    Double(f64),
    /// A varchar.
    Text(String),
    /// A timestamp, normalized to `YYYY-MM-DD HH:MM:SS.mmm`.
    Timestamp(String),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    /// `=`.
    Eq,
    /// `<>` / `!=`.
    NotEq,
    /// `<`.
    Lt,
    /// `<=`.
    LtEq,
    /// `>`.
    Gt,
    /// `>=`.
    GtEq,
}

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArithOp {
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `%`.
    Rem,
}

/// Scalar functions with a faithful SQLite translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Func {
    /// `lower(varchar)` (Unicode, per code point).
    Lower,
    /// `upper(varchar)` (Unicode, per code point).
    Upper,
    /// `length(varchar)` in code points.
    Length,
    /// `concat(…)` / `||`.
    Concat,
    /// `coalesce(…)`.
    Coalesce,
    /// `greatest(…)`.
    Greatest,
    /// `least(…)`.
    Least,
    /// `strpos(string, substring)`.
    Strpos,
    /// `starts_with(string, prefix)`.
    StartsWith,
    /// `replace(string, search[, replacement])` with a non-empty search string.
    Replace,
    /// `json_extract_scalar(varchar, path)`; the second argument is the path's segments as a JSON array.
    JsonExtractScalar,
    /// `nullif(a, b)`.
    NullIf,
}

/// Units of `date_trunc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TruncUnit {
    /// `second`.
    Second,
    /// `minute`.
    Minute,
    /// `hour`.
    Hour,
    /// `day`.
    Day,
    /// `week` (Monday).
    Week,
    /// `month`.
    Month,
    /// `quarter`.
    Quarter,
    /// `year`.
    Year,
}

/// Fields of `extract` and of `year()`, `month()`….
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeField {
    /// `year`.
    Year,
    /// `quarter` (1–4).
    Quarter,
    /// `month` (1–12).
    Month,
    /// `day` (of the month).
    Day,
    /// `day_of_week` / `dow` (ISO: Monday = 1 … Sunday = 7).
    DayOfWeek,
    /// `day_of_year` / `doy` (1–366).
    DayOfYear,
    /// `hour`.
    Hour,
    /// `minute`.
    Minute,
    /// `second`.
    Second,
}

/// Aggregate functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AggFunc {
    /// `count(*)` (no argument) or `count(x)`.
    Count,
    /// `min(x)`.
    Min,
    /// `max(x)`.
    Max,
    /// `sum(x)`.
    Sum,
    /// `avg(x)`.
    Avg,
}

impl Expr {
    /// Whether an aggregate call occurs anywhere in this expression.
    pub(crate) fn has_aggregate(&self) -> bool {
        let mut found = false;
        self.walk(&mut |e| found |= matches!(e, Expr::Aggregate { .. }));
        found
    }

    /// Calls `f` on this expression and every sub-expression (aggregate arguments included).
    pub(crate) fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        for child in self.children() {
            child.walk(f);
        }
    }

    /// The direct sub-expressions.
    pub(crate) fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Column { .. } | Expr::MapGet { .. } | Expr::Literal(_) | Expr::Output(_) => vec![],
            Expr::Not(e) | Expr::IsNull { expr: e, .. } | Expr::Glob { expr: e, .. } => vec![e],
            Expr::Substr { expr, .. }
            | Expr::DateTrunc { expr, .. }
            | Expr::Extract { expr, .. }
            | Expr::Cast { expr, .. }
            | Expr::Negate { expr, .. } => vec![expr],
            Expr::And(a, b) | Expr::Or(a, b) => vec![a, b],
            Expr::Compare { left, right, .. }
            | Expr::IsDistinct { left, right, .. }
            | Expr::Arith { left, right, .. } => vec![left, right],
            Expr::InList { expr, list, .. } => std::iter::once(&**expr).chain(list).collect(),
            Expr::Between { expr, low, high, .. } => vec![expr, low, high],
            Expr::Call { args, .. } => args.iter().collect(),
            Expr::Case {
                operand,
                whens,
                otherwise,
            } => operand
                .iter()
                .map(|o| &**o)
                .chain(whens.iter().flat_map(|(w, t)| [w, t]))
                .chain(otherwise.iter().map(|o| &**o))
                .collect(),
            Expr::Aggregate { arg, .. } => arg.iter().map(|a| &**a).collect(),
        }
    }
}

/// A bound of the top-level `eventTime` found in a `WHERE` clause (for the scan statistics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TimeBound {
    /// Normalized timestamp text.
    pub(crate) value: String,
    /// `>=`/`<=` rather than `>`/`<`.
    pub(crate) inclusive: bool,
}

/// A relation in a `FROM` clause: one event data store, read as `events` rows with `eds_id` = the id.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Relation {
    /// Global index: the SQL alias is `t<index>`.
    pub(crate) index: usize,
    /// The event data store id.
    pub(crate) eds_id: String,
    /// Lower bound of `eventTime` implied by the `WHERE` clause, if any.
    pub(crate) from_time: Option<TimeBound>,
    /// Upper bound of `eventTime` implied by the `WHERE` clause, if any.
    pub(crate) to_time: Option<TimeBound>,
}

/// How a relation joins the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JoinKind {
    /// `[INNER] JOIN … ON`.
    Inner,
    /// `LEFT [OUTER] JOIN … ON`.
    Left,
    /// `RIGHT [OUTER] JOIN … ON`.
    Right,
    /// `FULL [OUTER] JOIN … ON`.
    Full,
    /// `CROSS JOIN` or a comma.
    Cross,
}

/// One `SELECT` block.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SelectPlan {
    /// Index (in [`Plan::relations`]) of the first relation.
    pub(crate) from: usize,
    /// The joined relations (indexes) with their conditions.
    pub(crate) joins: Vec<(JoinKind, usize, Option<Expr>)>,
    /// `SELECT DISTINCT`.
    pub(crate) distinct: bool,
    /// Output expressions.
    pub(crate) items: Vec<Expr>,
    /// `WHERE`.
    pub(crate) filter: Option<Expr>,
    /// `GROUP BY` keys.
    pub(crate) group_by: Vec<Expr>,
    /// `HAVING`.
    pub(crate) having: Option<Expr>,
    /// Whether this block aggregates (has `GROUP BY` or an aggregate call).
    pub(crate) aggregated: bool,
}

/// Set operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetOp {
    /// `UNION`.
    Union,
    /// `INTERSECT`.
    Intersect,
    /// `EXCEPT`.
    Except,
}

/// The body of a query: one `SELECT` or a set operation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Body {
    /// A `SELECT` block.
    Select(Box<SelectPlan>),
    /// `left <op> [ALL] right`.
    SetOp {
        op: SetOp,
        all: bool,
        left: Box<Body>,
        right: Box<Body>,
    },
}

/// An `ORDER BY` term.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OrderTerm {
    /// What to sort by (often [`Expr::Output`]).
    pub(crate) expr: Expr,
    /// `DESC`.
    pub(crate) descending: bool,
    /// `NULLS FIRST` (Trino's default is `NULLS LAST` in both directions).
    pub(crate) nulls_first: bool,
}

/// A whole query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    /// The body.
    pub(crate) body: Body,
    /// `ORDER BY`.
    pub(crate) order_by: Vec<OrderTerm>,
    /// `LIMIT`.
    pub(crate) limit: Option<u64>,
    /// `OFFSET`.
    pub(crate) offset: Option<u64>,
    /// The Lake SQL type of each output column.
    pub(crate) types: Vec<Ty>,
    /// Every relation of every `FROM` clause, by index.
    pub(crate) relations: Vec<Relation>,
}
