//! What Switchyard knows about each kind of provider, one file per kind: how a key is sent, which
//! URL answers a translated chat, which headers every call needs, which codec turns the
//! canonical request into the provider's format and its answers back, how usage is read off a
//! pass-through answer, and how a key is tested.
//!
//! The rest of the gateway asks the kind's [`Adapter`] (`kind.adapter()`) instead of matching on
//! [`ProviderKind`]: adding a provider kind is one new file here and one arm in
//! [`ProviderKind::adapter`], and the compiler finds nothing else to change.
//!
//! This module is a leaf: it knows the wire formats (`switchyard_protocol`) and HTTP header
//! types, never the configuration, the key store or the proxy, so none of them import in a
//! circle through it.

mod adapter;
mod anthropic;
mod gemini;
mod openai;
mod openai_compatible;
mod responses_usage;

pub use adapter::{Adapter, Dialect, KeyTest};

/// The kinds of provider a config file can name (`kind = "…"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderKind {
    OpenAi,
    OpenAiCompatible,
    Anthropic,
    Gemini,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 4] = [
        ProviderKind::OpenAi,
        ProviderKind::Anthropic,
        ProviderKind::Gemini,
        ProviderKind::OpenAiCompatible,
    ];

    /// The one place a kind becomes its behaviour.
    pub fn adapter(self) -> &'static dyn Adapter {
        match self {
            ProviderKind::OpenAi => &openai::OpenAi,
            ProviderKind::OpenAiCompatible => &openai_compatible::OpenAiCompatible,
            ProviderKind::Anthropic => &anthropic::Anthropic,
            ProviderKind::Gemini => &gemini::Gemini,
        }
    }

    /// The name in config files and the admin API.
    pub fn as_str(self) -> &'static str {
        self.adapter().name()
    }

    pub fn default_base_url(self) -> Option<&'static str> {
        self.adapter().default_base_url()
    }

    /// Speaks OpenAI's chat format (chat, completions, embeddings pass through unchanged).
    pub fn is_openai(self) -> bool {
        self.adapter().speaks(Dialect::OpenAiChat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_its_config_name_and_speaks_at_least_one_dialect() {
        let dialects = [
            Dialect::OpenAiChat,
            Dialect::OpenAiResponses,
            Dialect::AnthropicMessages,
            Dialect::Gemini,
        ];
        for kind in ProviderKind::ALL {
            let adapter = kind.adapter();
            assert!(dialects.iter().any(|d| adapter.speaks(*d)), "{kind:?}");
            assert!(!adapter.label().is_empty());
        }
        let names: Vec<&str> = ProviderKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            names,
            ["openai", "anthropic", "gemini", "openai-compatible"]
        );
    }

    #[test]
    fn only_openai_itself_serves_the_responses_api() {
        let serving: Vec<ProviderKind> = ProviderKind::ALL
            .into_iter()
            .filter(|k| k.adapter().speaks(Dialect::OpenAiResponses))
            .collect();
        assert_eq!(serving, [ProviderKind::OpenAi]);
    }

    #[test]
    fn each_kind_sends_the_key_in_its_own_header() {
        let header = |kind: ProviderKind| {
            let (name, value) = kind.adapter().auth_header("sk-test").unwrap();
            (name.to_string(), value.to_str().unwrap().to_owned())
        };
        assert_eq!(
            header(ProviderKind::OpenAi),
            ("authorization".into(), "Bearer sk-test".into())
        );
        assert_eq!(
            header(ProviderKind::OpenAiCompatible),
            ("authorization".into(), "Bearer sk-test".into())
        );
        assert_eq!(
            header(ProviderKind::Anthropic),
            ("x-api-key".into(), "sk-test".into())
        );
        assert_eq!(
            header(ProviderKind::Gemini),
            ("x-goog-api-key".into(), "sk-test".into())
        );
    }

    #[test]
    fn a_key_that_cannot_be_a_header_value_is_not_sent() {
        assert!(
            ProviderKind::Anthropic
                .adapter()
                .auth_header("a\nb")
                .is_none()
        );
    }
}
