//! Name resolution: which relation and which schema field a (possibly dotted) identifier means.

use sqlparser::ast::Ident;

use super::super::error::QueryError;
use super::super::ir::{Access, Expr};
use super::super::schema::{self, Field, FieldKind, TOP_LEVEL};
use super::super::types::Ty;

/// A relation visible in a `SELECT` block.
#[derive(Debug, Clone)]
pub(super) struct ScopeRel {
    /// Global relation index (SQL alias `t<index>`).
    pub(super) index: usize,
    /// The name that qualifies its columns: the alias, else the event data store id.
    pub(super) qualifier: String,
}

/// The relations a clause can see.
#[derive(Debug, Clone, Copy)]
pub(super) struct Scope<'a> {
    pub(super) rels: &'a [ScopeRel],
}

impl Scope<'_> {
    /// Resolves `a.b.c` to a column or struct field.
    ///
    /// As in Trino, a first part that names a relation qualifies the rest; otherwise the first part is a
    /// top-level column, which must then exist in exactly one relation of the scope.
    pub(super) fn resolve(&self, idents: &[Ident]) -> Result<(Expr, Ty), QueryError> {
        idents.iter().try_for_each(check_quotes)?;
        let written = || {
            idents
                .iter()
                .map(|i| i.value.as_str())
                .collect::<Vec<_>>()
                .join(".")
        };
        let (rel, path) = match self.qualified(idents) {
            Some((rel, rest)) => (rel, rest),
            None => {
                let rel = match self.rels {
                    [only] => only.index,
                    [] => return Err(QueryError::invalid(format!("unknown column {}", written()))),
                    _ => {
                        if walk(idents).is_err() {
                            return Err(QueryError::invalid(format!("unknown column {}", written())));
                        }
                        let name = idents.first().map_or("", |i| i.value.as_str());
                        return Err(QueryError::invalid(format!(
                            "column {} is ambiguous: several relations of the FROM clause have a column {name}; \
                             qualify it with the table alias",
                            written()
                        )));
                    }
                };
                (rel, idents)
            }
        };
        let (field, json_path) = walk(path).map_err(|e| match e {
            WalkError::Unknown => QueryError::invalid(format!("unknown column {}", written())),
            WalkError::NotARow(prefix) => QueryError::invalid(format!(
                "{prefix} is not a struct, so {} cannot be resolved",
                written()
            )),
            WalkError::Map(prefix) => QueryError::invalid(format!(
                "{prefix} is a map(varchar, varchar): read its members with element_at({prefix}, 'key'), not {}",
                written()
            )),
        })?;
        Ok(column(rel, field, json_path))
    }

    /// `qualifier.rest…` when the first part names a relation of the scope (and something follows it).
    fn qualified<'i>(&self, idents: &'i [Ident]) -> Option<(usize, &'i [Ident])> {
        let (first, rest) = idents.split_first()?;
        if rest.is_empty() {
            return None;
        }
        self.rels
            .iter()
            .find(|r| r.qualifier.eq_ignore_ascii_case(&first.value))
            .map(|r| (r.index, rest))
    }

    /// The relation a qualifier names (for `t.*`).
    pub(super) fn relation(&self, qualifier: &str) -> Option<usize> {
        self.rels
            .iter()
            .find(|r| r.qualifier.eq_ignore_ascii_case(qualifier))
            .map(|r| r.index)
    }
}

/// Trino quotes identifiers with double quotes only; other dialects' quotes (`` ` ``, `[…]`) are errors there.
pub(super) fn check_quotes(ident: &Ident) -> Result<(), QueryError> {
    match ident.quote_style {
        None | Some('"') => Ok(()),
        Some(q) => Err(QueryError::invalid(format!(
            "{ident}: identifiers are quoted with double quotes in Lake SQL, not {q}"
        ))),
    }
}

/// Why a dotted path does not resolve.
enum WalkError {
    Unknown,
    NotARow(String),
    Map(String),
}

/// Walks `path` down the schema from the top-level columns; returns the field and its JSON path.
fn walk(path: &[Ident]) -> Result<(&'static Field, String), WalkError> {
    let mut fields: &'static [Field] = &TOP_LEVEL;
    let mut json_path = String::from("$");
    let mut found: Option<&'static Field> = None;
    let mut written = String::new();
    for ident in path {
        if let Some(prev) = found {
            match prev.kind {
                FieldKind::Row(children) => fields = children,
                FieldKind::Map => return Err(WalkError::Map(written)),
                _ => return Err(WalkError::NotARow(written)),
            }
        }
        let field = schema::lookup(fields, &ident.value).ok_or(WalkError::Unknown)?;
        json_path.push('.');
        json_path.push_str(field.json_key);
        if !written.is_empty() {
            written.push('.');
        }
        written.push_str(&ident.value);
        found = Some(field);
    }
    found.map(|f| (f, json_path)).ok_or(WalkError::Unknown)
}

/// The expression and type reading `field` of relation `rel`, stored at `json_path` in the record.
pub(super) fn column(rel: usize, field: &'static Field, json_path: String) -> (Expr, Ty) {
    let (access, ty) = match field.kind {
        FieldKind::Varchar => (Access::JsonScalar(json_path), Ty::Varchar),
        FieldKind::VarcharColumn(c) => (Access::Column(c), Ty::Varchar),
        FieldKind::TimestampColumn(c) => (Access::Column(c), Ty::Timestamp),
        FieldKind::Map => (Access::JsonObject(json_path), Ty::Map),
        FieldKind::Row(fields) => (Access::JsonObject(json_path), Ty::Row(fields)),
    };
    (Expr::Column { rel, field, access }, ty)
}
