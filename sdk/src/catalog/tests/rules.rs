//! Every rule of the catalog format: a catalog breaking it does not load, and the diagnostic names the file,
//! line, column and rule. Most cases edit the demo catalog (`tests/fixtures/catalog/demo/source.toml`), whose
//! lines are: 3 `[source]`, 4 `event_source`, 9 `[[event]]`, 10 `name`, 11 `version`, 14–15 the two fields,
//! 18 `[[event.example]]`, 19 its `request_parameters`.

use std::path::Path;

use super::*;
use crate::catalog::CatalogRule;

/// The demo catalog with one edit.
fn with(from: &str, to: &str) -> String {
    assert!(DEMO.contains(from), "{from:?} is not in the demo catalog");
    DEMO.replacen(from, to, 1)
}

/// Asserts that the edited demo catalog fails with exactly these diagnostics.
#[track_caller]
fn assert_errors(text: &str, expected: &[&str]) {
    assert_eq!(errors(text), expected);
}

#[test]
fn toml_syntax() {
    assert_errors(
        &with("[source]", "[source"),
        &["demo/source.toml:3:8: error[toml-syntax]: unclosed table, expected `]`"],
    );
}

#[test]
fn schema_unknown_missing_and_mistyped_keys() {
    assert_errors(
        &with("owner = ", "colour = \"red\"\nowner = "),
        &[
            "demo/source.toml:6:1: error[schema]: unknown field `colour`, expected one of `event_source`, \
           `product`, `owner`, `description`, `docs_url`, `status`",
        ],
    );
    assert_errors(
        &with("product = \"Demo\"\n", ""),
        &["demo/source.toml:3:1: error[schema]: missing field `product`"],
    );
    assert_errors(
        &with("required = true", "required = \"yes\""),
        &["demo/source.toml:14:54: error[schema]: invalid type: string \"yes\", expected a boolean"],
    );
}

#[test]
fn event_source_must_be_a_dotted_name_within_the_sdk_limits() {
    assert_errors(
        &with("\"com.example.demo\"", "\"Demo\""),
        &[
            "demo/source.toml:4:16: error[event-source]: event_source \"Demo\" is not a lower-case dotted name \
           like \"com.example.product\" (labels of a-z, 0-9 and inner '-', at least two)",
        ],
    );
    assert_errors(
        &with("\"com.example.demo\"", "\"\""),
        &["demo/source.toml:4:16: error[event-source]: event_source \"\": must not be empty"],
    );
    let long = format!("\"com.{}\"", "a".repeat(1021));
    assert_errors(
        &with("\"com.example.demo\"", &long),
        &[&format!(
            "demo/source.toml:4:16: error[event-source]: event_source \"com.{}…\": 1025 characters, over the \
             1024-character limit",
            "a".repeat(36)
        )],
    );
}

#[test]
fn source_status_agrees_with_the_event_types() {
    let status = |s: &str| {
        with(
            "description = \"A demo product.\"",
            &format!("description = \"A demo product.\"\nstatus = \"{s}\""),
        )
    };
    assert_errors(
        &status("retired"),
        &[
            "demo/source.toml:8:10: error[source-status]: status \"retired\" is unknown; expected \"active\" or \
           \"reserved\"",
        ],
    );
    assert_errors(
        &status("reserved"),
        &[
            "demo/source.toml:10:1: error[source-status]: a source with status = \"reserved\" declares no event \
           types; remove the [[event]] tables or the status",
        ],
    );
    assert_errors(
        &DEMO[..DEMO.find("[[event]]").unwrap()],
        &[
            "demo/source.toml:3:1: error[source-status]: the source declares no event types: add [[event]] \
           tables, or set status = \"reserved\" for a reserved source without event types yet",
        ],
    );
    // A reserved source without event types loads.
    let reserved = format!(
        "{}status = \"reserved\"\n",
        &DEMO[..DEMO.find("[[event]]").unwrap()]
    );
    let catalog = load(&reserved).unwrap();
    assert!(catalog.sources()[0].events().is_empty());
}

