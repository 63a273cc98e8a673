//! The daily roll-ups answer exactly what summing the request rows answers: for every grouping
//! and filter the dashboard and the CLI use, ranges that start or end inside a day, free text,
//! tags, after retention deleted rows by age or by size, after a rebuild, and for a history
//! written before roll-ups existed.

use switchyard_protocol::Usage;

use super::filter::Search;
use super::query::{Cursor, Filter, Page, StatusFilter};
use super::retention::{self, Retention};
use super::tests::record;
use super::totals::{Grouping, Totals, from_rows, totals};
use super::writer::write_batch;
use super::*;

const DAY: i64 = 86_400_000;
/// 2026-03-01T00:00:00Z.
const START: i64 = 1_772_323_200_000;

/// A small deterministic generator (no dependency for a test).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// `n` requests over 20 days: several models and providers, clients and client keys, tags,
/// failures, unpriced models, estimates, prompts over the long-context threshold.
fn varied(n: usize) -> Vec<Record> {
    let mut rng = Lcg(7);
    let models = [
        "gpt-4.1",
        "claude-sonnet-4-5",
        "gemini-2.5-pro",
        "llama-local",
    ];
    (0..n)
        .map(|i| {
            let m = rng.below(4) as usize;
            let mut r = record(
                &format!("0199{i:08}-req"),
                START + rng.below(20 * DAY as u64) as i64,
                models[m],
                (m != 3).then(|| (rng.below(1000) as f64) / 997.0),
            );
            r.provider = Some(["openai", "anthropic", "gemini", "ollama"][m].into());
            r.client = [None, Some("claude-code".into()), Some("codex".into())]
                [rng.below(3) as usize]
                .clone();
            r.client_key =
                [None, Some("alice".into()), Some("bob".into())][rng.below(3) as usize].clone();
            if rng.below(10) == 0 {
                r.status = [429, 502, 400][rng.below(3) as usize];
                r.outcome = Outcome::UpstreamError;
                r.error = Some(format!("upstream said {} (quota)", r.status));
            }
            if rng.below(20) == 0 {
                r.provider = None;
                r.upstream_model = None;
                r.usage = Usage::default();
                r.cost_usd = None;
                r.status = 404;
                r.outcome = Outcome::Rejected;
            }
            r.usage.input_tokens = rng.below(300_000);
            r.usage.cached_input_tokens = r.usage.input_tokens / 4;
            r.usage.output_tokens = rng.below(4_000);
            r.usage_estimated = rng.below(7) == 0;
            match rng.below(4) {
                0 => r.tags = vec![("project".into(), "web".into())],
                1 => {
                    r.tags = vec![
                        ("project".into(), "api".into()),
                        ("urgent".into(), String::new()),
                    ]
                }
                _ => {}
            }
            r
        })
        .collect()
}

fn filters() -> Vec<Filter> {
    let mid = |day: i64, hour: i64| Some(START + day * DAY + hour * 3_600_000);
    vec![
        Filter::default(),
        Filter {
            since_ms: mid(3, 0),
            ..Filter::default()
        },
        Filter {
            since_ms: mid(3, 7),
            until_ms: mid(11, 13),
            ..Filter::default()
        },
        Filter {
            since_ms: mid(5, 1),
            until_ms: mid(5, 9),
            ..Filter::default()
        },
        Filter {
            model: Some("claude-sonnet-4-5".into()),
            ..Filter::default()
        },
        Filter {
            provider: Some("openai".into()),
            since_ms: mid(2, 5),
            ..Filter::default()
        },
        Filter {
            client: Some("codex".into()),
            client_key: Some("alice".into()),
            ..Filter::default()
        },
        Filter {
            status: Some(StatusFilter::Failed),
            ..Filter::default()
        },
        Filter {
            status: Some(StatusFilter::Class(4)),
            until_ms: mid(9, 3),
            ..Filter::default()
        },
        Filter {
            status: Some(StatusFilter::Code(502)),
            ..Filter::default()
        },
        Filter {
            tag: Some("project".into()),
            ..Filter::default()
        },
        Filter {
            tag: Some("project=api".into()),
            since_ms: mid(1, 1),
            ..Filter::default()
        },
        Filter {
            q: Some("gem".into()),
            ..Filter::default()
        },
        Filter {
            q: Some("quota".into()),
            since_ms: mid(4, 4),
            ..Filter::default()
        },
        Filter {
            q: Some("0199000001".into()),
            ..Filter::default()
        },
        Filter {
            q: Some("CODE".into()),
            status: Some(StatusFilter::Failed),
            ..Filter::default()
        },
    ]
}

