//! The gateway's modules import one another without circles.
//!
//! A circle (`a` uses `b`, `b` uses `a`, however long the way round) means neither module can
//! be read, tested or changed without the other: the usual fix is a leaf module holding the
//! types both need. This test reads `src/` the way a reader would: a module is a file, and it
//! *uses* another when it names one of that module's items, in a `use` or in a path
//! (`crate::config::Config`, `super::Inbound`). A name re-exported by a `use` is followed to
//! the module that defines it, so `pub use` in a parent is not a use of the parent. Test
//! modules (`#[cfg(test)] mod …`) are left out: a test may look at anything.
//!
//! It is a lexer, not a compiler: macros and glob imports are not expanded, which can only
//! hide an edge, never invent one. When it fails, it prints every circle with the edges that
//! make it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

type Module = Vec<String>;

#[test]
fn no_module_of_the_gateway_imports_one_that_imports_it_back() {
    let graph = Graph::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(graph.modules.len() > 50, "the gateway's sources were found");
    let circles = graph.circles();
    let report: Vec<String> = circles
        .iter()
        .map(|circle| {
            let mut lines = vec![format!("a circle of {} modules:", circle.len())];
            for module in circle {
                let inside: Vec<String> = graph.edges[module]
                    .iter()
                    .filter(|to| circle.contains(to))
                    .map(name)
                    .collect();
                lines.push(format!("  {} uses {}", name(module), inside.join(", ")));
            }
            lines.join("\n")
        })
        .collect();
    assert!(circles.is_empty(), "{}", report.join("\n"));
}

/// The checker itself, on small made-up sources: it must see a circle where there is one.
#[test]
fn a_parent_and_a_child_that_use_each_other_are_a_circle() {
    let mut graph = Graph::default();
    graph.add(
        &["shop"],
        "mod cart;\npub struct Price;\nfn total() { cart::sum(); }",
    );
    graph.add(&["shop", "cart"], "use super::Price;\npub fn sum() {}");
    graph.add(&["shop", "tests"], "");
    graph.link();
    assert_eq!(graph.circles().len(), 1);

    let mut graph = Graph::default();
    graph.add(&["shop"], "mod cart;\nmod price;\npub use price::Price;");
    graph.add(&["shop", "price"], "pub struct Price;");
    graph.add(
        &["shop", "cart"],
        "use super::Price; // through the re-export\n",
    );
    graph.link();
    assert!(graph.circles().is_empty(), "a re-export is followed");

    let mut graph = Graph::default();
    graph.add(&["shop"], "mod cart;\npub fn open() { cart::sum(); }");
    graph.add(
        &["shop", "cart"],
        "pub fn sum() {}\n#[cfg(test)]\n#[cfg(unix)]\nmod tests { use crate::shop::open; }",
    );
    graph.link();
    assert!(
        graph.circles().is_empty(),
        "a test module is left out, whatever attributes follow #[cfg(test)]"
    );
}

#[test]
fn test_files_are_found_by_name_and_by_path() {
    let found = test_files(
        "fn a() {}\n#[cfg(test)]\nmod tests;\n#[cfg(test)]\n#[path = \"yaml_tests.rs\"]\nmod more;\n",
    );
    let names: Vec<String> = found
        .into_iter()
        .map(|test| match test {
            TestFile::Child(name) => format!("child {name}"),
            TestFile::Path(path) => format!("path {path}"),
        })
        .collect();
    assert_eq!(names, ["child tests", "path yaml_tests.rs"]);
}

fn name(module: &Module) -> String {
    if module.is_empty() {
        "crate".into()
    } else {
        module.join("::")
    }
}

#[derive(Default)]
struct Graph {
    /// Each module's source, comments and literals blanked, test modules cut out.
    modules: BTreeMap<Module, String>,
    /// A name bound by `use` in a module, and the path it stands for.
    bindings: HashMap<(Module, String), Vec<String>>,
    edges: BTreeMap<Module, BTreeSet<Module>>,
}