#[test]
fn event_names_are_resource_verb_or_a_pattern() {
    assert_errors(
        &with("\"widget.created\"", "\"Widget.Created\""),
        &[
            "demo/source.toml:10:8: error[event-name]: event name \"Widget.Created\" is not `resource.verb` in \
           lowerCamel (like \"discoveryRule.created\"); use name_pattern for names of another form",
        ],
    );
    assert_errors(
        &with(
            "name = \"widget.created\"",
            "name = \"widget.created\"\nname_pattern = \"W*\"",
        ),
        &[
            "demo/source.toml:11:16: error[event-name]: an event type has either name or name_pattern, not both",
        ],
    );
    assert_errors(
        &with("name = \"widget.created\"\n", ""),
        &["demo/source.toml:9:1: error[event-name]: an event type needs name (or name_pattern)"],
    );
    assert_errors(
        &with(
            "name = \"widget.created\"",
            "name_pattern = \"Widget\"\nrust_name = \"Widget\"",
        ),
        &[
            "demo/source.toml:10:16: error[event-name]: name_pattern \"Widget\" must contain '*' (one or more \
           characters) and otherwise only letters, digits, '.', '_', '-' and ':'",
        ],
    );
}

#[test]
fn duplicate_event() {
    let again = "\n[[event]]\nname = \"widget.created\"\nversion = \"v2\"\ndescription = \"Again.\"\n\n\
                 [[event.example]]\n";
    assert_errors(
        &format!("{DEMO}{again}"),
        &[
            "demo/source.toml:21:1: error[duplicate-event]: event type \"widget.created\" is declared twice \
           (first at line 9)",
        ],
    );
}

#[test]
fn version_within_the_eventdata_limit() {
    assert_errors(
        &with("version = \"v1\"", "version = \" \""),
        &[
            "demo/source.toml:11:11: error[version]: version must have 1–256 characters and not be blank (it \
           becomes eventData.version)",
        ],
    );
    assert_errors(
        &with("version = \"v1\"", &format!("version = \"{}\"", "9".repeat(257))),
        &[
            "demo/source.toml:11:11: error[version]: version must have 1–256 characters and not be blank (it \
           becomes eventData.version)",
        ],
    );
}

#[test]
fn field_names() {
    let message = |name: &str| {
        format!(
            "demo/source.toml:15:14: error[field-name]: field name {name:?} must start with a letter or '_' and \
             hold only letters, digits, '_', '-' and '.'; a pattern has exactly one '*' (\"rp_*\")"
        )
    };
    for bad in ["the size", "a*b*", "0size", ""] {
        assert_errors(&with("\"size\"", &format!("{bad:?}")), &[&message(bad)]);
    }
}

#[test]
fn duplicate_field() {
    assert_errors(
        &with("name = \"size\"", "name = \"widgetId\""),
        &[
            "demo/source.toml:15:14: error[duplicate-field]: field \"widgetId\" is declared twice in \
           requestParameters (first at line 14)",
        ],
    );
    // The same name in two sections is two fields (their Rust names must still differ).
    let two_sections = with(
        "]\n\n[[event.example]]",
        "]\nresponse_elements = [{ name = \"widgetId\", type = \"string\", rust_name = \"created_id\", \
         description = \"x\" }]\n\n[[event.example]]",
    );
    load(&two_sections).unwrap();
}

#[test]
fn field_types_and_their_keys() {
    assert_errors(
        &with("type = \"integer\"", "type = \"int\""),
        &[
            "demo/source.toml:15:29: error[field-type]: type \"int\" is unknown; expected one of: string, \
           integer, number, boolean, timestamp, enum, object, array, any",
        ],
    );
    assert_errors(
        &with("type = \"integer\"", "type = \"integer\", values = [\"a\"]"),
        &["demo/source.toml:15:49: error[field-type]: values is only for type = \"enum\""],
    );
    assert_errors(
        &with("type = \"integer\"", "type = \"integer\", enum_name = \"Size\""),
        &["demo/source.toml:15:52: error[field-type]: enum_name is only for type = \"enum\""],
    );
    assert_errors(
        &with("type = \"integer\"", "type = \"integer\", items = \"string\""),
        &["demo/source.toml:15:48: error[field-type]: items is only for type = \"array\""],
    );
    assert_errors(
        &with("type = \"integer\"", "type = \"array\", items = \"list\""),
        &[
            "demo/source.toml:15:46: error[field-type]: items \"list\" is unknown; expected one of: string, \
           integer, number, boolean, timestamp, object, any",
        ],
    );
    assert_errors(
        &with("type = \"integer\"", "type = \"enum\""),
        &[
            "demo/source.toml:15:5: error[field-type]: an enum field needs values = [\"…\", …], the strings it \
           allows",
        ],
    );
}

#[test]
fn required_pattern() {
    assert_errors(
        &with(
            "{ name = \"size\", type = \"integer\",",
            "{ name = \"size_*\", type = \"integer\", required = true,",
        ),
        &[
            "demo/source.toml:15:53: error[required-pattern]: pattern field \"size_*\" cannot be required: a \
           pattern matches any number of keys, also none",
        ],
    );
}