const GROUPINGS: [Grouping; 10] = [
    Grouping::All,
    Grouping::Day,
    Grouping::DayProvider,
    Grouping::Model,
    Grouping::Provider,
    Grouping::ProviderModel,
    Grouping::Client,
    Grouping::ClientKey,
    Grouping::Tag,
    Grouping::Priced,
];

fn sorted(mut groups: Vec<Totals>) -> Vec<Totals> {
    groups.sort_by(|a, b| (&a.key, &a.key2).cmp(&(&b.key, &b.key2)));
    groups
}

/// Every grouping of every filter, from roll-ups and from rows alike (costs to 1e-9: a sum of
/// floats depends on the order it is added in).
fn assert_rollups_match_rows(conn: &Connection, when: &str) {
    for filter in filters() {
        for grouping in GROUPINGS {
            let fast = sorted(totals(conn, &filter, grouping).unwrap());
            let slow = sorted(from_rows(conn, &filter, grouping, Search::Everything).unwrap());
            assert_eq!(fast.len(), slow.len(), "{when}: {grouping:?} of {filter:?}");
            for (f, s) in fast.iter().zip(&slow) {
                let cost = |t: &Totals| t.cost_usd.map(|c| (c * 1e9).round());
                assert_eq!(
                    (Totals {
                        cost_usd: cost(f),
                        ..f.clone()
                    }),
                    (Totals {
                        cost_usd: cost(s),
                        ..s.clone()
                    }),
                    "{when}: {grouping:?} of {filter:?}"
                );
            }
        }
    }
}

fn write_all(conn: &mut Connection, records: &[Record]) {
    for chunk in records.chunks(300) {
        write_batch(conn, chunk).unwrap();
    }
}

fn temp_path() -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("switchyard-rollups-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    (dir.join("history.sqlite3"), dir)
}

fn fresh(path: &Path) -> Connection {
    let mut conn = open_connection(path).unwrap();
    retention::incremental_vacuum(&conn).unwrap();
    schema::migrate(&mut conn).unwrap();
    conn
}

