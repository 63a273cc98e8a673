use switchyard_protocol::Usage;

use super::query::{Filter, Page, SortKey, StatusFilter};
use super::*;

pub(super) fn record(id: &str, started_at_ms: i64, model: &str, cost: Option<f64>) -> Record {
    Record {
        id: id.to_owned(),
        started_at_ms,
        client: Some("curl".into()),
        user_agent: Some("curl/8".into()),
        inbound_api: "chat_completions",
        requested_model: Some(model.to_owned()),
        provider: Some("openai".into()),
        upstream_model: Some(model.to_owned()),
        status: 200,
        outcome: Outcome::Ok,
        stream: false,
        attempts: vec![Attempt {
            provider: "openai".into(),
            upstream_model: model.to_owned(),
            status: Some(200),
            error: None,
            latency_ms: 5,
        }],
        usage: Usage {
            input_tokens: 100,
            output_tokens: 10,
            ..Usage::default()
        },
        usage_estimated: false,
        cost_usd: cost,
        price_source: cost.map(|_| "builtin:test".to_owned()),
        latency_ms: 7,
        ttft_ms: Some(7),
        tags: vec![],
        error: None,
        request_body: None,
        response_body: None,
        cache_hit: false,
        key_last_four: None,
        client_key: None,
        warnings: Vec::new(),
    }
}

const DAY: i64 = 86_400_000;

pub(super) fn days(days: u32) -> Retention {
    Retention { days, max_mb: 0 }
}

#[tokio::test]
async fn a_recorded_request_is_readable_immediately_with_its_attempts() {
    let history = History::open_in_memory().unwrap();
    let mut r = record("r1", 1_700_000_000_000, "gpt-4.1", Some(0.5));
    r.request_body = Some("{\"model\":\"gpt-4.1\"}".into());
    history.record(r).await;
    let detail = history
        .read(|c| query::detail(c, "r1"))
        .await
        .unwrap()
        .expect("read-your-writes: the row must be there without sleeping");
    assert_eq!(detail.row.started_at, "2023-11-14T22:13:20.000Z");
    assert_eq!(detail.row.attempts, 1);
    assert_eq!(detail.attempt_details[0].status, Some(200));
    assert_eq!(
        detail.request_body.as_deref(),
        Some("{\"model\":\"gpt-4.1\"}")
    );
}

#[tokio::test]
async fn filters_combine_and_total_counts_all_pages() {
    let history = History::open_in_memory().unwrap();
    for i in 0..10 {
        let mut r = record(
            &format!("r{i}"),
            1_700_000_000_000 + i,
            "gpt-4.1",
            Some(0.1),
        );
        if i % 2 == 0 {
            r.status = 502;
            r.outcome = Outcome::UpstreamError;
            r.error = Some("upstream timed out".into());
        }
        if i == 3 {
            r.tags = vec![("project".into(), "web".into())];
        }
        history.record(r).await;
    }
    let failed = Filter {
        status: StatusFilter::parse("error"),
        ..Filter::default()
    };
    let page = Page {
        limit: 2,
        ..Page::default()
    };
    let listing = history
        .read(move |c| query::list(c, &failed, page))
        .await
        .unwrap();
    assert_eq!(listing.total, 5, "five requests failed");
    assert_eq!(listing.items.len(), 2, "but a page holds two");
    assert_eq!(listing.items[0].id, "r8", "newest first by default");

    let tagged = Filter {
        tag: Some("project=web".into()),
        ..Filter::default()
    };
    let listing = history
        .read(move |c| query::list(c, &tagged, Page::default()))
        .await
        .unwrap();
    assert_eq!(
        listing
            .items
            .iter()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>(),
        ["r3"]
    );

    let text = Filter {
        q: Some("timed out".into()),
        ..Filter::default()
    };
    let listing = history
        .read(move |c| query::list(c, &text, Page::default()))
        .await
        .unwrap();
    assert_eq!(listing.total, 5);
}

#[tokio::test]
async fn sorting_by_cost_puts_unpriced_rows_last() {
    let history = History::open_in_memory().unwrap();
    history.record(record("cheap", 1, "a", Some(0.01))).await;
    history.record(record("unpriced", 2, "b", None)).await;
    history.record(record("dear", 3, "c", Some(1.0))).await;
    let page = Page {
        sort: SortKey::Cost,
        ..Page::default()
    };
    let ids: Vec<String> = history
        .read(move |c| query::list(c, &Filter::default(), page))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ids, ["dear", "cheap", "unpriced"]);
}

