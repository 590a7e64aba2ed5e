//! Name patterns of event-source catalogs: `*` stands for one or more characters, every other character
//! stands for itself (`Create*`, `rp_*`, `*`).

/// Whether `name` matches `pattern`; each `*` matches one or more characters.
pub(crate) fn matches(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    // `reach[j]`: the first `i` pattern characters can match the first `j` name characters.
    let mut reach = vec![false; name.len() + 1];
    reach[0] = true;
    for p in pattern {
        let mut next = vec![false; name.len() + 1];
        if p == '*' {
            // One or more characters: `next[j]` when some `k < j` is reachable.
            let mut seen = false;
            for j in 1..=name.len() {
                seen |= reach[j - 1];
                next[j] = seen;
            }
        } else {
            for j in 1..=name.len() {
                next[j] = reach[j - 1] && name[j - 1] == p;
            }
        }
        reach = next;
    }
    reach[name.len()]
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn star_matches_one_or_more_characters() {
        assert!(matches("*", "RunInstances"));
        assert!(!matches("*", ""));
        assert!(matches("Create*", "CreateBucket"));
        assert!(!matches("Create*", "Create"));
        assert!(!matches("Create*", "DeleteBucket"));
        assert!(matches("rp_*", "rp_x"));
        assert!(matches("resources*_*", "resources0_ARN"));
        assert!(!matches("resources*_*", "resources0_"));
        assert!(matches("a*c", "abbbc"));
        assert!(!matches("a*c", "abbbd"));
    }

    #[test]
    fn without_star_only_the_exact_name_matches() {
        assert!(matches("ruleName", "ruleName"));
        assert!(!matches("ruleName", "ruleNames"));
        assert!(!matches("ruleName", "rulename"));
        assert!(matches("", ""));
    }
}
