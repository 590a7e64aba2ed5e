//! `ctlake query`: StartQuery, wait with a spinner, page through GetQueryResults, print the rows.

mod run;
mod saved;
mod statement;

pub(crate) use run::{execute, run};
pub(crate) use saved::SavedQuery;