#[test]
fn totals_from_rollups_equal_the_sums_of_the_rows_for_every_view() {
    let (path, dir) = temp_path();
    let mut conn = fresh(&path);
    write_all(&mut conn, &varied(3_000));
    assert_rollups_match_rows(&conn, "after writing");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn retention_by_age_subtracts_what_it_deletes_and_keeps_totals_exact() {
    let (path, dir) = temp_path();
    let mut conn = fresh(&path);
    write_all(&mut conn, &varied(3_000));
    let now = START + 25 * DAY + 6 * 3_600_000;
    let keep_10_days = Retention {
        days: 10,
        max_mb: 0,
    };
    let mut steps = 0;
    while retention::step(&mut conn, keep_10_days, now).unwrap().more {
        steps += 1;
    }
    assert!(
        steps >= 2,
        "2,300 rows are pruned in batches of {}",
        retention::BATCH
    );
    let oldest: i64 = conn
        .query_row("SELECT MIN(started_at) FROM requests", [], |r| r.get(0))
        .unwrap();
    assert!(oldest >= now - 10 * DAY);
    let orphans: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM attempts WHERE request_id NOT IN (SELECT id FROM requests)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "attempts go with their requests");
    assert_rollups_match_rows(&conn, "after pruning by age");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn retention_by_size_deletes_the_oldest_until_the_database_fits() {
    let (path, dir) = temp_path();
    let mut conn = fresh(&path);
    let mut records = varied(3_000);
    let mut rng = Lcg(3);
    for r in &mut records {
        // Bodies that do not compress away: a few KB of varied digits each.
        let digits: String = (0..5_000)
            .map(|_| char::from(b'0' + rng.below(10) as u8))
            .collect();
        r.request_body = Some(format!("{{\"messages\":[\"{digits}\"]}}"));
    }
    records.sort_by_key(|r| r.started_at_ms);
    write_all(&mut conn, &records);
    let on_disk = |conn: &Connection| {
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
        std::fs::metadata(&path).unwrap().len()
    };
    let before = retention::used_bytes(&conn).unwrap();
    let file_before = on_disk(&conn);
    assert!(before > 6 << 20, "the test needs more than 6 MiB: {before}");
    let keep_4_mb = Retention { days: 0, max_mb: 4 };
    while retention::step(&mut conn, keep_4_mb, START).unwrap().more {}
    retention::release(&conn);
    let after = retention::used_bytes(&conn).unwrap();
    assert!(
        after <= 4 << 20,
        "{after} bytes in use after pruning to 4 MiB"
    );
    assert!(
        after > 3 << 20,
        "{after} bytes: no more than needed was deleted"
    );
    let file_after = on_disk(&conn);
    assert!(
        file_after < file_before * 3 / 4,
        "incremental vacuum gave pages back: {file_before} → {file_after} bytes on disk"
    );
    let newest: i64 = conn
        .query_row("SELECT MAX(started_at) FROM requests", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        newest,
        records.last().unwrap().started_at_ms,
        "the newest rows are kept"
    );
    assert_rollups_match_rows(&conn, "after pruning by size");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_rebuild_recomputes_rollups_that_went_wrong() {
    let (path, dir) = temp_path();
    let mut conn = fresh(&path);
    write_all(&mut conn, &varied(1_000));
    conn.execute_batch(
        "UPDATE rollup_daily SET requests = requests * 2; DELETE FROM rollup_daily_tags;",
    )
    .unwrap();
    drop(conn);
    let rebuilt = rebuild_rollups(&path).unwrap();
    assert_eq!(rebuilt.requests, 1_000);
    assert!(rebuilt.groups > 0, "{rebuilt:?}");
    assert_rollups_match_rows(&open_connection(&path).unwrap(), "after a rebuild");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_history_written_before_rollups_gets_them_when_it_is_opened() {
    let (path, dir) = temp_path();
    let mut conn = fresh(&path);
    write_all(&mut conn, &varied(800));
    // As an older Switchyard left it: rows, and no roll-ups.
    conn.execute_batch(
        "DROP TABLE rollup_daily; DROP TABLE rollup_daily_tags; DROP TABLE rollup_days;
         DELETE FROM schema_migrations WHERE name LIKE 'rollups/%';",
    )
    .unwrap();
    drop(conn);
    let conn = fresh(&path);
    assert_rollups_match_rows(&conn, "after the migration");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_request_id_recorded_twice_is_counted_once() {
    let (path, dir) = temp_path();
    let mut conn = fresh(&path);
    let first = record("same-id", START, "gpt-4.1", Some(1.0));
    let again = record("same-id", START + 5, "gpt-4.1", Some(9.0));
    write_batch(&mut conn, &[first]).unwrap();
    write_batch(&mut conn, &[again]).unwrap();
    let all = totals(&conn, &Filter::default(), Grouping::All).unwrap();
    assert_eq!((all[0].requests, all[0].cost_usd), (1, Some(1.0)));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn newest_first_pages_by_cursor_hold_every_row_once_in_order() {
    let (path, dir) = temp_path();
    let mut conn = fresh(&path);
    let mut records = varied(500);
    // Ties on the start time are broken by id, so no row is skipped at a page boundary.
    for r in records.iter_mut().take(40) {
        r.started_at_ms = START + DAY;
    }
    write_all(&mut conn, &records);
    let filter = Filter {
        provider: Some("openai".into()),
        ..Filter::default()
    };
    let mut seen = Vec::new();
    let mut before: Option<Cursor> = None;
    loop {
        let page = Page {
            limit: 17,
            before: before.clone(),
            ..Page::default()
        };
        let listing = query::list(&conn, &filter, page).unwrap();
        seen.extend(
            listing
                .items
                .iter()
                .map(|r| (r.started_at.clone(), r.id.clone())),
        );
        match listing.next {
            Some(next) => before = Some(Cursor::parse(&next).unwrap()),
            None => break,
        }
    }
    let everything = query::list(
        &conn,
        &filter,
        Page {
            limit: 1_000,
            ..Page::default()
        },
    )
    .unwrap();
    let expected: Vec<_> = everything
        .items
        .iter()
        .map(|r| (r.started_at.clone(), r.id.clone()))
        .collect();
    assert_eq!(everything.total as usize, expected.len());
    assert_eq!(seen, expected);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn free_text_finds_ids_by_their_start_and_names_and_errors_anywhere() {
    let (path, dir) = temp_path();
    let mut conn = fresh(&path);
    write_all(&mut conn, &varied(600));
    let search = |q: &str| {
        let filter = Filter {
            q: Some(q.into()),
            ..Filter::default()
        };
        query::list(
            &conn,
            &filter,
            Page {
                limit: 1_000,
                ..Page::default()
            },
        )
        .unwrap()
    };
    let by_id = search("01990000004");
    assert!(by_id.items.iter().all(|r| r.id.starts_with("01990000004")));
    assert_eq!(by_id.total, 10, "the ids of requests 40 to 49");
    let by_model = search("SONNET");
    assert!(!by_model.items.is_empty());
    assert!(
        by_model
            .items
            .iter()
            .all(|r| r.requested_model.as_deref() == Some("claude-sonnet-4-5"))
    );
    let by_error = search("quota");
    assert!(!by_error.items.is_empty());
    assert!(
        by_error
            .items
            .iter()
            .all(|r| r.error.as_deref().is_some_and(|e| e.contains("quota")))
    );
    assert_eq!(by_error.total as usize, by_error.items.len());
    assert_eq!(
        search("100%_sure").total,
        0,
        "LIKE's wildcards are matched as text"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Text that compresses as prose does (not as repeated bytes), `len` bytes of it.
fn prose(rng: &mut Lcg, len: usize) -> String {
    const WORDS: [&str; 16] = [
        "the", "function", "returns", "a", "value", "when", "called", "with", "tool", "result",
        "error", "file", "path", "line", "test", "passes",
    ];
    let mut text = String::with_capacity(len + 16);
    while text.len() < len {
        text.push_str(WORDS[rng.below(16) as usize]);
        text.push_str(if rng.below(9) == 0 { ". " } else { " " });
        if rng.below(50) == 0 {
            text.push_str(&rng.below(100_000).to_string());
        }
    }
    text.truncate(len);
    text
}

/// A conversation of `turns` turns resent whole on each one, as agents do: tool definitions,
/// then every message so far.
fn conversation(turns: usize) -> Vec<String> {
    let mut rng = Lcg(11);
    let tools = prose(&mut rng, 40_000);
    let mut messages = Vec::new();
    (0..turns)
        .map(|_| {
            messages.push(format!(
                "{{\"role\":\"user\",\"content\":\"{}\"}}",
                prose(&mut rng, 1_500)
            ));
            format!(
                "{{\"system\":\"{tools}\",\"messages\":[{}]}}",
                messages.join(",")
            )
        })
        .collect()
}

fn stored_chunk_bytes(conn: &Connection) -> i64 {
    conn.query_row(
        "SELECT COALESCE(SUM(length(data)), 0) FROM body_chunks",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn an_agent_resending_its_conversation_stores_each_turn_once_and_reads_every_body_back() {
    let (path, dir) = temp_path();
    let mut conn = fresh(&path);
    let bodies = conversation(30);
    let records: Vec<Record> = bodies
        .iter()
        .enumerate()
        .map(|(turn, body)| {
            let mut r = record(
                &format!("turn-{turn:02}"),
                START + turn as i64 * 60_000,
                "m",
                None,
            );
            r.request_body = Some(body.clone());
            r.response_body = Some(format!("{{\"answer\":{turn}}}"));
            r
        })
        .collect();
    write_all(&mut conn, &records);
    let raw: usize = bodies.iter().map(String::len).sum();
    let stored = stored_chunk_bytes(&conn) as usize;
    assert!(
        stored * 20 < raw,
        "30 turns of {raw} bytes in all are stored in {stored}: what is new in each, compressed"
    );
    let frame: Vec<u8> = conn
        .query_row("SELECT data FROM body_chunks LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(&frame[..4], &[0x28, 0xB5, 0x2F, 0xFD], "a zstd frame");
    for (turn, body) in bodies.iter().enumerate() {
        let detail = query::detail(&conn, &format!("turn-{turn:02}"))
            .unwrap()
            .unwrap();
        assert_eq!(
            detail.request_body.as_deref(),
            Some(body.as_str()),
            "turn {turn}"
        );
        assert_eq!(detail.response_body, Some(format!("{{\"answer\":{turn}}}")));
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn retention_deletes_the_chunks_only_deleted_requests_used_and_keeps_shared_ones() {
    let (path, dir) = temp_path();
    let mut conn = fresh(&path);
    let mut rng = Lcg(5);
    let (shared, gone, kept) = (
        prose(&mut rng, 60_000),
        prose(&mut rng, 60_000),
        prose(&mut rng, 60_000),
    );
    let mut old = record("old", START, "m", None);
    old.request_body = Some(format!("{shared}{gone}"));
    let mut new = record("new", START + 20 * DAY, "m", None);
    new.request_body = Some(format!("{shared}{kept}"));
    write_all(&mut conn, &[old, new]);
    let before = stored_chunk_bytes(&conn);
    let keep_10_days = Retention {
        days: 10,
        max_mb: 0,
    };
    while retention::step(&mut conn, keep_10_days, START + 25 * DAY)
        .unwrap()
        .more
    {}
    let after = stored_chunk_bytes(&conn);
    assert!(
        after < before * 3 / 4,
        "the chunks of the old request's own text went: {before} → {after}"
    );
    let detail = query::detail(&conn, "new").unwrap().unwrap();
    assert_eq!(
        detail.request_body,
        Some(format!("{shared}{kept}")),
        "the shared text stayed"
    );
    while retention::step(
        &mut conn,
        Retention { days: 1, max_mb: 0 },
        START + 40 * DAY,
    )
    .unwrap()
    .more
    {}
    assert_eq!(
        stored_chunk_bytes(&conn),
        0,
        "no request left, no chunk left"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_body_stored_as_text_before_chunks_is_still_shown() {
    let (path, dir) = temp_path();
    let mut conn = fresh(&path);
    write_batch(&mut conn, &[record("older", START, "gpt-4.1", None)]).unwrap();
    conn.execute(
        "INSERT INTO bodies VALUES ('older', 'plain request', NULL)",
        [],
    )
    .unwrap();
    let older = query::detail(&conn, "older").unwrap().unwrap();
    assert_eq!(older.request_body.as_deref(), Some("plain request"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn what_if_reads_sums_from_rollups_and_long_prompts_one_by_one_as_the_rows_would_give() {
    use crate::pricing::what_if::{UsageRow, WhatIfUsage};
    let (path, dir) = temp_path();
    let mut conn = fresh(&path);
    write_all(&mut conn, &varied(2_000));
    let rows: Vec<UsageRow> = conn
        .prepare(&format!(
            "SELECT {} FROM requests r
             WHERE provider IS NOT NULL AND (input_tokens > 0 OR output_tokens > 0)
             ORDER BY started_at",
            costs::USAGE_COLUMNS
        ))
        .unwrap()
        .query_map([], costs::usage_row)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    // 200,000 reads the partial index of long prompts; 100,000 is below it.
    for above in [Some(200_000), Some(100_000), None] {
        let mut read = costs::what_if_usage(&conn, &Filter::default(), above).unwrap();
        let mut expected = WhatIfUsage::from_rows(&rows, above);
        let by_tokens = |a: &UsageRow, b: &UsageRow| {
            (a.usage.input_tokens, a.usage.output_tokens)
                .cmp(&(b.usage.input_tokens, b.usage.output_tokens))
        };
        read.long.sort_by(by_tokens);
        expected.long.sort_by(by_tokens);
        assert!(
            above.is_none() || !expected.long.is_empty(),
            "the data has long prompts"
        );
        assert_eq!(read.long, expected.long, "above {above:?}");
        assert_eq!(read.priced.requests, expected.priced.requests);
        assert_eq!(read.priced.usage, expected.priced.usage);
        assert_eq!(read.unpriced.usage, expected.unpriced.usage);
        let cost = |c: Option<f64>| c.map(|c| (c * 1e9).round());
        assert_eq!(cost(read.priced.cost_usd), cost(expected.priced.cost_usd));
    }
    let _ = std::fs::remove_dir_all(dir);
}
