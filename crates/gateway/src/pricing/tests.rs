//! The reference table: each case priced by hand from the provider's published prices (the
//! arithmetic is in the comment, in micro-dollars: tokens × USD per million), then through the
//! same lookup and formula the proxy uses.

use std::sync::Arc;

use switchyard_protocol::Usage;

use super::*;
use crate::config::{self, Price};

const PROVIDERS: &str = r#"
[[providers]]
id = "openai"
kind = "openai"

[[providers]]
id = "anthropic"
kind = "anthropic"

[[providers]]
id = "google"
kind = "gemini"

[[providers]]
id = "groq"
kind = "openai-compatible"
base_url = "https://api.groq.com/openai/v1"

[[providers]]
id = "or"
kind = "openai-compatible"
base_url = "https://openrouter.ai/api/v1"

[[providers]]
id = "deepseek"
kind = "openai-compatible"
base_url = "https://api.deepseek.com/v1"

[[providers]]
id = "ollama"
kind = "openai-compatible"
base_url = "http://127.0.0.1:11434/v1"
"#;

fn config(extra: &str) -> Config {
    config::parse(&format!("{PROVIDERS}\n{extra}")).unwrap()
}

fn usage(input: u64, cached: u64, written: u64, output: u64) -> Usage {
    Usage {
        input_tokens: input,
        cached_input_tokens: cached,
        cache_write_tokens: written,
        output_tokens: output,
        reasoning_tokens: 0,
    }
}

/// Asserts the cost of `usage` for `model` at `provider`, and returns where the price came from.
#[track_caller]
fn costs(config: &Config, provider: &str, model: &str, usage: Usage, expected_usd: f64) -> String {
    let priced = lookup(config, provider, model)
        .unwrap_or_else(|| panic!("{provider}/{model} should have a price with no configuration"));
    let cost = priced.cost(&usage);
    assert!(
        (cost - expected_usd).abs() < 1e-12,
        "{provider}/{model}: expected ${expected_usd}, got ${cost} (price from {})",
        priced.source
    );
    priced.source
}

#[test]
fn plain_input_and_output() {
    // gpt-4.1 at $2 in / $8 out: 1,000 × 2 + 500 × 8 = 2,000 + 4,000 = 6,000 µ$.
    let source = costs(
        &config(""),
        "openai",
        "gpt-4.1",
        usage(1_000, 0, 0, 500),
        0.006,
    );
    assert_eq!(source, "builtin:openai/gpt-4.1 (as of 2026-04)");
}

#[test]
fn cached_input_is_billed_at_the_cache_read_price() {
    // gpt-6.2-sol, $2 in / $0.10 cached / $10 out; 10,000 prompt tokens, 8,000 of them cached:
    // 2,000 × 2 + 8,000 × 0.10 + 100 × 10 = 4,000 + 800 + 1,000 = 5,800 µ$.
    costs(
        &config(""),
        "openai",
        "gpt-6.2-sol",
        usage(10_000, 8_000, 0, 100),
        0.0058,
    );
}

#[test]
fn anthropic_cache_reads_are_a_tenth_of_input() {
    // claude-opus-4-5, $5 in / $0.50 cache hit / $25 out. Anthropic reported input_tokens 50
    // and cache_read_input_tokens 100,000, so the canonical prompt is 100,050 tokens:
    // 50 × 5 + 100,000 × 0.5 + 1,000 × 25 = 250 + 50,000 + 25,000 = 75,250 µ$.
    costs(
        &config(""),
        "anthropic",
        "claude-opus-4-5",
        usage(100_050, 100_000, 0, 1_000),
        0.07525,
    );
}

#[test]
fn five_minute_cache_writes() {
    // claude-sonnet-4-5, $3 in / $3.75 5-minute write / $15 out. Anthropic reported
    // input_tokens 1,000 and cache_creation_input_tokens 10,000 (prompt 11,000):
    // 1,000 × 3 + 10,000 × 3.75 + 500 × 15 = 3,000 + 37,500 + 7,500 = 48,000 µ$.
    let source = costs(
        &config(""),
        "anthropic",
        "claude-sonnet-4-5-20250929",
        usage(11_000, 0, 10_000, 500),
        0.048,
    );
    assert_eq!(
        source,
        "builtin:anthropic/claude-sonnet-4-5 (as of 2026-10-24)"
    );
}

