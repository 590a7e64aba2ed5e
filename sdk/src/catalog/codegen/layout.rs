//! Writing Rust code laid out the way rustfmt lays it out, for the few shapes the generator emits, so that
//! generated files pass `cargo fmt --check` without running rustfmt.
//!
//! rustfmt's choices depend on `max_width` and on width heuristics derived from it (rustfmt's
//! `WidthHeuristics::scaled`): a call's arguments stay on one line up to `fn_call_width`, a struct
//! literal's fields up to `struct_lit_width`, a method chain up to `chain_width`.

/// Code being written, with rustfmt's widths for a given `max_width`.
pub(crate) struct Writer {
    out: String,
    max_width: usize,
    fn_call_width: usize,
    struct_lit_width: usize,
    chain_width: usize,
}

const INDENT: &str = "    ";

fn width(s: &str) -> usize {
    s.chars().count()
}

impl Writer {
    /// A writer for code formatted with rustfmt's `max_width` (100 by default).
    pub(crate) fn new(max_width: usize) -> Self {
        // rustfmt scales its heuristics by max_width / 100 rounded to a tenth, when max_width is over 100.
        let ratio = if max_width > 100 {
            (max_width as f64 / 100.0 * 10.0).round() / 10.0
        } else {
            1.0
        };
        let scaled = |percent: f64| (percent * ratio).round() as usize;
        Self {
            out: String::new(),
            max_width,
            fn_call_width: scaled(60.0),
            struct_lit_width: scaled(18.0),
            chain_width: scaled(60.0),
        }
    }

    /// The code written.
    pub(crate) fn finish(self) -> String {
        self.out
    }

    fn fits(&self, indent: usize, text: &str) -> bool {
        indent * INDENT.len() + width(text) <= self.max_width
    }

    /// One line at an indentation level (an empty `text` writes an empty line).
    pub(crate) fn line(&mut self, indent: usize, text: &str) {
        if !text.is_empty() {
            for _ in 0..indent {
                self.out.push_str(INDENT);
            }
            self.out.push_str(text);
        }
        self.out.push('\n');
    }

    /// Comment lines with a prefix (`///`, `//!`), one per line of `text`; blank lines keep the prefix.
    pub(crate) fn comment(&mut self, indent: usize, prefix: &str, text: &str) {
        for line in text.trim().lines() {
            let line = line.trim();
            if line.is_empty() {
                self.line(indent, prefix);
            } else {
                self.line(indent, &format!("{prefix} {line}"));
            }
        }
    }

    /// `///` doc lines.
    pub(crate) fn doc(&mut self, indent: usize, text: &str) {
        self.comment(indent, "///", text);
    }

    /// A list in parentheses after `head` and before `tail` (a signature or a call): on one line when it
    /// fits (and, for a call, its arguments fit `fn_call_width`), else one item per line with a trailing
    /// comma.
    fn list(&mut self, indent: usize, head: &str, items: &[String], tail: &str, call: bool) {
        let joined = items.join(", ");
        let one = format!("{head}({joined}){tail}");
        if items.is_empty() || (self.fits(indent, &one) && (!call || width(&joined) <= self.fn_call_width)) {
            self.line(indent, &one);
        } else {
            self.line(indent, &format!("{head}("));
            for item in items {
                self.line(indent + 1, &format!("{item},"));
            }
            self.line(indent, &format!("){tail}"));
        }
    }

    /// A function signature: `head(params)tail`, e.g. `pub fn new` … ` -> Self {`.
    pub(crate) fn signature(&mut self, indent: usize, head: &str, params: &[String], tail: &str) {
        self.list(indent, head, params, tail, false);
    }

    /// A method call statement `receiver.method(args);`: on one line when it fits and the arguments fit
    /// `fn_call_width`, else one argument per line (rustfmt keeps a one-call chain together).
    pub(crate) fn method_call(&mut self, indent: usize, receiver: &str, method: &str, args: &[String]) {
        self.list(indent, &format!("{receiver}.{method}"), args, ";", true);
    }

    /// A method call on a field, `owner.field.method(args);`: on one line when it fits and the chain fits
    /// `chain_width`, else with the call on the next line.
    pub(crate) fn field_method_call(&mut self, indent: usize, field: &str, method: &str, args: &[String]) {
        let chain = format!("{field}.{method}({})", args.join(", "));
        if width(&chain) <= self.chain_width && self.fits(indent, &format!("{chain};")) {
            self.line(indent, &format!("{chain};"));
        } else {
            self.line(indent, field);
            self.list(indent + 1, &format!(".{method}"), args, ";", true);
        }
    }

    /// `Self { fields }` followed by `tail`, on one line when the fields fit `struct_lit_width`.
    pub(crate) fn struct_literal(&mut self, indent: usize, name: &str, fields: &[String], tail: &str) {
        let body = fields.join(", ");
        let one = if fields.is_empty() {
            format!("{name} {{}}{tail}")
        } else {
            format!("{name} {{ {body} }}{tail}")
        };
        if fields.is_empty() || (width(&body) <= self.struct_lit_width && self.fits(indent, &one)) {
            self.line(indent, &one);
        } else {
            self.line(indent, &format!("{name} {{"));
            for field in fields {
                match field.split_once(": ") {
                    Some((name, value)) => self.field(indent + 1, name, value),
                    None => self.line(indent + 1, &format!("{field},")),
                }
            }
            self.line(indent, &format!("}}{tail}"));
        }
    }

    /// `lhs = rhs;` (a `const` item or an assignment), with `rhs` on the next line when it does not fit.
    pub(crate) fn assign(&mut self, indent: usize, lhs: &str, rhs: &str) {
        let one = format!("{lhs} = {rhs};");
        if self.fits(indent, &one) {
            self.line(indent, &one);
        } else {
            self.line(indent, &format!("{lhs} ="));
            self.line(indent + 1, &format!("{rhs};"));
        }
    }

    /// A struct field `name: ty,`, with the type on the next line when it does not fit.
    ///
    /// In a struct literal the value may be `root.into()`: rustfmt then keeps `name: root` on the line when it
    /// fits and moves the call to the next.
    pub(crate) fn field(&mut self, indent: usize, name: &str, ty: &str) {
        let one = format!("{name}: {ty},");
        let chain_root = ty
            .strip_suffix(".into()")
            .filter(|root| !root.contains(['.', '(']));
        if self.fits(indent, &one) {
            self.line(indent, &one);
        } else if let Some(root) = chain_root.filter(|root| self.fits(indent, &format!("{name}: {root}"))) {
            self.line(indent, &format!("{name}: {root}"));
            self.line(indent + 1, ".into(),");
        } else {
            self.line(indent, &format!("{name}:"));
            self.line(indent + 1, &format!("{ty},"));
        }
    }

    /// A match arm `pattern => value,`, as a block when it does not fit.
    pub(crate) fn arm(&mut self, indent: usize, pattern: &str, value: &str) {
        let one = format!("{pattern} => {value},");
        if self.fits(indent, &one) {
            self.line(indent, &one);
        } else {
            self.line(indent, &format!("{pattern} => {{"));
            self.line(indent + 1, value);
            self.line(indent, "}");
        }
    }
}
