//! The one table `make bench` prints: a row per measurement with the direct figure, the figure
//! through Switchyard, what the gateway added (or the ratio), the target and whether it was met.
//! Rendered as Markdown so it can be pasted into `docs/benchmarks.md` as it is.

use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Met,
    Missed,
    /// Shown for context; no target applies.
    Info,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub metric: String,
    pub direct: String,
    pub proxy: String,
    pub added: String,
    pub target: String,
    pub verdict: Verdict,
}

#[derive(Debug, Default)]
pub struct Table {
    rows: Vec<Row>,
}

impl Table {
    pub fn section(&mut self, title: &str) {
        self.rows.push(Row {
            metric: format!("**{title}**"),
            direct: String::new(),
            proxy: String::new(),
            added: String::new(),
            target: String::new(),
            verdict: Verdict::Info,
        });
    }

    pub fn info(&mut self, metric: &str, direct: String, proxy: String, added: String) {
        self.rows.push(Row {
            metric: metric.to_owned(),
            direct,
            proxy,
            added,
            target: String::new(),
            verdict: Verdict::Info,
        });
    }

    pub fn check(
        &mut self,
        metric: &str,
        direct: String,
        proxy: String,
        added: String,
        target: &str,
        met: bool,
    ) {
        self.rows.push(Row {
            metric: metric.to_owned(),
            direct,
            proxy,
            added,
            target: target.to_owned(),
            verdict: if met { Verdict::Met } else { Verdict::Missed },
        });
    }

    /// (met, missed)
    pub fn score(&self) -> (usize, usize) {
        let count = |v| self.rows.iter().filter(|r| r.verdict == v).count();
        (count(Verdict::Met), count(Verdict::Missed))
    }

    pub fn markdown(&self) -> String {
        let header = [
            "Measurement",
            "Direct (mock)",
            "Through Switchyard",
            "Added / ratio",
            "Target",
            "",
        ];
        let cells: Vec<[String; 6]> = self
            .rows
            .iter()
            .map(|r| {
                [
                    r.metric.clone(),
                    r.direct.clone(),
                    r.proxy.clone(),
                    r.added.clone(),
                    r.target.clone(),
                    match r.verdict {
                        Verdict::Met => "met".to_owned(),
                        Verdict::Missed => "**MISSED**".to_owned(),
                        Verdict::Info => String::new(),
                    },
                ]
            })
            .collect();
        let mut widths = header.map(|h| h.chars().count());
        for row in &cells {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let line = |out: &mut String, row: &[String]| {
            out.push('|');
            for (cell, width) in row.iter().zip(widths) {
                let _ = write!(out, " {cell:<width$} |");
            }
            out.push('\n');
        };
        line(&mut out, &header.map(str::to_owned));
        out.push('|');
        for width in widths {
            let _ = write!(out, "{}|", "-".repeat(width + 2));
        }
        out.push('\n');
        for row in &cells {
            line(&mut out, row);
        }
        out
    }
}

/// Nanoseconds as milliseconds with three decimals (microsecond resolution).
pub fn ms(nanos: u64) -> String {
    format!("{:.3} ms", nanos as f64 / 1e6)
}

/// A signed difference of nanoseconds, as milliseconds.
pub fn added_ms(proxy: u64, direct: u64) -> String {
    let diff = proxy as f64 - direct as f64;
    format!("{:+.3} ms", diff / 1e6)
}

pub fn per_sec(rate: f64) -> String {
    let whole = rate.round() as u64;
    let text = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in text.chars().enumerate() {
        if i > 0 && (text.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped}/s")
}

pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_the_way_a_person_writes_them() {
        assert_eq!(per_sec(41234.4), "41,234/s", "thousands are grouped");
        assert_eq!(per_sec(812.0), "812/s", "no separator below a thousand");
        assert_eq!(ms(93_600), "0.094 ms", "rounded to the microsecond");
        assert_eq!(
            added_ms(150_000, 90_000),
            "+0.060 ms",
            "the sign is always shown"
        );
        assert_eq!(mib(20 * 1024), "20.0 MiB");
    }

    #[test]
    fn a_missed_target_stands_out_and_is_counted() {
        let mut table = Table::default();
        table.check(
            "rss idle",
            "-".into(),
            "30 MiB".into(),
            String::new(),
            "≤ 20 MiB",
            false,
        );
        table.check(
            "start",
            "-".into(),
            "12 ms".into(),
            String::new(),
            "≤ 100 ms",
            true,
        );
        assert_eq!(table.score(), (1, 1), "one met, one missed");
        assert!(
            table.markdown().contains("**MISSED**"),
            "a miss is bold in the table"
        );
    }
}
