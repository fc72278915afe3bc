//! `docs/configuration.md` and `config/production.toml` against the settings
//! type: every key the service reads is documented and exemplified, nothing
//! else is, and the documented defaults, ranges and choices are the real
//! ones. A key added to `Settings` fails these tests until it is documented.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use figment::value::Value;

use super::{failure, in_jail, loaded, repo_config_dir, set_production_secrets};
use crate::settings::load::NOT_SETTINGS;
use crate::settings::*;

/// Read by `tracing`'s filter, not by the settings loader.
const LOG_FILTER_VAR: &str = "RUST_LOG";

/// What the document says for a secret's built-in default, which
/// `check-config` shows as [`REDACTED`].
const SECRET_DEFAULT: &str = "a development-only value";

fn repo_file(path: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every leaf of the built-in defaults by dotted key, serialised as for
/// `check-config` (secrets redacted). figment's serialiser, not TOML's: TOML
/// leaves unset options out, figment keeps them as empty values. `env` is
/// not a setting (it comes from `APP_ENV` alone).
fn settings_leaves() -> BTreeMap<String, Value> {
    fn walk(prefix: &str, value: &Value, out: &mut BTreeMap<String, Value>) {
        match value {
            Value::Dict(_, dict) => {
                for (name, value) in dict {
                    let key = if prefix.is_empty() {
                        name.clone()
                    } else {
                        format!("{prefix}.{name}")
                    };
                    walk(&key, value, out);
                }
            }
            leaf => {
                out.insert(prefix.to_owned(), leaf.clone());
            }
        }
    }
    let value = Value::serialize(Settings::default()).unwrap();
    let mut leaves = BTreeMap::new();
    walk("", &value, &mut leaves);
    assert!(leaves.remove(key!(env)).is_some(), "env is serialised");
    leaves
}

fn settings_keys() -> BTreeSet<String> {
    settings_leaves().into_keys().collect()
}

/// The cells of the table rows in the part of `doc` under `heading` (up to
/// the next heading of that level or higher) whose first cell is a variable.
fn rows_under(doc: &str, heading: &str) -> Vec<Vec<String>> {
    let level = heading.chars().take_while(|&c| c == '#').count();
    let start = doc
        .lines()
        .position(|line| line == heading)
        .unwrap_or_else(|| panic!("no `{heading}` in the document"));
    doc.lines()
        .skip(start + 1)
        .take_while(|line| {
            let hashes = line.chars().take_while(|&c| c == '#').count();
            !(hashes > 0 && hashes <= level && line[hashes..].starts_with(' '))
        })
        .filter(|line| line.starts_with("| `"))
        .map(|line| {
            line.trim()
                .trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().to_owned())
                .collect()
        })
        .collect()
}

/// A documented setting: one row of a table under "## Settings".
#[derive(Debug)]
struct Row {
    variable: String,
    key: String,
    default: String,
    accepted: String,
}

fn unquoted(cell: &str) -> String {
    cell.strip_prefix('`')
        .and_then(|cell| cell.strip_suffix('`'))
        .unwrap_or_else(|| panic!("`{cell}` is not one code span"))
        .to_owned()
}

fn documented_settings() -> Vec<Row> {
    rows_under(&repo_file("docs/configuration.md"), "## Settings")
        .into_iter()
        .map(|cells| {
            assert_eq!(cells.len(), 5, "a settings row has five cells: {cells:?}");
            Row {
                variable: unquoted(&cells[0]),
                key: unquoted(&cells[1]),
                default: cells[2].clone(),
                accepted: cells[3].clone(),
            }
        })
        .collect()
}

fn documented(key: &str) -> Row {
    documented_settings()
        .into_iter()
        .find(|row| row.key == key)
        .unwrap_or_else(|| panic!("{key} is not documented"))
}

