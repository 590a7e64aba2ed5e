//! Rust names derived from catalog names: `noUpdatesCount` → `no_updates_count`, `discoveryRule.created` →
//! `DiscoveryRuleCreated`, `INSUFFICIENT_DATA` → `InsufficientData`.

/// Rust's keywords (strict, reserved and the 2018+ ones): a field named like one is written `r#name`.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro",
    "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "static", "struct", "trait",
    "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Type names the generated code uses unqualified, which a generated type must not shadow.
pub(crate) const RESERVED_TYPES: &[&str] = &[
    "String", "Option", "Some", "None", "Vec", "Result", "Ok", "Err", "Box", "Self", "Map", "Value",
    "BTreeMap",
];

/// Splits a name into words: at separators (anything not a letter or digit), at a lower-case letter or
/// digit followed by an upper-case one, and before the last capital of an acronym followed by a lower-case
/// letter (`recoveryPointARNValue` → `recovery`, `Point`, `ARN`, `Value`).
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_uppercase() && !current.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_numeric() || (prev.is_uppercase() && next_lower) {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `snake_case` of a name (may be empty when the name has no letters or digits).
pub(crate) fn snake(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// `PascalCase` of a name (may be empty when the name has no letters or digits).
pub(crate) fn pascal(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect()
}

/// Whether `name` is a plain ASCII identifier: a letter or `_` first, then letters, digits and `_`.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
}

/// A field name as Rust code writes it (`r#type` for a keyword), or why the name cannot be one.
pub(crate) fn field_ident(name: &str) -> Result<String, &'static str> {
    if NOT_RAW.contains(&name) {
        return Err("is a Rust keyword that cannot be used as a field name");
    }
    if !is_identifier(name) || name.chars().any(|c| c.is_ascii_uppercase()) {
        return Err("is not a snake_case Rust identifier");
    }
    Ok(if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_owned()
    })
}

/// Checks a type or variant name: `PascalCase`, not a keyword, not a type the generated code uses.
pub(crate) fn type_ident(name: &str) -> Result<(), &'static str> {
    if !is_identifier(name) || !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return Err("is not a PascalCase Rust identifier");
    }
    if RESERVED_TYPES.contains(&name) {
        return Err("would shadow a type the generated code uses");
    }
    Ok(())
}

/// The variant name of an enum value: `PascalCase`, with `V` in front when it would start with a digit.
pub(crate) fn variant(value: &str) -> String {
    let name = pascal(value);
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{name}")
    } else {
        name
    }
}

/// The field name as Rust code writes it, without a raw prefix (`r#type` → `type`).
pub(crate) fn unraw(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_splits_camel_acronyms_and_separators() {
        assert_eq!(snake("noUpdatesCount"), "no_updates_count");
        assert_eq!(snake("noUpdatesCOunt"), "no_updates_c_ount");
        assert_eq!(snake("recoveryPointARNValue"), "recovery_point_arn_value");
        assert_eq!(snake("resourceArn"), "resource_arn");
        assert_eq!(snake("ARN"), "arn");
        assert_eq!(snake("resources0_ARN"), "resources0_arn");
        assert_eq!(snake("ticket_url"), "ticket_url");
        assert_eq!(snake("rp_"), "rp");
        assert_eq!(snake("os-type"), "os_type");
        assert_eq!(snake("s3Bucket"), "s3_bucket");
        assert_eq!(snake("*"), "");
    }

    #[test]
    fn pascal_case_capitalizes_each_word() {
        assert_eq!(pascal("discoveryRule.created"), "DiscoveryRuleCreated");
        assert_eq!(pascal("alarm.insufficientData"), "AlarmInsufficientData");
        assert_eq!(pascal("INSUFFICIENT_DATA"), "InsufficientData");
        assert_eq!(pascal("OK"), "Ok");
        assert_eq!(pascal("t2.micro"), "T2Micro");
        assert_eq!(pascal(""), "");
    }

    #[test]
    fn variants_never_start_with_a_digit() {
        assert_eq!(variant("ALARM"), "Alarm");
        assert_eq!(variant("1.0"), "V10");
        assert_eq!(variant("--"), "");
    }

    #[test]
    fn field_idents_are_snake_case_and_keywords_are_raw() {
        assert_eq!(field_ident("rule_name"), Ok("rule_name".to_owned()));
        assert_eq!(field_ident("type"), Ok("r#type".to_owned()));
        assert_eq!(unraw("r#type"), "type");
        assert!(field_ident("self").is_err());
        assert!(field_ident("ruleName").is_err());
        assert!(field_ident("0day").is_err());
        assert!(field_ident("").is_err());
        assert!(field_ident("_").is_err());
    }

    #[test]
    fn type_idents_are_pascal_case_and_do_not_shadow() {
        assert!(type_ident("DiscoveryRuleCreated").is_ok());
        assert!(type_ident("discoveryRule").is_err());
        assert!(type_ident("Result").is_err());
        assert!(type_ident("Self").is_err());
        assert!(type_ident("Two Words").is_err());
    }
}
