use super::*;
use crate::config::{self, DEFAULT_CONFIG};

fn provider(id: &str, kind: &str, base_url: Option<&str>) -> ProviderInput {
    ProviderInput {
        id: id.into(),
        kind: kind.into(),
        base_url: base_url.map(Into::into),
        key_env: None,
        models: vec!["m1".into(), "m2".into()],
        headers: BTreeMap::new(),
    }
}

/// Every comment line of `before` is still somewhere in `after`.
fn keeps_comments(before: &str, after: &str) {
    for line in before.lines().filter(|l| l.trim_start().starts_with('#')) {
        assert!(
            after.contains(line),
            "lost comment line {line:?} in:\n{after}"
        );
    }
}

#[test]
fn adding_a_provider_to_the_default_file_keeps_every_comment_and_validates() {
    let p = provider(
        "groq",
        "openai-compatible",
        Some("https://api.groq.com/openai/v1"),
    );
    let after = upsert_provider(DEFAULT_CONFIG, &p).unwrap();
    keeps_comments(DEFAULT_CONFIG, &after);
    let parsed = config::parse(&after).unwrap();
    let groq = parsed.provider("groq").unwrap();
    assert_eq!(groq.base_url, "https://api.groq.com/openai/v1");
    assert_eq!(groq.models, ["m1", "m2"]);
    assert!(
        parsed.provider("openai").is_some(),
        "the existing provider stays"
    );
}

#[test]
fn editing_a_provider_changes_only_its_edited_fields_and_keeps_trailing_comments() {
    let text = "[[providers]]\nid = \"local\"   # my box\nkind = \"openai-compatible\"\n\
                base_url = \"http://127.0.0.1:1/v1\"  # the old port\nstream_usage = \"never\"\n";
    let mut p = provider("local", "openai-compatible", Some("http://127.0.0.1:2/v1"));
    p.models.clear();
    let after = upsert_provider(text, &p).unwrap();
    assert!(
        after.contains("base_url = \"http://127.0.0.1:2/v1\"  # the old port"),
        "{after}"
    );
    assert!(after.contains("id = \"local\"   # my box"));
    assert!(
        after.contains("stream_usage = \"never\""),
        "fields the dashboard does not edit stay"
    );
    assert!(!after.contains("models"), "an empty model list is left out");
}

#[test]
fn removing_a_provider_leaves_the_others() {
    let two = upsert_provider(DEFAULT_CONFIG, &provider("b", "anthropic", None)).unwrap();
    let after = remove_provider(&two, "openai").unwrap();
    let parsed = config::parse(&after).unwrap();
    assert!(parsed.provider("openai").is_none());
    assert!(parsed.provider("b").is_some());
    assert_eq!(
        remove_provider(&after, "nope"),
        Err(EditError::Missing {
            what: "provider",
            name: "nope".into()
        })
    );
}

#[test]
fn a_route_is_created_then_reordered_in_place() {
    let route = RouteInput {
        targets: vec!["openai/gpt-4.1".into(), "openai/gpt-4.1-mini".into()],
        strategy: Some("fallback".into()),
    };
    let created = upsert_route(DEFAULT_CONFIG, "coder", &route).unwrap();
    let reordered = RouteInput {
        targets: vec!["openai/gpt-4.1-mini".into(), "openai/gpt-4.1".into()],
        strategy: Some("cheapest".into()),
    };
    let after = upsert_route(&created, "coder", &reordered).unwrap();
    let headers = after.lines().filter(|l| l.trim() == "[[routes]]").count();
    assert_eq!(headers, 1, "replaced in place, not added twice:\n{after}");
    let parsed = config::parse(&after).unwrap();
    let targets: Vec<_> = parsed.routes[0]
        .targets
        .iter()
        .map(|(_, m)| m.as_str())
        .collect();
    assert_eq!(targets, ["gpt-4.1-mini", "gpt-4.1"]);
    assert_eq!(parsed.routes[0].strategy.as_str(), "cheapest");
    let gone = remove_route(&after, "coder").unwrap();
    assert!(config::parse(&gone).unwrap().routes.is_empty());
}

#[test]
fn a_price_override_is_written_under_its_quoted_model_name_without_an_empty_prices_header() {
    let price = PriceInput {
        input: 2.0,
        output: 8.0,
        cached_input: Some(0.5),
        cache_write: None,
    };
    let after = set_price(DEFAULT_CONFIG, "openai/gpt-4.1", &price).unwrap();
    assert!(after.contains("[prices.\"openai/gpt-4.1\"]"), "{after}");
    assert!(!after.contains("\n[prices]\n"), "{after}");
    let parsed = config::parse(&after).unwrap();
    assert_eq!(parsed.prices["openai/gpt-4.1"].cached_input, Some(0.5));
    let cheaper = PriceInput {
        input: 1.0,
        ..price
    };
    let edited = set_price(&after, "openai/gpt-4.1", &cheaper).unwrap();
    assert_eq!(
        config::parse(&edited).unwrap().prices["openai/gpt-4.1"].input,
        1.0
    );
    let removed = remove_price(&edited, "openai/gpt-4.1").unwrap();
    assert!(config::parse(&removed).unwrap().prices.is_empty());
}

#[test]
fn settings_write_server_logging_and_budgets_and_an_empty_budget_removes_the_table() {
    let mut settings = Settings {
        listen: "127.0.0.1:4646".into(),
        max_body_mb: 8,
        store_bodies: false,
        retention_days: 7,
        max_stored_body_kb: 64,
        retention_max_mb: 512,
        budgets: Some(BudgetSettings {
            daily_usd: Some(5.0),
            monthly_usd: None,
            action: "block".into(),
        }),
        restart_required: false,
    };
    let after = set_settings(DEFAULT_CONFIG, &settings).unwrap();
    keeps_comments(DEFAULT_CONFIG, &after);
    let parsed = config::parse(&after).unwrap();
    assert_eq!(parsed.server.listen.to_string(), "127.0.0.1:4646");
    assert!(!parsed.logging.store_bodies);
    assert_eq!(parsed.logging.retention_days, 7);
    assert_eq!(parsed.logging.retention_max_mb, 512);
    assert_eq!(parsed.budgets.as_ref().unwrap().daily_usd, Some(5.0));
    settings.budgets = None;
    let without = set_settings(&after, &settings).unwrap();
    assert!(config::parse(&without).unwrap().budgets.is_none());
}

#[test]
fn an_edit_that_breaks_the_rules_still_parses_as_toml_so_validation_can_name_the_field() {
    let bad = provider("x", "openai-compatible", Some("not a url"));
    let after = upsert_provider(DEFAULT_CONFIG, &bad).unwrap();
    let problems = config::parse(&after).unwrap_err().problems;
    assert!(
        problems.iter().any(|p| p.field.ends_with("base_url")),
        "{problems:?}"
    );
}

#[test]
fn editing_a_provider_with_a_list_of_key_variables_keeps_the_list() {
    let text = "[[providers]]\nid = \"p\"\nkind = \"openai\"\nkey_env = [\"A\", \"B\"]\n";
    let mut edit = provider("p", "openai", None);
    edit.key_env = Some("A".into());
    let after = upsert_provider(text, &edit).unwrap();
    assert_eq!(
        config::parse(&after).unwrap().providers[0].key_env,
        ["A", "B"],
        "the dashboard shows the first name; sending it back keeps both"
    );
    edit.key_env = Some("C".into());
    let after = upsert_provider(text, &edit).unwrap();
    assert_eq!(config::parse(&after).unwrap().providers[0].key_env, ["C"]);
}