/// How the document writes a default: the value as a code span, `unset`
/// for an unset option, and words for a secret.
fn rendered(value: &Value) -> String {
    match value {
        Value::String(_, text) if text == REDACTED => SECRET_DEFAULT.to_owned(),
        Value::String(_, text) => format!("`{text}`"),
        Value::Num(..) => format!("`{}`", value.to_u128().expect("unsigned")),
        Value::Bool(_, flag) => format!("`{flag}`"),
        Value::Array(_, items) if items.is_empty() => "`[]`".to_owned(),
        Value::Empty(..) => "unset".to_owned(),
        other => panic!("no rendering for the default {other:?}"),
    }
}

/// Every code span in `text`.
fn code_spans(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// The bounds of an accepted cell that starts `MIN to MAX`.
fn range(accepted: &str) -> Option<(i128, i128)> {
    let mut words = accepted.split([' ', ';', ',']);
    let min = words.next()?.parse().ok()?;
    (words.next()? == "to").then_some(())?;
    let max = words.next()?.parse().ok()?;
    Some((min, max))
}

#[test]
fn the_configuration_document_lists_exactly_the_keys_of_the_settings() {
    let rows = documented_settings();
    let documented: BTreeSet<String> = rows.iter().map(|row| row.key.clone()).collect();
    assert_eq!(documented.len(), rows.len(), "a key is documented twice");
    assert_eq!(documented, settings_keys());
}

#[test]
fn each_documented_variable_is_the_environment_name_of_its_key() {
    for row in documented_settings() {
        assert_eq!(row.variable, ConfigError::env_var(&row.key), "{row:?}");
    }
}

#[test]
fn each_documented_default_is_the_built_in_default() {
    let computed = [
        key!(database.max_connections),
        key!(log.format),
        key!(pages.enabled),
    ];
    for (key, value) in settings_leaves() {
        if !computed.contains(&key.as_str()) {
            assert_eq!(documented(&key).default, rendered(&value), "{key}");
        }
    }
}

#[test]
fn the_documented_pool_size_is_the_one_computed_for_each_backend() {
    let default = documented(key!(database.max_connections)).default;
    for (name, backend) in [
        ("PostgreSQL", Backend::Postgres),
        ("SQLite", Backend::Sqlite),
    ] {
        // Six cores is inside both backends' bounds.
        let per_core = default_max_connections(backend, 6) / 6;
        let (low, high) = (
            default_max_connections(backend, 1),
            default_max_connections(backend, 10_000),
        );
        let said = format!("{name} {per_core} per core ({low} to {high})");
        assert!(default.contains(&said), "`{default}` lacks `{said}`");
    }
    let memory = format!(
        "`memory:` {}",
        StorageUrl::Memory.default_max_connections(1)
    );
    assert!(default.contains(&memory), "`{default}` lacks `{memory}`");
}

#[test]
fn the_documented_log_format_default_is_the_one_for_each_environment() {
    assert_eq!(
        AppEnv::Test.default_log_format(),
        AppEnv::Development.default_log_format()
    );
    assert_eq!(
        documented(key!(log.format)).default,
        format!(
            "`{}` in production, else `{}`",
            AppEnv::Production.default_log_format(),
            AppEnv::Development.default_log_format()
        )
    );
}

#[test]
fn the_documented_pages_default_is_derived_from_the_public_url() {
    // The built-in public URL is the built-in listener's address.
    assert!(Settings::default().pages.enabled);
    assert_eq!(
        documented(key!(pages.enabled)).default,
        format!(
            "`true` when `{}` is this service's own address, else `false`",
            key!(public_url)
        )
    );
}

#[test]
fn the_documented_ranges_are_the_ones_loading_enforces() {
    let ranged: Vec<(Row, (i128, i128))> = documented_settings()
        .into_iter()
        .filter_map(|row| range(&row.accepted).map(|bounds| (row, bounds)))
        .collect();
    assert!(ranged.len() >= 15, "only {} ranges found", ranged.len());
    for (row, (min, max)) in ranged {
        in_jail(|jail| {
            for inside in [min, max] {
                jail.set_env(&row.variable, inside);
                loaded();
            }
            for outside in [min - 1, max + 1] {
                jail.set_env(&row.variable, outside);
                let line = failure();
                assert!(
                    line.starts_with(&format!("{} ({}): ", row.variable, row.key)),
                    "{}={outside}: {line}",
                    row.variable
                );
            }
        });
    }
}

#[test]
fn the_documented_choices_are_the_names_loading_accepts() {
    let choices: Vec<(Row, Vec<String>)> = documented_settings()
        .into_iter()
        .filter(|row| row.accepted.starts_with("one of: "))
        .map(|row| {
            let names = code_spans(&row.accepted);
            (row, names)
        })
        .collect();
    assert!(choices.len() >= 3, "{choices:?}");
    for (row, names) in choices {
        in_jail(|jail| {
            for name in &names {
                jail.set_env(&row.variable, name);
                loaded();
            }
            jail.set_env(&row.variable, "no-such-choice");
            let expected = format!("must be one of {}, got", names.join(", "));
            let line = failure();
            assert!(line.contains(&expected), "{line}");
        });
    }
}

#[test]
fn the_document_lists_the_variables_read_outside_the_settings() {
    let rows = rows_under(
        &repo_file("docs/configuration.md"),
        "## Read outside the settings",
    );
    let documented: BTreeSet<String> = rows.iter().map(|cells| unquoted(&cells[0])).collect();
    let mut read: BTreeSet<String> = NOT_SETTINGS
        .iter()
        .map(|name| ConfigError::env_var(name))
        .collect();
    read.insert(LOG_FILTER_VAR.to_owned());
    assert_eq!(documented, read);
}

/// The production example with its commented-out assignments
/// (`# key = value`) turned into settings.
fn production_example_uncommented() -> String {
    repo_file("config/production.toml")
        .lines()
        .map(|line| match commented_assignment(line) {
            Some(assignment) => assignment.to_owned(),
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `key = value` when `line` is such an assignment commented out.
fn commented_assignment(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('#')?.trim_start();
    let (key, _) = rest.split_once('=')?;
    let key = key.trim();
    let is_key = !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_');
    (is_key && rest.parse::<toml::Table>().is_ok()).then_some(rest)
}

#[test]
fn the_production_example_names_every_settings_key_set_or_commented_out() {
    fn walk(prefix: &str, table: &toml::Table, out: &mut BTreeSet<String>) {
        for (name, value) in table {
            let key = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}.{name}")
            };
            match value {
                toml::Value::Table(table) => walk(&key, table, out),
                _ => {
                    out.insert(key);
                }
            }
        }
    }
    let table: toml::Table = production_example_uncommented().parse().unwrap();
    let mut keys = BTreeSet::new();
    walk("", &table, &mut keys);
    assert_eq!(keys, settings_keys());
}

#[test]
fn every_key_in_the_production_example_has_a_comment_line_above_it() {
    let file = repo_file("config/production.toml");
    let lines: Vec<&str> = file.lines().collect();
    let mut keys = 0;
    for (index, line) in lines.iter().enumerate() {
        let is_key = commented_assignment(line).is_some()
            || (!line.starts_with('#') && !line.starts_with('[') && line.contains('='));
        if !is_key {
            continue;
        }
        keys += 1;
        let above = index.checked_sub(1).map(|above| lines[above]);
        assert!(
            above.is_some_and(|above| {
                above.starts_with("# ") && commented_assignment(above).is_none()
            }),
            "no comment above `{line}`"
        );
    }
    assert_eq!(keys, settings_keys().len());
}

#[test]
fn the_production_example_with_its_commented_keys_set_loads_in_production() {
    in_jail(|jail| {
        jail.create_dir("config").unwrap();
        jail.create_file(
            "config/default.toml",
            &std::fs::read_to_string(repo_config_dir().join("default.toml")).unwrap(),
        )
        .unwrap();
        jail.create_file("config/production.toml", &production_example_uncommented())
            .unwrap();
        jail.set_env("APP_ENV", "production");
        set_production_secrets(jail);
        jail.set_env(
            "APP_DATABASE__URL",
            "postgres://app:db-password@db.internal:5432/app",
        );
        jail.set_env("APP_MAIL__SMTP__PASSWORD", "smtp-password");
        assert_eq!(loaded().env, AppEnv::Production);
    });
}
