//! The TypeScript twins of the admin API's types, which the dashboard imports from
//! `ui/src/api/generated/`. They are generated from the Rust types with `ts-rs`, never written
//! by hand, so the dashboard cannot drift from the API: the test below fails when a Rust type
//! changed and the files were not regenerated (`make bindings`).
//!
//! JSON numbers are JavaScript numbers, so 64-bit integers are typed `number` (token counts
//! and milliseconds stay far below 2^53).

use std::path::Path;

use ts_rs::TS;

/// Writes every type the admin API answers with or accepts, and what they use, into `dir`.
pub fn export(dir: &Path) -> Result<(), ts_rs::ExportError> {
    let cfg = ts_rs::Config::new()
        .with_large_int("number")
        .with_out_dir(dir);
    crate::history::query::Listing::export_all(&cfg)?;
    crate::history::query::Detail::export_all(&cfg)?;
    crate::history::overview::Overview::export_all(&cfg)?;
    crate::history::costs::CostReport::export_all(&cfg)?;
    crate::pricing::what_if::WhatIf::export_all(&cfg)?;
    crate::budgets::BudgetStatus::export_all(&cfg)?;
    super::Status::export_all(&cfg)?;
    super::providers::ProviderList::export_all(&cfg)?;
    super::providers::ProviderKinds::export_all(&cfg)?;
    super::keys::KeyTest::export_all(&cfg)?;
    super::client_keys::ClientKeyList::export_all(&cfg)?;
    super::client_keys::IssuedClientKey::export_all(&cfg)?;
    super::client_keys::ClientKeyInput::export_all(&cfg)?;
    super::routes::RouteList::export_all(&cfg)?;
    super::connect::ConnectInput::export_all(&cfg)?;
    crate::connect::ConnectStatus::export_all(&cfg)?;
    crate::connect::ConnectOutcome::export_all(&cfg)?;
    crate::connect::DisconnectOutcome::export_all(&cfg)?;
    super::prices::PriceList::export_all(&cfg)?;
    crate::config::edit::ProviderInput::export_all(&cfg)?;
    crate::config::edit::RouteInput::export_all(&cfg)?;
    crate::config::edit::PriceInput::export_all(&cfg)?;
    crate::config::edit::Settings::export_all(&cfg)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    fn read_dir(dir: &std::path::Path) -> BTreeMap<String, String> {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "ts"))
                    .map(|e| {
                        let name = e.file_name().to_string_lossy().into_owned();
                        (name, std::fs::read_to_string(e.path()).unwrap_or_default())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `UPDATE_BINDINGS=1 cargo test -p switchyard-gateway bindings` (`make bindings`)
    /// rewrites the dashboard's copy.
    #[test]
    fn the_dashboard_types_match_the_rust_types() {
        let committed_dir =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/api/generated");
        let fresh_dir =
            std::env::temp_dir().join(format!("switchyard-bindings-{}", uuid::Uuid::now_v7()));
        super::export(&fresh_dir).unwrap();
        let fresh = read_dir(&fresh_dir);
        assert!(fresh.contains_key("RequestRow.ts"), "{:?}", fresh.keys());
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            let _ = std::fs::remove_dir_all(&committed_dir);
            std::fs::create_dir_all(&committed_dir).unwrap();
            for (name, text) in &fresh {
                std::fs::write(committed_dir.join(name), text).unwrap();
            }
        }
        let _ = std::fs::remove_dir_all(&fresh_dir);
        let committed = read_dir(&committed_dir);
        assert_eq!(
            committed.keys().collect::<Vec<_>>(),
            fresh.keys().collect::<Vec<_>>(),
            "ui/src/api/generated is out of date: run `make bindings`"
        );
        for (name, text) in &fresh {
            assert_eq!(
                committed.get(name),
                Some(text),
                "ui/src/api/generated/{name} is out of date: run `make bindings`"
            );
        }
    }
}
