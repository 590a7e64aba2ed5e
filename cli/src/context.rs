//! What every command gets: the global options, the chosen output format and the standard-error UI.

use crate::aws::Aws;
use crate::cli::{GlobalArgs, OutputFormat};
use crate::exit::CliResult;
use crate::ui::Ui;

/// The environment of one command run.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    /// The global options as given.
    pub(crate) global: GlobalArgs,
    /// The output format after applying the defaults (flag, `AWS_DEFAULT_OUTPUT`, profile, json).
    pub(crate) output: OutputFormat,
    /// Standard error.
    pub(crate) ui: Ui,
}

impl Context {
    /// Resolves the output format and the UI from the global options.
    pub(crate) fn new(global: GlobalArgs) -> Self {
        let output = resolve_output(&global);
        let ui = Ui::new(&global);
        Self { global, output, ui }
    }

    /// Loads the AWS configuration (Region and credentials are required).
    ///
    /// # Errors
    /// 253 when the Region or the credentials are missing.
    pub(crate) async fn aws(&self) -> CliResult<Aws> {
        Aws::load(&self.global).await
    }
}

/// `--output`, else `AWS_DEFAULT_OUTPUT`, else the profile's `output`, else json (the AWS CLI's order).
/// Values ctlake does not have (yaml, off) are skipped.
fn resolve_output(global: &GlobalArgs) -> OutputFormat {
    if let Some(format) = global.output {
        return format;
    }
    if let Some(format) = std::env::var("AWS_DEFAULT_OUTPUT")
        .ok()
        .as_deref()
        .and_then(OutputFormat::from_setting)
    {
        return format;
    }
    profile_output(global.profile.as_deref()).unwrap_or(OutputFormat::Json)
}

/// The `output` setting of the selected profile in ~/.aws/config (or AWS_CONFIG_FILE).
fn profile_output(profile: Option<&str>) -> Option<OutputFormat> {
    let path = std::env::var_os("AWS_CONFIG_FILE")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| std::path::Path::new(&home).join(".aws").join("config"))
        })?;
    let text = std::fs::read_to_string(path).ok()?;
    let selected = profile
        .map(str::to_owned)
        .or_else(|| std::env::var("AWS_PROFILE").ok())
        .unwrap_or_else(|| "default".to_owned());
    ini_value(&text, &selected, "output").and_then(|v| OutputFormat::from_setting(&v))
}

/// Reads `key` from the section of `profile` in an AWS config file (`[default]` or `[profile NAME]`).
fn ini_value(text: &str, profile: &str, key: &str) -> Option<String> {
    let mut in_section = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let header = header.trim();
            let name = header.strip_prefix("profile").map(str::trim).unwrap_or(header);
            in_section = name == profile;
            continue;
        }
        if in_section
            && let Some((k, v)) = line.split_once('=')
            && k.trim() == key
        {
            return Some(v.trim().to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_selected_profile_only() {
        let text = "[default]\noutput = table\n\n[profile ci]\nregion=eu-west-1\noutput=text\n[sso-session x]\noutput=json\n";
        assert_eq!(ini_value(text, "default", "output").as_deref(), Some("table"));
        assert_eq!(ini_value(text, "ci", "output").as_deref(), Some("text"));
        assert_eq!(ini_value(text, "other", "output"), None);
    }
}
