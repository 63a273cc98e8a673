//! Prices imported from a file in LiteLLM's `model_prices_and_context_window.json` format or
//! in models.dev's `api.json` format (read in [`super::models_dev`]; the format is recognised
//! from the file's shape).
//!
//! `switchyard prices import FILE` checks the file and stores it as
//! `<data dir>/prices-imported.json`; the gateway loads it at start and whenever it changes,
//! and ranks it between the config's `[prices]` and the built-in table. LiteLLM prices are per
//! token; they are mapped onto ours (per million): `input_cost_per_token` → input,
//! `output_cost_per_token` → output, `cache_read_input_token_cost` → cached input,
//! `cache_creation_input_token_cost` → cache write, `cache_creation_input_token_cost_above_1hr`
//! → 1-hour cache write, and `*_above_<N>k_tokens` → a long-context tier above N thousand
//! prompt tokens. Entries that are not text models (images, audio, embeddings) are skipped.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::builtin;
pub use super::rates::{ImportedPrices, PriceFormat};
use super::rates::{LongContext, ModelPrice, Priced, Rates};

/// Where the imported prices live for a data dir.
pub fn path_in(data_dir: &Path) -> PathBuf {
    data_dir.join(crate::paths::IMPORTED_PRICES_FILE)
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is neither LiteLLM's nor models.dev's price JSON: {detail}")]
    Invalid { path: String, detail: String },
}