#[test]
fn one_hour_cache_writes() {
    // The same request with its 10,000 writes at the 1-hour price ($6 = 2 × input):
    // 1,000 × 3 + 10,000 × 6 + 500 × 15 = 3,000 + 60,000 + 7,500 = 70,500 µ$.
    let priced = lookup(&config(""), "anthropic", "claude-sonnet-4-5").unwrap();
    let cost = priced
        .price
        .cost_with_1h_writes(&usage(11_000, 0, 10_000, 500), 10_000);
    assert!((cost - 0.0705).abs() < 1e-12, "{cost}");
    // Half of them at 1 hour: 1,000 × 3 + 5,000 × 3.75 + 5,000 × 6 + 500 × 15
    // = 3,000 + 18,750 + 30,000 + 7,500 = 59,250 µ$.
    let cost = priced
        .price
        .cost_with_1h_writes(&usage(11_000, 0, 10_000, 500), 5_000);
    assert!((cost - 0.05925).abs() < 1e-12, "{cost}");
}

#[test]
fn the_breakdown_is_the_cost_formula_part_by_part() {
    let priced = lookup(&config(""), "anthropic", "claude-sonnet-4-5").unwrap();
    let usage = usage(11_000, 2_000, 5_000, 500);
    let parts = priced.price.base.breakdown(&usage, 1_000);
    // 4,000 uncached × 3, 2,000 reads × 0.30, 4,000 writes × 3.75, 1,000 1-hour writes × 6,
    // 500 out × 15.
    let expected = [0.012, 0.0006, 0.015, 0.006, 0.0075];
    let got = [
        parts.uncached_input,
        parts.cache_reads,
        parts.cache_writes,
        parts.cache_writes_1h,
        parts.output,
    ];
    for (got, expected) in got.iter().zip(expected) {
        assert!((got - expected).abs() < 1e-12, "{parts:?}");
    }
    let cost = priced.price.cost_with_1h_writes(&usage, 1_000);
    assert!(
        (parts.total() - cost).abs() < 1e-15,
        "{} vs {cost}",
        parts.total()
    );
}

#[test]
fn a_recorded_cost_is_split_only_while_its_price_still_gives_it() {
    let config = config("");
    let usage = usage(1_000, 0, 0, 500);
    let priced = lookup(&config, "anthropic", "claude-sonnet-4-5").unwrap();
    let cost = priced.cost(&usage);
    let target = ("anthropic", "claude-sonnet-4-5");
    let split = recorded_breakdown(&config, target, &priced.source, &usage, cost).unwrap();
    assert!((split.total() - cost).abs() < 1e-15);
    assert_eq!(
        recorded_breakdown(&config, target, &priced.source, &usage, cost * 2.0),
        None,
        "priced differently back then"
    );
    assert_eq!(
        recorded_breakdown(
            &config,
            target,
            "config:anthropic/claude-sonnet-4-5",
            &usage,
            cost
        ),
        None,
        "priced from another source"
    );
}

#[test]
fn reasoning_tokens_are_already_inside_output() {
    // o4-mini, $1.10 in / $4.40 out; 3,000 output tokens of which 2,500 reasoning:
    // 2,000 × 1.10 + 3,000 × 4.40 = 2,200 + 13,200 = 15,400 µ$ (reasoning not added again).
    let mut u = usage(2_000, 0, 0, 3_000);
    u.reasoning_tokens = 2_500;
    costs(&config(""), "openai", "o4-mini", u, 0.0154);
    // gemini-2.5-flash, $0.30 in / $2.50 out (thinking included); 5,000 output of which
    // 4,000 thoughts: 10,000 × 0.30 + 5,000 × 2.50 = 3,000 + 12,500 = 15,500 µ$.
    let mut u = usage(10_000, 0, 0, 5_000);
    u.reasoning_tokens = 4_000;
    costs(&config(""), "google", "gemini-2.5-flash", u, 0.0155);
}