impl Graph {
    fn read(src: &Path) -> Graph {
        let mut graph = Graph::default();
        let mut files = Vec::new();
        let mut directories = HashMap::new();
        walk(src, &mut files);
        for file in files {
            let relative = file.strip_prefix(src).unwrap().with_extension("");
            let mut module: Module = relative
                .iter()
                .map(|part| part.to_string_lossy().into_owned())
                .collect();
            if matches!(
                module.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                module.pop();
            }
            let text = std::fs::read_to_string(&file).unwrap();
            // A module's children live in the directory named after it (`a/mod.rs` and
            // `a.rs` both keep theirs in `a/`), which `#[path]` is relative to.
            let mut directory = module.clone();
            if !file.ends_with("mod.rs") && !file.ends_with("lib.rs") {
                directory.pop();
            }
            directories.insert(module.clone(), directory);
            graph.modules.insert(module, text);
        }
        // Files that are test modules (`#[cfg(test)] mod tests;`) are left out, with those
        // that `#[path = "…"]` puts elsewhere.
        let tests: Vec<Module> = graph
            .modules
            .iter()
            .flat_map(|(module, text)| {
                let directory = &directories[module];
                test_files(text).into_iter().map(move |test| match test {
                    TestFile::Child(name) => child(module, &name),
                    TestFile::Path(path) => {
                        let mut at = directory.clone();
                        at.extend(
                            Path::new(&path)
                                .with_extension("")
                                .iter()
                                .map(|part| part.to_string_lossy().into_owned()),
                        );
                        at
                    }
                })
            })
            .collect();
        for test in tests {
            graph.modules.remove(&test);
        }
        for text in graph.modules.values_mut() {
            *text = cut_test_modules(&strip(text));
        }
        graph.link();
        graph
    }

    /// For the made-up sources of the checker's own test.
    fn add(&mut self, module: &[&str], text: &str) {
        let module = module.iter().map(|s| s.to_string()).collect();
        self.modules.insert(module, cut_test_modules(&strip(text)));
    }

    fn link(&mut self) {
        for (module, text) in &self.modules {
            for path in use_paths(text) {
                let bound = match path.last().map(String::as_str) {
                    Some("*") | None => continue,
                    Some(last) => last.to_owned(),
                };
                let (name, path) = match bound.split_once(" as ") {
                    Some((last, alias)) => {
                        let mut path = path.clone();
                        *path.last_mut().unwrap() = last.to_owned();
                        (alias.to_owned(), path)
                    }
                    None => (bound, path),
                };
                self.bindings.insert((module.clone(), name), path);
            }
        }
        let mut edges = BTreeMap::new();
        for (module, text) in &self.modules {
            let mut used = BTreeSet::new();
            let named = use_paths(text)
                .into_iter()
                .map(|mut path| {
                    if let Some(last) = path.last_mut()
                        && let Some((item, _)) = last.split_once(" as ")
                    {
                        *last = item.to_owned();
                    }
                    path
                })
                .chain(inline_paths(text));
            for path in named {
                if let Some(target) = self.resolve(module, &path, 0) {
                    used.insert(target);
                }
            }
            used.remove(module);
            edges.insert(module.clone(), used);
        }
        self.edges = edges;
    }

    /// The module that defines what `path`, written in `module`, names.
    fn resolve(&self, module: &Module, path: &[String], depth: usize) -> Option<Module> {
        if depth > 16 || path.is_empty() {
            return None;
        }
        let (mut at, rest): (Module, &[String]) = match path[0].as_str() {
            "crate" => (Vec::new(), &path[1..]),
            "self" => (module.clone(), &path[1..]),
            "super" => {
                let mut at = module.clone();
                let mut rest = path;
                while rest.first().map(String::as_str) == Some("super") {
                    at.pop();
                    rest = &rest[1..];
                }
                (at, rest)
            }
            first if self.modules.contains_key(&child(module, first)) => (module.clone(), path),
            first => {
                let bound = self.bindings.get(&(module.clone(), first.to_owned()))?;
                if depth > 0 {
                    return None;
                }
                let whole: Vec<String> = bound.iter().chain(&path[1..]).cloned().collect();
                return self.resolve(module, &whole, depth + 1);
            }
        };
        let mut rest = rest;
        while let Some(first) = rest.first()
            && self.modules.contains_key(&child(&at, first))
        {
            at.push(first.clone());
            rest = &rest[1..];
        }
        if let Some(item) = rest.first()
            && let Some(bound) = self.bindings.get(&(at.clone(), item.clone()))
        {
            let whole: Vec<String> = bound.iter().chain(&rest[1..]).cloned().collect();
            if let Some(defined) = self.resolve(&at, &whole, depth + 1) {
                return Some(defined);
            }
        }
        Some(at)
    }