impl ImportedPrices {
    /// Parses LiteLLM's format or models.dev's. Fails on anything but a JSON object, and on a
    /// file with no usable text-model price at all (most likely the wrong file).
    pub fn parse(text: &str) -> Result<ImportedPrices, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let Value::Object(entries) = value else {
            return Err("the top level must be an object of model names (LiteLLM) or of providers (models.dev)".into());
        };
        if super::models_dev::is_models_dev(&entries) {
            let (models, skipped) = super::models_dev::prices(&entries);
            if models.is_empty() {
                return Err("no model has a cost with input and output".into());
            }
            return Ok(ImportedPrices {
                models,
                skipped,
                format: PriceFormat::ModelsDev,
            });
        }
        let mut out = ImportedPrices::default();
        for (name, entry) in &entries {
            if name == "sample_spec" {
                continue;
            }
            match entry.as_object().and_then(model_price) {
                Some(price) => {
                    out.models.insert(name.to_ascii_lowercase(), price);
                }
                None => out.skipped += 1,
            }
        }
        if out.models.is_empty() {
            return Err("no entry has input_cost_per_token and output_cost_per_token".into());
        }
        Ok(out)
    }

    /// Reads the imported file of a data dir; `Ok(None)` when nothing was imported.
    pub fn load(data_dir: &Path) -> Result<Option<ImportedPrices>, ImportError> {
        let path = path_in(data_dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(ImportError::Io {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        ImportedPrices::parse(&text)
            .map(Some)
            .map_err(|detail| ImportError::Invalid {
                path: path.display().to_string(),
                detail,
            })
    }

    /// Checks `source` and stores it in the data dir (atomically: a running gateway never
    /// reads half a file). Returns what was imported.
    pub fn import(source: &Path, data_dir: &Path) -> Result<ImportedPrices, ImportError> {
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| ImportError::Io { path, source }
        };
        let text = std::fs::read_to_string(source).map_err(io(source))?;
        let parsed = ImportedPrices::parse(&text).map_err(|detail| ImportError::Invalid {
            path: source.display().to_string(),
            detail,
        })?;
        std::fs::create_dir_all(data_dir).map_err(io(data_dir))?;
        let target = path_in(data_dir);
        let temporary = data_dir.join(format!(".{}.tmp", crate::paths::IMPORTED_PRICES_FILE));
        std::fs::write(&temporary, text).map_err(io(&temporary))?;
        std::fs::rename(&temporary, &target).map_err(io(&target))?;
        Ok(parsed)
    }

    /// The first entry matching a candidate name, under the provider's id or its maker's
    /// LiteLLM prefix (`gemini/`, `xai/`, `groq/`, …) first, then bare.
    pub fn find(
        &self,
        provider: Option<&str>,
        home: &[usize],
        candidates: &[String],
    ) -> Option<Priced> {
        let table = builtin::table();
        let mut prefixes: Vec<String> = provider.map(str::to_ascii_lowercase).into_iter().collect();
        for index in home {
            let key = table.sections[*index].key.as_str();
            let litellm = match key {
                "google" => "gemini",
                other => other,
            };
            if !prefixes.iter().any(|p| p == litellm) {
                prefixes.push(litellm.to_owned());
            }
        }
        for name in candidates {
            let keys = prefixes
                .iter()
                .map(|p| format!("{p}/{name}"))
                .chain(std::iter::once(name.clone()));
            for key in keys {
                if let Some(price) = self.models.get(&key) {
                    return Some(Priced {
                        price: *price,
                        source: format!("imported:{key}"),
                        checked: None,
                    });
                }
            }
        }
        None
    }
}

/// Text modes only; a missing `mode` is taken as chat (older files omit it).
fn model_price(entry: &Map<String, Value>) -> Option<ModelPrice> {
    let mode = entry.get("mode").and_then(Value::as_str).unwrap_or("chat");
    if !matches!(mode, "chat" | "completion" | "responses") {
        return None;
    }
    let per_token = |key: &str| {
        entry
            .get(key)
            .and_then(Value::as_f64)
            .filter(|v| v.is_finite() && *v >= 0.0)
            .map(per_million)
    };
    let base = Rates {
        input: per_token("input_cost_per_token")?,
        output: per_token("output_cost_per_token")?,
        cached_input: per_token("cache_read_input_token_cost"),
        cache_write: per_token("cache_creation_input_token_cost"),
        cache_write_1h: per_token("cache_creation_input_token_cost_above_1hr"),
    };
    let long = lowest_threshold(entry).and_then(|k| {
        let tier = |key: &str| per_token(&format!("{key}_above_{k}k_tokens"));
        Some(LongContext {
            above: k * 1000,
            rates: Rates {
                input: tier("input_cost_per_token")?,
                output: tier("output_cost_per_token").unwrap_or(base.output),
                cached_input: tier("cache_read_input_token_cost").or(base.cached_input),
                cache_write: tier("cache_creation_input_token_cost").or(base.cache_write),
                cache_write_1h: base.cache_write_1h,
            },
        })
    });
    Some(ModelPrice { base, long })
}

/// The smallest N of the `input_cost_per_token_above_<N>k_tokens` keys.
fn lowest_threshold(entry: &Map<String, Value>) -> Option<u64> {
    entry
        .keys()
        .filter_map(|k| k.strip_prefix("input_cost_per_token_above_"))
        .filter_map(|k| k.strip_suffix("k_tokens"))
        .filter_map(|n| n.parse::<u64>().ok())
        .min()
}

/// Per-token to per-million, rounded to a billionth of a dollar so that `3e-06` reads as 3.
fn per_million(per_token: f64) -> f64 {
    (per_token * 1e6 * 1e9).round() / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!("../../tests/fixtures/litellm-prices.json");

    #[test]
    fn litellm_fields_map_onto_ours_per_million() {
        let imported = ImportedPrices::parse(FIXTURE).unwrap();
        let sonnet = imported.models["claude-sonnet-4-5-20250929"];
        assert_eq!(
            sonnet.base,
            Rates {
                input: 3.0,
                output: 15.0,
                cached_input: Some(0.3),
                cache_write: Some(3.75),
                cache_write_1h: Some(6.0),
            },
            "per-token prices become per-million prices, 1-hour writes included"
        );
        let long = sonnet.long.unwrap();
        assert_eq!(
            long.above, 200_000,
            "_above_200k_tokens is a tier above 200,000 prompt tokens"
        );
        assert_eq!(
            (
                long.rates.input,
                long.rates.output,
                long.rates.cached_input,
                long.rates.cache_write
            ),
            (6.0, 22.5, Some(0.6), Some(7.5))
        );
    }

    #[test]
    fn non_text_entries_and_the_sample_spec_are_skipped() {
        let imported = ImportedPrices::parse(FIXTURE).unwrap();
        assert!(
            !imported.models.contains_key("dall-e-3"),
            "image models have no token prices"
        );
        assert!(
            !imported.models.contains_key("text-embedding-3-small"),
            "embeddings are not chat"
        );
        assert!(!imported.models.contains_key("sample_spec"));
        assert_eq!(imported.skipped, 2);
    }

    #[test]
    fn provider_prefixed_keys_are_found_for_their_provider() {
        let imported = ImportedPrices::parse(FIXTURE).unwrap();
        let found = imported
            .find(Some("gemini"), &[], &["gemini-2.5-pro".to_owned()])
            .unwrap();
        assert_eq!(found.source, "imported:gemini/gemini-2.5-pro");
        assert_eq!(found.price.base.input, 1.25);
    }

    #[test]
    fn a_file_without_any_text_price_is_refused() {
        let err = ImportedPrices::parse(
            r#"{"dall-e-3": {"mode": "image_generation", "output_cost_per_image": 0.04}}"#,
        )
        .unwrap_err();
        assert!(err.contains("no entry"), "{err}");
        assert!(
            ImportedPrices::parse("[1, 2]").is_err(),
            "an array is not a price file"
        );
    }

    #[test]
    fn import_stores_the_file_in_the_data_dir_and_load_reads_it_back() {
        let dir = std::env::temp_dir().join(format!("switchyard-import-{}", uuid::Uuid::now_v7()));
        let source = dir.join("litellm.json");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(&source, FIXTURE).unwrap();
        let data = dir.join("data");
        assert_eq!(
            ImportedPrices::load(&data).unwrap(),
            None,
            "nothing imported yet"
        );
        let imported = ImportedPrices::import(&source, &data).unwrap();
        assert!(path_in(&data).exists());
        assert_eq!(ImportedPrices::load(&data).unwrap(), Some(imported));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