#[test]
fn enum_values() {
    let values = |v: &str| with("type = \"integer\"", &format!("type = \"enum\", values = {v}"));
    assert_errors(
        &values("[]"),
        &["demo/source.toml:15:46: error[enum-values]: values must list at least one string"],
    );
    assert_errors(
        &values("[\"S\", \"M\", \"S\"]"),
        &["demo/source.toml:15:57: error[enum-values]: value \"S\" is listed twice"],
    );
    assert_errors(
        &values("[\"ok\", \"OK\"]"),
        &[
            "demo/source.toml:15:53: error[enum-values]: values \"ok\" and \"OK\" give the same Rust variant \
           name Ok",
        ],
    );
    assert_errors(
        &values("[\"--\"]"),
        &[
            "demo/source.toml:15:47: error[enum-values]: value \"--\" has no letters or digits to name its Rust \
           variant",
        ],
    );
}

#[test]
fn enum_conflict() {
    let text = with(
        "{ name = \"size\", type = \"integer\", description = \"Its size.\" },",
        "{ name = \"size\", type = \"enum\", enum_name = \"Size\", values = [\"S\"], description = \"x\" },\n    \
         { name = \"fit\", type = \"enum\", enum_name = \"Size\", values = [\"S\", \"M\"], description = \"x\" },",
    )
    .replacen("size = 3", "size = \"S\"", 1);
    assert_errors(
        &text,
        &[
            "demo/source.toml:16:48: error[enum-conflict]: enum Size has other values at line 15 (S); fields \
           sharing an enum_name must declare the same values",
        ],
    );
}

#[test]
fn rust_names() {
    assert_errors(
        &with("name = \"size\",", "name = \"size\", rust_name = \"Size\","),
        &["demo/source.toml:15:34: error[rust-name]: rust_name \"Size\" is not a snake_case Rust identifier"],
    );
    assert_errors(
        &with("version = \"v1\"", "version = \"v1\"\nrust_name = \"widget\""),
        &[
            "demo/source.toml:12:13: error[rust-name]: rust_name \"widget\" is not a PascalCase Rust identifier",
        ],
    );
    assert_errors(
        &with("version = \"v1\"", "version = \"v1\"\nrust_name = \"Result\""),
        &[
            "demo/source.toml:12:13: error[rust-name]: rust_name \"Result\" would shadow a type the generated \
           code uses",
        ],
    );
    assert_errors(
        &with("name = \"widget.created\"", "name_pattern = \"Widget*\""),
        &[
            "demo/source.toml:10:16: error[rust-name]: an event type declared by name_pattern needs rust_name, \
           the name of its Rust type",
        ],
    );
    assert_errors(
        &with("name = \"size\"", "name = \"widget_id\""),
        &[
            "demo/source.toml:15:5: error[rust-name]: the Rust field name widget_id is already used by the field \
           at line 14; set rust_name to tell them apart",
        ],
    );
    assert_errors(
        &with("name = \"size\"", "name = \"*\""),
        &[
            "demo/source.toml:15:14: error[rust-name]: field \"*\" gives the Rust name \"\", which is not a \
           snake_case Rust identifier; set rust_name",
        ],
    );
    // A pattern event type's struct has an `event_name` field.
    let pattern = with(
        "name = \"widget.created\"",
        "name_pattern = \"Widget*\"\nrust_name = \"WidgetCall\"",
    );
    assert_errors(
        &pattern.replacen("name = \"size\"", "name = \"eventName\"", 1),
        &[
            "demo/source.toml:16:5: error[rust-name]: the Rust field name event_name is already used by the event \
           name of this name_pattern event type at line 9; set rust_name to tell them apart",
        ],
    );
    // Two types with one name: an event type and an enum.
    assert_errors(
        &with(
            "type = \"integer\"",
            "type = \"enum\", enum_name = \"WidgetCreated\", values = [\"S\"]",
        )
        .replacen("size = 3", "size = \"S\"", 1),
        &[
            "demo/source.toml:15:49: error[rust-name]: the Rust type name WidgetCreated is already used by the \
           item at line 9; set rust_name (or enum_name) to tell them apart",
        ],
    );
}

#[test]
fn example_missing() {
    assert_errors(
        &with(
            "[[event.example]]\nrequest_parameters = { widgetId = \"w-1\", size = 3 }\n",
            "",
        ),
        &[
            "demo/source.toml:9:1: error[example-missing]: event type \"widget.created\" has no example; add an \
           [[event.example]] table",
        ],
    );
}