#[test]
fn long_context_tier_prices_the_whole_request() {
    // claude-sonnet-4-5 above 200K prompt tokens: $6 in / $0.60 cache hit / $22.50 out.
    // 250,000 prompt tokens (200,000 cache reads) and 2,000 out:
    // 50,000 × 6 + 200,000 × 0.60 + 2,000 × 22.50 = 300,000 + 120,000 + 45,000 = 465,000 µ$.
    costs(
        &config(""),
        "anthropic",
        "claude-sonnet-4-5",
        usage(250_000, 200_000, 0, 2_000),
        0.465,
    );
    // Exactly 200,000 is not above the threshold: 200,000 × 3 + 1,000 × 15 = 615,000 µ$.
    costs(
        &config(""),
        "anthropic",
        "claude-sonnet-4-5",
        usage(200_000, 0, 0, 1_000),
        0.615,
    );
    // gemini-2.5-pro above 200K: $2.50 in / $15 out: 300,000 × 2.5 + 1,000 × 15 = 765,000 µ$.
    costs(
        &config(""),
        "google",
        "gemini-2.5-pro",
        usage(300_000, 0, 0, 1_000),
        0.765,
    );
    // claude-haiku-5-5 is tiered at 100K: $0.50 in / $2.50 out above it:
    // 150,000 × 0.5 + 1,000 × 2.5 = 75,000 + 2,500 = 77,500 µ$.
    costs(
        &config(""),
        "anthropic",
        "claude-haiku-5-5",
        usage(150_000, 0, 0, 1_000),
        0.0775,
    );
}

#[test]
fn cache_hits_on_deepseek_use_the_hit_price() {
    // deepseek-chat is deepseek-flash: $0.15 miss / $0.003 hit / $0.60 out (off-peak):
    // 10,000 × 0.15 + 90,000 × 0.003 + 1,000 × 0.60 = 1,500 + 270 + 600 = 2,370 µ$.
    let source = costs(
        &config(""),
        "deepseek",
        "deepseek-chat",
        usage(100_000, 90_000, 0, 1_000),
        0.00237,
    );
    assert_eq!(source, "builtin:deepseek/deepseek-flash (as of 2026-10-27)");
}

#[test]
fn an_unpriced_model_has_no_cost_not_zero() {
    assert_eq!(lookup(&config(""), "ollama", "llama3.3:70b"), None);
    assert_eq!(lookup(&config(""), "openai", "a-model-nobody-priced"), None);
}

#[test]
fn a_user_override_wins_over_every_table() {
    // [prices."openai/gpt-4.1"] at $1 / $4: 1,000 × 1 + 500 × 4 = 1,000 + 2,000 = 3,000 µ$.
    let config = config("[prices.\"openai/gpt-4.1\"]\ninput = 1.0\noutput = 4.0\n");
    let source = costs(
        &config,
        "openai",
        "gpt-4.1-2025-04-14",
        usage(1_000, 0, 0, 500),
        0.003,
    );
    assert_eq!(source, "config:openai/gpt-4.1");
}

#[test]
fn a_built_in_table_checked_more_than_90_days_ago_is_stale() {
    let day = |text| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
    assert!(
        !builtin::is_stale("2026-11-25", day("2027-02-23")),
        "90 days on"
    );
    assert!(
        builtin::is_stale("2026-11-25", day("2027-02-24")),
        "91 days on"
    );
    // A month counts from its last day.
    assert!(!builtin::is_stale("2026-11", day("2027-02-28")));
    assert!(builtin::is_stale("2026-11", day("2027-03-02")));
    let priced = lookup(&config(""), "anthropic", "claude-sonnet-4-5").unwrap();
    assert!(
        priced.checked.is_some(),
        "a built-in price carries its table's check date"
    );
}

#[test]
fn a_models_dev_import_prices_a_model_at_a_provider_of_any_id() {
    let mut config = config("");
    let file = include_str!("../../tests/fixtures/models-dev-api.json");
    config.imported_prices = Some(Arc::new(imported::ImportedPrices::parse(file).unwrap()));
    // A provider Switchyard does not place finds the maker's price under the bare name.
    let priced = lookup(&config, "mock", "gpt-4.1").unwrap();
    assert_eq!(priced.source, "imported:gpt-4.1");
    assert_eq!(
        priced.price.base.input, 2.0,
        "OpenAI's own, not the reseller's"
    );
    let priced = lookup(&config, "openai", "gpt-4.1").unwrap();
    assert_eq!(priced.source, "imported:openai/gpt-4.1");
    let priced = lookup(&config, "google", "gemini-2.5-pro").unwrap();
    assert_eq!(priced.source, "imported:gemini/gemini-2.5-pro");
}

