use super::*;
use serde_json::json;

fn doc(text: &str) -> YamlDocument {
    YamlDocument::parse(Path::new("config.yaml"), text).unwrap()
}

const AIDER: &str = "# Aider settings\nmodel: gpt-4o # mine\ndark-mode: true\nread:\n  - CONVENTIONS.md\n  - docs/notes.md\n\n# keys\nopenai-api-key: sk-old\n";

#[test]
fn a_top_level_scalar_is_replaced_on_its_line_only() {
    let mut d = doc(AIDER);
    let key = KeyPath::keys(&["model"]);
    d.set(Path::new("x"), &key, &json!("openai/coder")).unwrap();
    assert_eq!(
        d.text(),
        AIDER.replace("model: gpt-4o # mine\n", "model: openai/coder\n")
    );
    assert_eq!(d.get(&key), Some(json!("openai/coder")));
}

#[test]
fn a_new_key_is_appended_and_removing_it_gives_back_the_file() {
    let mut d = doc(AIDER);
    let key = KeyPath::keys(&["openai-api-base"]);
    d.set(Path::new("x"), &key, &json!("http://127.0.0.1:4545/v1"))
        .unwrap();
    assert_eq!(
        d.text(),
        format!("{AIDER}openai-api-base: http://127.0.0.1:4545/v1\n")
    );
    d.remove(&key);
    assert_eq!(d.text(), AIDER);
}

#[test]
fn a_multi_line_value_is_replaced_whole() {
    let mut d = doc(AIDER);
    d.set(Path::new("x"), &KeyPath::keys(&["read"]), &json!("one.md"))
        .unwrap();
    assert!(
        d.text()
            .contains("dark-mode: true\nread: one.md\n\n# keys\n"),
        "{}",
        d.text()
    );
}

const CONTINUE: &str = "name: My Assistant\nversion: 1.0.0\nschema: v1\n\nmodels:\n  - &gpt\n    name: GPT\n    provider: openai\n    model: gpt-4o\n    # my own key\n    apiKey: sk-mine\n  - <<: *gpt\n    name: GPT mini\n    model: gpt-4o-mini\n\ncontext:\n  - provider: code\n";

#[test]
fn an_entry_joins_a_block_list_at_its_indent_and_leaves_anchors_alone() {
    let mut d = doc(CONTINUE);
    let key = KeyPath::named_entry("models", "Switchyard");
    let entry = json!({"name": "Switchyard", "provider": "openai", "roles": ["chat", "edit"]});
    d.set(Path::new("x"), &key, &entry).unwrap();
    let expected = CONTINUE.replace(
        "    model: gpt-4o-mini\n",
        "    model: gpt-4o-mini\n  - name: Switchyard\n    provider: openai\n    roles: [chat, edit]\n",
    );
    assert_eq!(d.text(), expected);
    assert_eq!(d.get(&key), Some(entry));
    d.remove(&key);
    assert_eq!(d.text(), CONTINUE, "removing the entry gives back the file");
}

#[test]
fn an_entry_already_there_is_replaced_in_place() {
    let text = "models:\n- name: Switchyard\n  model: old\n- name: Other\n";
    let mut d = doc(text);
    let key = KeyPath::named_entry("models", "Switchyard");
    d.set(
        Path::new("x"),
        &key,
        &json!({"name": "Switchyard", "model": "new"}),
    )
    .unwrap();
    assert_eq!(
        d.text(),
        "models:\n- name: Switchyard\n  model: new\n- name: Other\n"
    );
}

#[test]
fn a_missing_list_is_created() {
    let mut d = doc("name: A\nversion: 1.0.0\nschema: v1");
    let key = KeyPath::named_entry("models", "Switchyard");
    d.set(
        Path::new("x"),
        &key,
        &json!({"name": "Switchyard", "apiBase": "http://127.0.0.1:4545/v1/"}),
    )
    .unwrap();
    assert_eq!(
        d.text(),
        "name: A\nversion: 1.0.0\nschema: v1\nmodels:\n  - name: Switchyard\n    apiBase: http://127.0.0.1:4545/v1/\n"
    );
}

#[test]
fn a_flow_style_list_is_refused() {
    let mut d = doc("models: [{name: A}]\n");
    let err = d
        .set(
            Path::new("c.yaml"),
            &KeyPath::named_entry("models", "Switchyard"),
            &json!({"name": "Switchyard"}),
        )
        .unwrap_err();
    assert!(err.to_string().contains("block style"), "{err}");
}

#[test]
fn strings_that_yaml_would_read_as_something_else_are_quoted() {
    assert_eq!(scalar(&json!("true")), "\"true\"");
    assert_eq!(scalar(&json!("1.0")), "\"1.0\"");
    assert_eq!(scalar(&json!("a: b")), "\"a: b\"");
    assert_eq!(scalar(&json!("openai/gpt-4.1")), "openai/gpt-4.1");
}

#[test]
fn a_broken_file_is_refused_with_its_line() {
    let err = YamlDocument::parse(Path::new("c.yaml"), "a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
    assert!(matches!(err, ConnectError::Unparseable { .. }), "{err:?}");
    let ConnectError::Unparseable { line, .. } = err else {
        return;
    };
    assert!((2..=4).contains(&line), "line {line}");
}