#[test]
fn example_values_must_have_a_json_form() {
    assert_errors(
        &with("size = 3 }", "size = 3, at = 2024-01-01T00:00:00Z }"),
        &[
            "demo/source.toml:19:57: error[example-value]: eventData.requestParameters.at: 2024-01-01T00:00:00Z \
           is a TOML date-time, which JSON does not have; write it as a string, like \"2024-01-01T12:00:00Z\"",
        ],
    );
    assert_errors(
        &with("size = 3 }", "size = nan }"),
        &[
            "demo/source.toml:19:49: error[example-value]: eventData.requestParameters.size: NaN is not a number \
           JSON can hold",
        ],
    );
}

#[test]
fn examples_must_pass_their_event_type() {
    assert_errors(
        &with("widgetId = \"w-1\", ", ""),
        &[
            "demo/source.toml:19:22: error[example-invalid]: eventData.requestParameters.widgetId: required field \
           is missing (required by widget.created, declared at demo/source.toml:14:5)",
        ],
    );
    assert_errors(
        &with("size = 3 }", "size = \"big\" }"),
        &[
            "demo/source.toml:19:42: error[example-invalid]: eventData.requestParameters.size: must be integer, \
           found a string",
        ],
    );
    assert_errors(
        &with("size = 3 }", "size = 3, colour = \"red\" }"),
        &[
            "demo/source.toml:19:52: error[example-invalid]: eventData.requestParameters.colour: field is not \
           declared by widget.created (a warning; an example must have none)",
        ],
    );
}

#[test]
fn examples_must_pass_the_sdk_validation() {
    let envelope = |e: &str| {
        with(
            "[[event.example]]\n",
            &format!("[[event.example]]\nenvelope = {{ {e} }}\n"),
        )
    };
    assert_errors(
        &envelope("event_time = \"202-07-12T10:55:00\""),
        &[
            "demo/source.toml:19:27: error[example-invalid]: eventData.eventTime: \"202-07-12T10:55:00\" is not a \
           valid eventTime: the year must have 4 digits in yyyy-MM-ddTHH:mm:ssZ (e.g. 2024-01-01T00:00:00Z)",
        ],
    );
    assert_errors(
        &envelope("recipient_account_id = \"12\""),
        &[
            "demo/source.toml:19:37: error[example-invalid]: eventData.recipientAccountId: must be an AWS account \
           ID of exactly 12 digits",
        ],
    );
    assert_errors(
        &envelope("source_ip_address = \"localhost\""),
        &[
            "demo/source.toml:19:34: error[example-invalid]: eventData.sourceIPAddress: not a valid IPv4 or IPv6 \
           address",
        ],
    );
    assert_errors(
        &envelope("user_identity = { type = \"\", principal_id = \"x\" }"),
        &["demo/source.toml:19:30: error[example-invalid]: eventData.userIdentity.type: must not be empty"],
    );
    let big = format!("{{ blob = \"{}\" }}", "x".repeat(100_000));
    assert_errors(
        &with(
            "]\n\n[[event.example]]",
            "]\nresponse_elements = [{ name = \"blob\", type = \"string\", description = \"x\" }]\n\n[[event.example]]",
        )
        .replacen("size = 3 }", &format!("size = 3 }}\nresponse_elements = {big}"), 1),
        &["demo/source.toml:21:21: error[example-invalid]: eventData.responseElements: 100011 bytes, over the \
           100 kB limit"],
    );
}

#[test]
fn example_event_names() {
    assert_errors(
        &with(
            "[[event.example]]\n",
            "[[event.example]]\nevent_name = \"widget.created\"\n",
        ),
        &[
            "demo/source.toml:19:14: error[example-invalid]: event_name is only for examples of name_pattern event \
           types; this one has a fixed name",
        ],
    );
    let pattern = with(
        "name = \"widget.created\"",
        "name_pattern = \"Widget*\"\nrust_name = \"WidgetCall\"",
    );
    assert_errors(
        &pattern,
        &[
            "demo/source.toml:19:1: error[example-invalid]: an example of a name_pattern event type needs \
           event_name, the eventName it shows",
        ],
    );
    assert_errors(
        &pattern.replacen(
            "[[event.example]]\n",
            "[[event.example]]\nevent_name = \"Gadget\"\n",
            1,
        ),
        &[
            "demo/source.toml:20:14: error[example-invalid]: event_name \"Gadget\" does not match the event \
           type's name_pattern \"Widget*\"",
        ],
    );
    let catalog = load(&pattern.replacen(
        "[[event.example]]\n",
        "[[event.example]]\nevent_name = \"WidgetMade\"\n",
        1,
    ))
    .unwrap();
    let example = catalog.sources()[0].events()[0].examples()[0].event_data();
    assert_eq!(example.event_name().as_str(), "WidgetMade");
}

