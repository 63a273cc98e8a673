//! `switchyard prices import FILE` as a user runs it: it names the format it recognised, how
//! many models it took, and refuses a file that is neither LiteLLM's nor models.dev's without
//! touching what was imported before.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../gateway/tests/fixtures")
        .join(name)
}

struct Sandbox(PathBuf);

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        let root = std::env::temp_dir().join(format!(
            "switchyard-prices-cli-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        Sandbox(root)
    }

    fn import(&self, file: &Path) -> Output {
        Command::new(env!("CARGO_BIN_EXE_switchyard"))
            .arg("--config")
            .arg(self.0.join("config.toml"))
            .arg("--data-dir")
            .arg(self.0.join("data"))
            .args(["prices", "import"])
            .arg(file)
            .output()
            .unwrap()
    }

    fn imported(&self) -> String {
        std::fs::read_to_string(self.0.join("data/prices-imported.json")).unwrap()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn both_price_formats_import_and_a_wrong_file_leaves_the_last_import_alone() {
    let sandbox = Sandbox::new("formats");
    let out = sandbox.import(&fixture("litellm-prices.json"));
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.starts_with("Imported LiteLLM prices for "), "{said}");

    let out = sandbox.import(&fixture("models-dev-api.json"));
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    // 6 models with a cost, each as provider/model, and the 4 of them from makers also bare.
    assert!(
        said.starts_with("Imported models.dev prices for 10 models"),
        "{said}"
    );
    assert!(
        said.contains("(1 entries without token prices skipped)"),
        "{said}"
    );

    let wrong = sandbox.0.join("wrong.json");
    std::fs::write(&wrong, r#"{"gpt-4.1": {"context": 1000000}}"#).unwrap();
    let out = sandbox.import(&wrong);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("is neither LiteLLM's nor models.dev's price JSON"),
        "{said}"
    );
    assert!(
        sandbox.imported().contains("\"models\""),
        "the models.dev import is still the one in use"
    );
}
