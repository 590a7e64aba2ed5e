//! The one table style of ctlake (comfy-table), sized to the terminal when there is one.

use std::io::IsTerminal as _;

use comfy_table::{ContentArrangement, Table, presets};

/// An empty table with ctlake's style and `header`.
pub(crate) fn new<I, S>(header: I) -> Table
where
    I: IntoIterator<Item = S>,
    S: Into<comfy_table::Cell>,
{
    let mut table = Table::new();
    table.load_style(presets::ASCII_BORDERS_ONLY_CONDENSED);
    if std::io::stdout().is_terminal() {
        table.set_content_arrangement(ContentArrangement::Dynamic);
    } else {
        // Piped or redirected: never wrap, so the output does not depend on a terminal's width.
        table.set_content_arrangement(ContentArrangement::Disabled);
        table.force_no_tty();
    }
    table.set_header(header);
    table
}

/// A two-column `field | value` table for one record.
pub(crate) fn key_values<'a>(pairs: impl IntoIterator<Item = (&'a str, String)>) -> Table {
    let mut table = new(["Field", "Value"]);
    for (k, v) in pairs {
        table.add_row([k.to_owned(), v]);
    }
    table
}