#[test]
fn every_problem_of_a_file_is_reported_at_once() {
    let text = with("\"widget.created\"", "\"Widget\"").replacen("type = \"integer\"", "type = \"int\"", 1);
    assert_eq!(
        errors(&text)
            .iter()
            .map(|d| d.split(": error[").next().unwrap().to_owned())
            .collect::<Vec<_>>(),
        ["demo/source.toml:10:8", "demo/source.toml:15:29"]
    );
}

#[test]
fn folder_names_become_module_names() {
    let err = load_as("Bad Name", DEMO).unwrap_err();
    assert_eq!(
        err.diagnostics()[0].to_string(),
        "Bad Name/source.toml: error[folder-name]: folder \"Bad Name\" cannot name a Rust module: use \
         lower-case letters, digits, '_' and '-', starting with a letter"
    );
    let other = DEMO.replace("com.example.demo", "com.example.other");
    let err = Catalog::from_files([
        SourceFile::new("my-app", "my-app/source.toml", DEMO),
        SourceFile::new("my_app", "my_app/source.toml", other),
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid event-source catalog: 1 problem\n\
         my_app/source.toml: error[folder-name]: folder \"my_app\" gives the same Rust module name \"my_app\" \
         as my-app/source.toml"
    );
    assert_eq!(err.diagnostics()[0].rule(), CatalogRule::FolderName);
}

#[test]
fn duplicate_source_across_files() {
    let err = Catalog::from_files([
        SourceFile::new("one", "one/source.toml", DEMO),
        SourceFile::new("two", "two/source.toml", DEMO),
    ])
    .unwrap_err();
    assert_eq!(
        err.diagnostics()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        [
            "two/source.toml:4:16: error[duplicate-source]: event source \"com.example.demo\" is already declared \
          by one/source.toml:4:16"
        ]
    );
}

#[test]
fn no_sources() {
    let err = Catalog::from_files([]).unwrap_err();
    assert_eq!(err.diagnostics()[0].rule(), CatalogRule::NoSources);
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("notes")).unwrap();
    let err = Catalog::load(dir.path()).unwrap_err();
    assert_eq!(
        err.diagnostics()[0].to_string(),
        format!(
            "{}: error[no-sources]: no source: neither the directory nor a folder in it holds a source.toml",
            dir.path().display()
        )
    );
}

#[test]
fn unreadable_directory() {
    let err = Catalog::load(Path::new("/nonexistent/catalog")).unwrap_err();
    let d = &err.diagnostics()[0];
    assert_eq!(d.rule(), CatalogRule::Io);
    assert_eq!(d.file(), Path::new("/nonexistent/catalog"));
    assert!(
        d.to_string()
            .starts_with("/nonexistent/catalog: error[io]: cannot read: "),
        "{d}"
    );
}

#[test]
fn load_reads_subfolders_or_a_single_source_folder() {
    let dir = tempfile::tempdir().unwrap();
    for (folder, text) in [
        ("demo", DEMO.to_owned()),
        ("other", DEMO.replace(".demo", ".other")),
    ] {
        std::fs::create_dir(dir.path().join(folder)).unwrap();
        std::fs::write(dir.path().join(folder).join("source.toml"), text).unwrap();
    }
    std::fs::create_dir(dir.path().join("src")).unwrap();
    let catalog = Catalog::load(dir.path()).unwrap();
    assert_eq!(
        catalog.sources().iter().map(|s| s.folder()).collect::<Vec<_>>(),
        ["demo", "other"]
    );
    assert_eq!(catalog.sources()[0].path(), dir.path().join("demo/source.toml"));
    let single = Catalog::load(dir.path().join("other")).unwrap();
    assert_eq!(single.sources()[0].folder(), "other");
    assert_eq!(single.sources()[0].event_source(), "com.example.other");

    // Errors name the file as the loader found it.
    std::fs::write(dir.path().join("other/source.toml"), "[source").unwrap();
    let err = Catalog::load(dir.path()).unwrap_err();
    assert_eq!(
        err.diagnostics()[0].file(),
        dir.path().join("other").join("source.toml").as_path()
    );
}