#[test]
fn imported_prices_rank_between_config_and_builtin() {
    let mut config = config("[prices.\"my-fine-tune\"]\ninput = 9.0\noutput = 9.0\n");
    let file = include_str!("../../tests/fixtures/litellm-prices.json");
    config.imported_prices = Some(Arc::new(imported::ImportedPrices::parse(file).unwrap()));
    // The fixture prices gpt-4.1-mini at $0.20 / $0.80 (the built-in table says $0.40 / $1.60):
    // 1,000,000 × 0.2 + 1,000,000 × 0.8 = $1.00.
    let source = costs(
        &config,
        "openai",
        "gpt-4.1-mini",
        usage(1_000_000, 0, 0, 1_000_000),
        1.0,
    );
    assert_eq!(source, "imported:gpt-4.1-mini");
    // The config still wins: 1,000,000 × 9 = $9.
    let source = costs(
        &config,
        "openai",
        "my-fine-tune",
        usage(1_000_000, 0, 0, 0),
        9.0,
    );
    assert_eq!(source, "config:my-fine-tune");
}

#[test]
fn openrouter_ids_are_priced_from_the_makers_table() {
    // anthropic/claude-sonnet-4.5 via OpenRouter at Anthropic's $3 / $15:
    // 1,000 × 3 + 500 × 15 = 3,000 + 7,500 = 10,500 µ$.
    let source = costs(
        &config(""),
        "or",
        "anthropic/claude-sonnet-4.5",
        usage(1_000, 0, 0, 500),
        0.0105,
    );
    assert_eq!(
        source,
        "builtin:anthropic/claude-sonnet-4-5 (as of 2026-10-24)"
    );
    // OpenRouter's own listing for a maker not in the table: kimi-k2.5 at $0.60 / $3:
    // 1,000,000 × 0.6 = $0.60.
    costs(
        &config(""),
        "or",
        "moonshotai/kimi-k2.5",
        usage(1_000_000, 0, 0, 0),
        0.6,
    );
}

#[test]
fn a_hosts_prices_apply_only_to_that_host() {
    // Groq's gpt-oss-120b at $0.15 / $0.60: 1,000,000 × 0.15 + 1,000,000 × 0.6 = $0.75.
    costs(
        &config(""),
        "groq",
        "openai/gpt-oss-120b",
        usage(1_000_000, 0, 0, 1_000_000),
        0.75,
    );
    assert_eq!(
        lookup(&config(""), "ollama", "openai/gpt-oss-120b"),
        None,
        "a local server's gpt-oss is not billed at Groq's price"
    );
}

#[test]
fn the_cheapest_strategy_still_sees_base_prices() {
    let config = config("");
    assert_eq!(
        effective_price(&config, "openai", "gpt-4.1-mini"),
        Some(Price {
            input: 0.4,
            output: 1.6,
            cached_input: Some(0.1),
            cache_write: None
        })
    );
}

#[test]
fn lookup_named_understands_aliases_prefixes_and_bare_names() {
    let config =
        config("[[routes]]\nalias = \"coder\"\ntargets = [\"anthropic/claude-sonnet-4-5\"]\n");
    let source = |name: &str| lookup_named(&config, name).map(|p| p.source);
    assert_eq!(
        source("coder").as_deref(),
        Some("builtin:anthropic/claude-sonnet-4-5 (as of 2026-10-24)")
    );
    assert_eq!(
        source("openai/gpt-4.1-mini").as_deref(),
        Some("builtin:openai/gpt-4.1-mini (as of 2026-04)")
    );
    assert_eq!(
        source("gemini-2.5-pro").as_deref(),
        Some("builtin:google/gemini-2.5-pro (as of 2026-10-07)")
    );
    assert_eq!(source("no-such-model"), None);
}

