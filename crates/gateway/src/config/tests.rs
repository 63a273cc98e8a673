use super::*;

fn problems(text: &str) -> Vec<Problem> {
    parse(text).expect_err("config should be refused").problems
}

#[test]
fn the_default_config_is_valid_and_listens_on_loopback() {
    let config = parse(DEFAULT_CONFIG).unwrap();
    assert_eq!(config.server.listen, crate::paths::default_listen());
    assert!(config.logging.store_bodies);
    assert_eq!(config.logging.retention_days, 30);
}

#[test]
fn an_empty_file_gives_every_default() {
    let config = parse("").unwrap();
    assert_eq!(config.server.listen.to_string(), "127.0.0.1:4545");
    assert!(!config.server.require_client_key);
    assert!(config.providers.is_empty());
}

#[test]
fn base_urls_default_per_kind_and_lose_trailing_slashes() {
    let config = parse(
        r#"
[[providers]]
id = "openai"
kind = "openai"
[[providers]]
id = "claude"
kind = "anthropic"
[[providers]]
id = "ollama"
kind = "openai-compatible"
base_url = "http://127.0.0.1:11434/v1/"
"#,
    )
    .unwrap();
    let urls: Vec<&str> = config
        .providers
        .iter()
        .map(|p| p.base_url.as_str())
        .collect();
    assert_eq!(
        urls,
        [
            "https://api.openai.com/v1",
            "https://api.anthropic.com",
            "http://127.0.0.1:11434/v1"
        ]
    );
}

#[test]
fn unknown_fields_are_errors_with_their_line() {
    let found = problems("[server]\nlisten = \"127.0.0.1:4545\"\nlisen = 1\n");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].line, Some(3), "the typo is on line 3: {found:?}");
    assert!(found[0].message.contains("unknown field"), "{found:?}");
    assert_eq!(found[0].field, "lisen");
}

#[test]
fn semantic_problems_are_all_reported_with_lines_and_fields() {
    let text = r#"[[providers]]
id = "a"
kind = "openai"

[[providers]]
id = "a"
kind = "openai-compatible"

[[routes]]
alias = "coder"
targets = ["nobody/gpt-4.1"]
"#;
    let found = problems(text);
    let rendered: Vec<String> = found.iter().map(ToString::to_string).collect();
    assert!(
        rendered.contains(&"line 6: providers[1].id: duplicate provider id 'a'".to_owned()),
        "{rendered:#?}"
    );
    assert!(
        rendered.iter().any(|p| p.starts_with(
            "line 6: providers[1].base_url: a provider of kind 'openai-compatible' needs a base_url"
        )),
        "{rendered:#?}"
    );
    assert!(
        rendered
            .iter()
            .any(|p| p.starts_with("line 11: routes[0].targets[0]: 'nobody/gpt-4.1' must be")),
        "{rendered:#?}"
    );
}

#[test]
fn wrong_types_name_the_line() {
    let found = problems("[logging]\nretention_days = \"thirty\"\n");
    assert_eq!(found[0].line, Some(2), "{found:?}");
}

#[test]
fn a_bad_listen_address_is_refused() {
    let found = problems("[server]\nlisten = \"localhost\"\n");
    assert_eq!(found[0].field, "server.listen");
    assert_eq!(found[0].line, Some(2));
}

#[test]
fn negative_prices_are_refused() {
    let found = problems("[prices.\"openai/gpt-4.1\"]\ninput = -1.0\noutput = 8.0\n");
    assert_eq!(found[0].field, "prices.\"openai/gpt-4.1\"");
}

fn routing_config() -> Config {
    parse(
        r#"
[[providers]]
id = "openai"
kind = "openai"
models = ["gpt-4.1", "shared"]

[[providers]]
id = "groq"
kind = "openai-compatible"
base_url = "https://api.groq.com/openai/v1"
models = ["llama-3.3-70b", "shared"]

[[routes]]
alias = "coder"
targets = ["groq/llama-3.3-70b", "openai/gpt-4.1"]
"#,
    )
    .unwrap()
}

