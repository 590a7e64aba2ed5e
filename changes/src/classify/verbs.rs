//! The verb heuristic for records without `readOnly` (`change-detection.md` §1.4 step 4, §1.5).
//!
//! Write prefixes: the Falco CloudTrail plugin's list (falcosecurity/plugins: plugins/cloudtrail/pkg/cloudtrail/
//! extract.go) plus §1.4's additions (`Tag`, `Untag`, `Import`, `Restore`, `Reset`, `Replace`, `Revoke`,
//! `Authorize`, `Allocate`, `Release`, `Copy`, `Apply`, `Accept`, `Reject`) and a few verbs of known writes
//! (`Schedule`, `Rotate`, `Send`, `Change`, `Move`, `Rename`, `Restart`, `Resume`, `Pause`, `Grant`, `Retire`,
//! `Execute`, `Invoke`, `Import`). Read prefixes: §1.4's list. A prefix only counts at a word boundary of the
//! PascalCase name (`Settle` is not `Set`), and API-version suffixes (`CreateFunction20150331`) do not matter.

/// What an event name says about the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verb {
    /// The name starts with a write verb.
    Write,
    /// The name starts with a read verb.
    Read,
    /// Neither: treated as read, as Falco does.
    Unknown,
}

const WRITE: &[&str] = &[
    // Falco.
    "Start",
    "Stop",
    "Create",
    "Destroy",
    "Delete",
    "Add",
    "Remove",
    "Terminate",
    "Put",
    "Associate",
    "Disassociate",
    "Attach",
    "Detach",
    "Open",
    "Close",
    "Wipe",
    "Update",
    "Upgrade",
    "Unlink",
    "Assign",
    "Unassign",
    "Suspend",
    "Set",
    "Run",
    "Register",
    "Deregister",
    "Reboot",
    "Purchase",
    "Modify",
    "Initialize",
    "Enable",
    "Disable",
    "Cancel",
    "Admin",
    "Activate",
    // change-detection.md §1.4.
    "Tag",
    "Untag",
    "Import",
    "Restore",
    "Reset",
    "Replace",
    "Revoke",
    "Authorize",
    "Allocate",
    "Release",
    "Copy",
    "Apply",
    "Accept",
    "Reject",
    // Known writes the lists above miss.
    "Schedule",
    "Rotate",
    "Send",
    "Change",
    "Move",
    "Rename",
    "Restart",
    "Resume",
    "Pause",
    "Grant",
    "Retire",
    "Execute",
    "Invoke",
];

const READ: &[&str] = &[
    "Describe", "Get", "List", "Head", "Lookup", "Search", "Query", "Scan", "BatchGet", "Select", "Check",
    "Validate", "Preview", "Estimate", "Test",
];

/// Classifies an event name by its leading verb.
pub(crate) fn verb(event_name: &str) -> Verb {
    if READ.iter().any(|p| starts_with_word(event_name, p)) {
        Verb::Read
    } else if WRITE.iter().any(|p| starts_with_word(event_name, p)) {
        Verb::Write
    } else {
        Verb::Unknown
    }
}

/// `name` starts with `prefix` followed by the end, an upper-case letter or a digit.
fn starts_with_word(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix).is_some_and(|rest| {
        rest.chars()
            .next()
            .is_none_or(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs() {
        for write in [
            "CreateRoute",
            "DeleteTrail",
            "PutBucketPolicy",
            "CreateFunction20150331",
            "UpdateFunctionCode20150331v2",
            "TagResource",
            "RunInstances",
            "ScheduleKeyDeletion",
            "ChangeResourceRecordSets",
            "Start",
        ] {
            assert_eq!(verb(write), Verb::Write, "{write}");
        }
        for read in [
            "DescribeInstances",
            "GetUser",
            "ListBuckets",
            "BatchGetItem",
            "HeadObject",
            "GetFederationToken",
            "TestEventPattern",
        ] {
            assert_eq!(verb(read), Verb::Read, "{read}");
        }
        for unknown in [
            "AssumeRole",
            "ConsoleLogin",
            "Settle",
            "Listen",
            "Runtime",
            "Decrypt",
            "",
        ] {
            assert_eq!(verb(unknown), Verb::Unknown, "{unknown}");
        }
    }
}