#[test]
fn the_embedded_table_parses_and_covers_every_maker() {
    let table = builtin::table();
    assert!(table.model_count() >= 100, "{} models", table.model_count());
    for key in [
        "openai",
        "anthropic",
        "google",
        "mistral",
        "deepseek",
        "xai",
        "groq",
        "openrouter",
    ] {
        let section = table
            .section(key)
            .unwrap_or_else(|| panic!("no section {key}"));
        assert!(!section.models.is_empty() && !section.source.is_empty());
    }
}

#[test]
fn anthropic_cache_prices_follow_the_published_multipliers() {
    // 5-minute writes are 1.25 × input and 1-hour writes 2 × input for every Claude model;
    // a typo here would misprice every cached Claude Code turn.
    // The one published exception: Claude Haiku 3 writes at $0.30, not 1.25 × $0.25.
    let section = builtin::table().section("anthropic").unwrap();
    for (name, model) in section
        .models
        .iter()
        .filter(|(n, _)| *n != "claude-3-haiku")
    {
        for rates in
            std::iter::once(&model.price.base).chain(model.price.long.as_ref().map(|l| &l.rates))
        {
            assert!(
                (rates.cache_write.unwrap() - rates.input * 1.25).abs() < 1e-9,
                "{name}"
            );
            assert!(
                (rates.cache_write_1h.unwrap() - rates.input * 2.0).abs() < 1e-9,
                "{name}"
            );
        }
    }
}

#[test]
fn a_bad_table_is_refused_with_its_location() {
    let err = builtin::parse(
        "schema = 1\n[sections.x]\nvendor = \"X\"\nfirst_party = true\nsource = \"s\"\nas_of = \"2026-11\"\nchecked = \"2026-11-25\"\n[sections.x.models]\n\"m\" = { input = -1.0, output = 1.0 }\n",
    )
    .unwrap_err();
    assert!(err.contains("sections.x.models.\"m\""), "{err}");
    let err = builtin::parse(
        "schema = 1\n[sections.x]\nvendor = \"X\"\nfirst_party = true\nsource = \"s\"\nas_of = \"2026-11\"\nchecked = \"2026-11-25\"\n[sections.x.models]\n\"m\" = { input = 1.0, output = 1.0 }\n[sections.x.aliases]\n\"n\" = \"missing\"\n",
    )
    .unwrap_err();
    assert!(err.contains("aliases"), "{err}");
}

// The formula itself, as the README states it.

fn price(input: f64, output: f64, cached: Option<f64>, write: Option<f64>) -> Price {
    Price {
        input,
        output,
        cached_input: cached,
        cache_write: write,
    }
}

#[test]
fn formula_plain_input_and_output() {
    // gpt-4.1 at $2 / $8: 1,000 in + 500 out = 0.002 + 0.004.
    let usage = usage(1000, 0, 0, 500);
    assert_eq!(cost_usd(&usage, &price(2.0, 8.0, None, None)), 0.006);
}

#[test]
fn formula_cached_reads_are_part_of_input_but_billed_at_the_cache_price() {
    // 10,000 prompt tokens of which 8,000 were cache reads at $0.50:
    // 2,000 × 2 + 8,000 × 0.5 + 100 × 8 = 4,000 + 4,000 + 800 = 8,800 micro-dollars.
    let usage = usage(10_000, 8_000, 0, 100);
    assert_eq!(cost_usd(&usage, &price(2.0, 8.0, Some(0.5), None)), 0.0088);
}

#[test]
fn formula_cache_writes_use_their_price_and_fall_back_to_input() {
    // Anthropic-style: 3,000 prompt tokens, 2,000 of them written to cache at $3.75.
    let usage = usage(3_000, 0, 2_000, 0);
    let with_write_price = cost_usd(&usage, &price(3.0, 15.0, Some(0.3), Some(3.75)));
    assert!(
        (with_write_price - 0.0105).abs() < 1e-15,
        "{with_write_price}"
    );
    let without = cost_usd(&usage, &price(3.0, 15.0, None, None));
    assert!(
        (without - 0.009).abs() < 1e-15,
        "missing write price means input price: {without}"
    );
}

#[test]
fn formula_reasoning_tokens_are_already_inside_output() {
    let usage = Usage {
        output_tokens: 1000,
        reasoning_tokens: 800,
        ..Usage::default()
    };
    assert_eq!(cost_usd(&usage, &price(1.0, 4.0, None, None)), 0.004);
}