    /// The strongly connected groups of more than one module (Tarjan's algorithm).
    fn circles(&self) -> Vec<Vec<Module>> {
        struct Walk<'g> {
            graph: &'g Graph,
            index: HashMap<&'g Module, usize>,
            low: HashMap<&'g Module, usize>,
            stack: Vec<&'g Module>,
            found: Vec<Vec<Module>>,
        }
        impl<'g> Walk<'g> {
            fn visit(&mut self, v: &'g Module) {
                let i = self.index.len();
                self.index.insert(v, i);
                self.low.insert(v, i);
                self.stack.push(v);
                for w in &self.graph.edges[v] {
                    if !self.graph.edges.contains_key(w) {
                        continue;
                    }
                    if !self.index.contains_key(w) {
                        self.visit(w);
                        let low = self.low[v].min(self.low[w]);
                        self.low.insert(v, low);
                    } else if self.stack.contains(&w) {
                        let low = self.low[v].min(self.index[w]);
                        self.low.insert(v, low);
                    }
                }
                if self.low[v] == self.index[v] {
                    let mut group = Vec::new();
                    while let Some(w) = self.stack.pop() {
                        group.push(w.clone());
                        if w == v {
                            break;
                        }
                    }
                    if group.len() > 1 {
                        group.sort();
                        self.found.push(group);
                    }
                }
            }
        }
        let mut walk = Walk {
            graph: self,
            index: HashMap::new(),
            low: HashMap::new(),
            stack: Vec::new(),
            found: Vec::new(),
        };
        for module in self.edges.keys() {
            if !walk.index.contains_key(module) {
                walk.visit(module);
            }
        }
        walk.found
    }
}

fn child(module: &Module, name: &str) -> Module {
    let mut path = module.clone();
    path.push(name.to_owned());
    path
}

fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// The source with comments removed and string and char literals emptied, so that neither
/// a path in a doc comment nor a brace in a string is read as code.
fn strip(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
        } else if let Some(comment) = rest.strip_prefix("/*") {
            i += comment.find("*/").map_or(rest.len(), |end| end + 4);
        } else if let Some(len) = raw_string(rest, i == 0 || !is_ident(bytes[i - 1])) {
            out.push_str("\"\"");
            i += len;
        } else if bytes[i] == b'"' {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'"' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            out.push_str("\"\"");
            i = j + 1;
        } else if bytes[i] == b'\'' && char_literal(rest).is_some() {
            out.push_str("' '");
            i += char_literal(rest).unwrap();
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn is_ident(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// The length of a raw string literal (`r"…"`, `r#"…"#`, `br"…"`) starting `rest`.
fn raw_string(rest: &str, at_token_start: bool) -> Option<usize> {
    if !at_token_start {
        return None;
    }
    let after_b = rest.strip_prefix('b').unwrap_or(rest);
    let after_r = after_b.strip_prefix('r')?;
    let hashes = after_r.len() - after_r.trim_start_matches('#').len();
    let body = after_r[hashes..].strip_prefix('"')?;
    let close = format!("\"{}", "#".repeat(hashes));
    let end = body.find(&close)?;
    Some(rest.len() - body.len() + end + close.len())
}

/// The length of a char literal (`'a'`, `'\n'`, `'\u{1F600}'`) starting `rest`, if it is
/// one (and not a lifetime).
fn char_literal(rest: &str) -> Option<usize> {
    let mut chars = rest[1..].char_indices();
    let (_, first) = chars.next()?;
    if first == '\\' {
        let end = rest[1..].find('\'')?;
        return (end > 1 && end < 12).then_some(end + 2);
    }
    let (at, next) = chars.next()?;
    (next == '\'').then_some(at + 2)
}

/// A test module kept in a file of its own.
enum TestFile {
    /// `#[cfg(test)] mod tests;`: the child file `tests.rs`.
    Child(String),
    /// `#[cfg(test)] #[path = "yaml_tests.rs"] mod tests;`: relative to the module's directory.
    Path(String),
}

/// The test modules a module declares in files of their own. Reads the raw source, since
/// `#[path]` names the file in a string literal; only declarations that start a line count.
fn test_files(text: &str) -> Vec<TestFile> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("\n#[cfg(test)]") {
        rest = &rest[at + "\n#[cfg(test)]".len()..];
        let (attributes, declaration) = after_attributes(rest);
        let Some(after) = declaration.strip_prefix("mod ") else {
            continue;
        };
        let name: String = after.chars().take_while(|c| is_ident(*c as u8)).collect();
        if !after[name.len()..].trim_start().starts_with(';') {
            continue;
        }
        let path = attributes.iter().find_map(|attribute| {
            let value = attribute
                .strip_prefix("path")?
                .trim_start()
                .strip_prefix('=')?;
            Some(value.trim().trim_matches('"').to_owned())
        });
        found.push(path.map_or(TestFile::Child(name), TestFile::Path));
    }
    found
}

/// The attributes (`#[…]`, inner text only) at the start of `text`, and what follows them.
fn after_attributes(text: &str) -> (Vec<&str>, &str) {
    let mut attributes = Vec::new();
    let mut rest = text.trim_start();
    while let Some(inner) = rest.strip_prefix("#[") {
        let Some(end) = inner.find(']') else { break };
        attributes.push(inner[..end].trim());
        rest = inner[end + 1..].trim_start();
    }
    (attributes, rest)
}

/// The source without its inline test modules (`#[cfg(test)] mod tests { … }`).
fn cut_test_modules(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        let (_, declaration) = after_attributes(after);
        let declaration = declaration
            .strip_prefix("pub(crate) ")
            .unwrap_or(declaration);
        let is_inline_mod = declaration.strip_prefix("mod ").is_some_and(|d| {
            let name_end = d.find(|c: char| !is_ident(c as u8)).unwrap_or(d.len());
            d[name_end..].trim_start().starts_with('{')
        });
        if !is_inline_mod {
            out.push_str("#[cfg(test)]");
            rest = after;
            continue;
        }
        let open = after.find('{').unwrap();
        let mut depth = 0;
        let mut end = after.len();
        for (i, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Every path a module's `use` declarations name, groups expanded (`a::{b, c::d}` is `a::b`
/// and `a::c::d`); a last segment may read `item as alias`.
fn use_paths(text: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let mut rest = text;
    while let Some(at) = find_keyword(rest, "use") {
        let after = &rest[at + 3..];
        let Some(end) = after.find(';') else { break };
        let tree: String = after[..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace(" :: ", "::")
            .replace(":: ", "::")
            .replace(" ::", "::");
        expand(tree.trim(), &mut Vec::new(), &mut paths);
        rest = &after[end..];
    }
    paths
}

/// The offset of `word` standing alone (not part of a longer identifier).
fn find_keyword(text: &str, word: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = text[from..].find(word) {
        let start = from + at;
        let end = start + word.len();
        let alone_before = start == 0 || !is_ident(bytes[start - 1]);
        let alone_after = end < bytes.len() && bytes[end] == b' ';
        if alone_before && alone_after {
            return Some(start);
        }
        from = end;
    }
    None
}

fn expand(tree: &str, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let mut path = prefix.clone();
        path.extend(
            tree.split("::")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        );
        if path.last().map(String::as_str) == Some("self") {
            path.pop();
        }
        if !path.is_empty() {
            out.push(path);
        }
        return;
    };
    let head: Vec<String> = tree[..open]
        .split("::")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut depth = 0;
    let mut start = 0;
    let mut parts = Vec::new();
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    let before = prefix.len();
    prefix.extend(head);
    for part in parts.into_iter().filter(|p| !p.trim().is_empty()) {
        expand(part, prefix, out);
    }
    prefix.truncate(before);
}

/// Paths written in code: `crate::a::B`, `super::C`, `child::f` (two segments or more).
fn inline_paths(text: &str) -> Vec<Vec<String>> {
    let bytes = text.as_bytes();
    let mut paths = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts = is_ident(bytes[i])
            && !bytes[i].is_ascii_digit()
            && (i == 0 || !(is_ident(bytes[i - 1]) || bytes[i - 1] == b':'));
        if !starts {
            i += 1;
            continue;
        }
        let mut segments = Vec::new();
        let mut j = i;
        loop {
            let begin = j;
            while j < bytes.len() && is_ident(bytes[j]) {
                j += 1;
            }
            segments.push(text[begin..j].to_owned());
            if text[j..].starts_with("::") && bytes.get(j + 2).is_some_and(|b| is_ident(*b)) {
                j += 2;
            } else {
                break;
            }
        }
        if segments.len() > 1 {
            paths.push(segments);
        }
        i = j.max(i + 1);
    }
    paths
}