#[tokio::test]
async fn costs_group_by_day_and_keep_unpriced_groups_null() {
    let history = History::open_in_memory().unwrap();
    let day0 = 1_700_006_400_000; // 2023-11-15T00:00:00Z
    history
        .record(record("a", day0 + 1, "gpt-4.1", Some(0.25)))
        .await;
    history
        .record(record("b", day0 + 2, "gpt-4.1", Some(0.5)))
        .await;
    history
        .record(record("c", day0 + DAY, "local-llama", None))
        .await;
    let by_day = history
        .read(|c| costs::report(c, costs::GroupBy::Day, &Filter::default()))
        .await
        .unwrap();
    assert_eq!(by_day.rows.len(), 2);
    assert_eq!(by_day.rows[0].key.as_deref(), Some("2023-11-15"));
    assert_eq!(by_day.rows[0].requests, 2);
    assert_eq!(by_day.rows[0].cost_usd, Some(0.75));
    assert_eq!(by_day.rows[1].cost_usd, None, "unpriced stays null, not 0");
    assert_eq!(by_day.total_cost_usd, 0.75);
    assert_eq!(by_day.rows[0].input_tokens, 200);
}

#[tokio::test]
async fn costs_by_tag_count_each_tag() {
    let history = History::open_in_memory().unwrap();
    let mut r = record("a", 1, "m", Some(1.0));
    r.tags = vec![
        ("project".into(), "web".into()),
        ("urgent".into(), String::new()),
    ];
    history.record(r).await;
    let report = history
        .read(|c| costs::report(c, costs::GroupBy::Tag, &Filter::default()))
        .await
        .unwrap();
    let keys: Vec<_> = report.rows.iter().map(|r| r.key.clone().unwrap()).collect();
    assert_eq!(keys, ["project=web", "urgent"]);
    assert_eq!(
        report.total_cost_usd, 1.0,
        "the total counts the request once"
    );
}

#[tokio::test]
async fn close_writes_everything_queued() {
    let dir = std::env::temp_dir().join(format!("switchyard-hist-{}", uuid::Uuid::now_v7()));
    let path = dir.join("history.sqlite3");
    let history = History::open(&path, days(30)).unwrap();
    for i in 0..1000 {
        history.record_detached(record(
            &format!("r{i}"),
            chrono::Utc::now().timestamp_millis(),
            "m",
            None,
        ));
    }
    history.close().await;
    let conn = open_read_only(&path).unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM requests", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1000, "no queued row may be lost at shutdown");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn retention_prunes_old_rows_with_their_attempts() {
    let dir = std::env::temp_dir().join(format!("switchyard-hist-{}", uuid::Uuid::now_v7()));
    let path = dir.join("history.sqlite3");
    let now = chrono::Utc::now().timestamp_millis();
    {
        let history = History::open(&path, Retention::default()).unwrap();
        history
            .record(record("old", now - 40 * DAY, "m", None))
            .await;
        history.record(record("new", now - DAY, "m", None)).await;
        history.close().await;
    }
    let history = History::open(&path, days(30)).unwrap();
    let listing = history
        .read(|c| query::list(c, &Filter::default(), Page::default()))
        .await
        .unwrap();
    assert_eq!(
        listing
            .items
            .iter()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>(),
        ["new"]
    );
    let orphans: i64 = history
        .read(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM attempts WHERE request_id = 'old'",
                [],
                |r| r.get(0),
            )
        })
        .await
        .unwrap();
    assert_eq!(orphans, 0);
    history.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_overview_counts_whole_utc_days_for_today_the_week_and_the_month() {
    let history = History::open_in_memory().unwrap();
    let now = 40 * DAY + 12 * 3_600_000; // noon, day 40
    let today_start = 40 * DAY;
    history
        .record(record("today", today_start + 1, "a", Some(1.0)))
        .await;
    let mut failed = record("today-failed", today_start + 2, "a", None);
    failed.outcome = Outcome::UpstreamError;
    failed.status = 502;
    history.record(failed).await;
    history
        .record(record(
            "six-days-ago",
            today_start - 6 * DAY,
            "b",
            Some(2.0),
        ))
        .await;
    history
        .record(record(
            "seven-days-ago",
            today_start - 7 * DAY,
            "b",
            Some(4.0),
        ))
        .await;
    history
        .record(record("unpriced", today_start - 29 * DAY, "c", None))
        .await;
    history
        .record(record(
            "thirty-days-ago",
            today_start - 30 * DAY,
            "c",
            Some(8.0),
        ))
        .await;

    let o = history
        .read(move |c| overview::overview(c, now))
        .await
        .unwrap();
    assert_eq!((o.today.requests, o.today.errors), (2, 1));
    assert_eq!(o.today.cost_usd, 1.0);
    assert_eq!(
        o.today.unpriced, 1,
        "the failed row used tokens without a price"
    );
    assert_eq!(
        o.last_7_days.cost_usd, 3.0,
        "six days ago is inside the week, seven is not"
    );
    assert_eq!(
        o.last_30_days.requests, 5,
        "day 29 back is in, day 30 is out"
    );
    assert_eq!(o.last_30_days.since, "1970-01-12T00:00:00.000Z");
    assert_eq!(o.cost_per_day.len(), 4, "one entry per day with requests");
    assert_eq!(
        o.top_models[0].key.as_deref(),
        Some("b"),
        "most expensive first"
    );
}