#[test]
fn a_route_alias_wins_over_everything() {
    let config = routing_config();
    let Ok(Resolution::Route(route)) = config.resolve("coder") else {
        panic!("coder is an alias")
    };
    assert_eq!(
        route.targets,
        vec![(1, "llama-3.3-70b".to_owned()), (0, "gpt-4.1".to_owned())]
    );
}

#[test]
fn provider_prefix_sends_the_rest_unchanged_even_with_more_slashes() {
    let config = routing_config();
    assert_eq!(
        config.resolve("openai/ft:gpt-4.1:org/custom"),
        Ok(Resolution::Direct(0, "ft:gpt-4.1:org/custom".to_owned()))
    );
}

#[test]
fn bare_names_resolve_only_when_one_provider_lists_them() {
    let config = routing_config();
    assert_eq!(
        config.resolve("llama-3.3-70b"),
        Ok(Resolution::Direct(1, "llama-3.3-70b".to_owned()))
    );
    assert_eq!(
        config.resolve("shared"),
        Err(ResolveError::Ambiguous(vec![
            "openai".into(),
            "groq".into()
        ]))
    );
    assert_eq!(config.resolve("gpt-5"), Err(ResolveError::Unknown));
    // An unknown prefix is just part of a (bare, unknown) model name.
    assert_eq!(config.resolve("meta/llama"), Err(ResolveError::Unknown));
}

#[test]
fn listed_models_start_with_aliases_and_skip_ambiguous_bare_names() {
    let ids: Vec<String> = routing_config()
        .listed_models()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(
        ids,
        [
            "coder",
            "openai/gpt-4.1",
            "gpt-4.1",
            "openai/shared",
            "groq/llama-3.3-70b",
            "llama-3.3-70b",
            "groq/shared"
        ]
    );
}

#[test]
fn price_overrides_prefer_the_qualified_key() {
    let config = parse(
        r#"
[prices."openai/gpt-4.1"]
input = 2.0
output = 8.0
[prices."gpt-4.1"]
input = 9.0
output = 9.0
"#,
    )
    .unwrap();
    assert_eq!(
        config.price_override("openai", "gpt-4.1").map(|p| p.input),
        Some(2.0)
    );
    assert_eq!(
        config.price_override("azure", "gpt-4.1").map(|p| p.input),
        Some(9.0)
    );
    assert_eq!(config.price_override("openai", "o3"), None);
}

#[test]
fn requiring_client_keys_is_accepted_now_that_they_can_be_issued() {
    let config = parse("[server]\nrequire_client_key = true\n").unwrap();
    assert!(config.server.require_client_key);
}

#[test]
fn allowed_hosts_and_origins_are_checked_and_normalised() {
    let config = parse(
        r#"[server]
allowed_hosts = [" GW.lan ", "box.lan:80", "gw.lan."]
allowed_origins = ["http://Dev.lan:5173/"]
"#,
    )
    .unwrap();
    assert_eq!(
        config.server.allowed_hosts,
        ["gw.lan", "box.lan:80", "gw.lan"]
    );
    assert_eq!(config.server.allowed_origins, ["http://dev.lan:5173"]);
    for bad in [
        r#"allowed_hosts = ["http://gw.lan"]"#,
        r#"allowed_hosts = ["gw.lan:99999"]"#,
        r#"allowed_hosts = [""]"#,
        r#"allowed_origins = ["dev.lan"]"#,
        r#"allowed_origins = ["http://dev.lan/path"]"#,
    ] {
        let found = problems(&format!("[server]\n{bad}\n"));
        assert_eq!(
            found[0].line,
            Some(2),
            "{bad} is refused on its line: {found:?}"
        );
    }
}

#[test]
fn request_and_answer_sizes_have_a_ceiling() {
    let found = problems("[server]\nmax_body_mb = 100000\n");
    assert_eq!(found[0].field, "server.max_body_mb");
    assert_eq!(found[0].line, Some(2));
    let found = problems("[server]\nmax_body_mb = 0\n");
    assert_eq!(found[0].field, "server.max_body_mb");
    let found = problems("[server]\nmax_answer_mb = 5000\n");
    assert_eq!(found[0].field, "server.max_answer_mb");
    let config = parse("[server]\nmax_answer_mb = 2\n").unwrap();
    assert_eq!(config.server.max_answer_bytes, 2 * 1024 * 1024);
}
