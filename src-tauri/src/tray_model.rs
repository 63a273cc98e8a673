//! What the tray shows, as plain data: the icon, the tooltip, the disabled status lines and
//! which menu items apply, computed from the gateway's state in one pure function.
//!
//! Everything a user reads in the tray is decided here, so it is tested here without a display;
//! [`crate::tray`] only copies a [`TrayView`] into Tauri's menu. This module must not touch
//! Tauri or the gateway.

use std::net::SocketAddr;
use std::path::PathBuf;

/// The tray icon's look: one image each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    Running,
    Paused,
    Error,
}

/// Today's figures (UTC day, like the dashboard's Overview).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Today {
    pub cost_usd: f64,
    pub requests: u64,
}

/// Where the app stands.
#[derive(Debug, Clone, PartialEq)]
pub enum TrayState {
    /// The gateway serves; `today` is `None` until the history was read once.
    Running {
        base_url: String,
        paused: bool,
        today: Option<Today>,
    },
    /// The app has just started; the gateway is starting in the background.
    Starting,
    /// Quit was chosen: requests in flight finish and the history is flushed.
    Stopping,
    /// Another program holds the address the gateway was told to listen on.
    PortInUse {
        listen: SocketAddr,
        config_path: PathBuf,
    },
    /// The gateway could not start for another reason (most often an invalid config).
    Failed { message: String },
}

/// Everything the tray displays for one [`TrayState`].
#[derive(Debug, Clone, PartialEq)]
pub struct TrayView {
    pub look: Look,
    pub tooltip: String,
    /// Disabled lines at the top of the menu, in order.
    pub lines: Vec<String>,
    /// Open dashboard, Connect a client…, Copy base URL and Pause/Resume apply only while the
    /// gateway serves.
    pub gateway_items: bool,
    pub pause_label: &'static str,
    /// "Try again" is offered when the gateway did not start.
    pub retry: bool,
}

pub const PAUSE: &str = "Pause proxy";
pub const RESUME: &str = "Resume proxy";

/// The longest status line; longer error text is wrapped so the menu stays narrow.
const LINE_WIDTH: usize = 64;
/// Error text beyond this many lines is cut: the log file has the rest.
const MAX_ERROR_LINES: usize = 6;

impl TrayState {
    pub fn view(&self) -> TrayView {
        match self {
            TrayState::Running {
                base_url,
                paused,
                today,
            } => {
                let spend = today.map_or_else(|| "Reading today's spend…".to_owned(), spend_text);
                let (look, status, tooltip) = if *paused {
                    (
                        Look::Paused,
                        format!("Paused (requests get 503) · {base_url}"),
                        format!("Switchyard: paused · {spend}"),
                    )
                } else {
                    (
                        Look::Running,
                        format!("Running · {base_url}"),
                        format!("Switchyard: {base_url} · {spend}"),
                    )
                };
                TrayView {
                    look,
                    tooltip,
                    lines: vec![status, spend],
                    gateway_items: true,
                    pause_label: if *paused { RESUME } else { PAUSE },
                    retry: false,
                }
            }
            TrayState::Starting => TrayView {
                look: Look::Paused,
                tooltip: "Switchyard: starting…".to_owned(),
                lines: vec!["Starting…".to_owned()],
                gateway_items: false,
                pause_label: PAUSE,
                retry: false,
            },
            TrayState::Stopping => TrayView {
                look: Look::Paused,
                tooltip: "Switchyard: stopping".to_owned(),
                lines: vec!["Stopping: finishing requests, saving history…".to_owned()],
                gateway_items: false,
                pause_label: PAUSE,
                retry: false,
            },
            TrayState::PortInUse {
                listen,
                config_path,
            } => {
                let mut lines = vec![
                    format!("Not running: {listen} is already in use"),
                    "To use another port, set server.listen in".to_owned(),
                ];
                lines.extend(wrap(&config_path.display().to_string(), LINE_WIDTH));
                lines.push("(or in the dashboard's Settings, with --listen,".to_owned());
                lines.push("or SWITCHYARD_LISTEN), then Try again.".to_owned());
                TrayView {
                    look: Look::Error,
                    tooltip: format!("Switchyard: not running, {listen} is in use"),
                    lines,
                    gateway_items: false,
                    pause_label: PAUSE,
                    retry: true,
                }
            }
            TrayState::Failed { message } => {
                let mut lines = vec!["Not running: Switchyard could not start".to_owned()];
                let mut detail: Vec<String> = message
                    .lines()
                    .flat_map(|line| wrap(line.trim_end(), LINE_WIDTH))
                    .collect();
                if detail.len() > MAX_ERROR_LINES {
                    detail.truncate(MAX_ERROR_LINES);
                    detail.push("… (the rest is in the log file)".to_owned());
                }
                lines.extend(detail);
                TrayView {
                    look: Look::Error,
                    tooltip: "Switchyard: not running (see the menu)".to_owned(),
                    lines,
                    gateway_items: false,
                    pause_label: PAUSE,
                    retry: true,
                }
            }
        }
    }
}

/// `$0.0123 today · 5 requests`.
pub fn spend_text(today: Today) -> String {
    let requests = match today.requests {
        1 => "1 request".to_owned(),
        n => format!("{} requests", thousands(n)),
    };
    format!("{} today · {requests}", usd(today.cost_usd))
}

/// Dollars with as many decimals as a small amount needs, like the dashboard's costs: LLM
/// requests often cost a fraction of a cent, and "$0.00" after a day of work would read as
/// "nothing was counted". Two significant digits below a cent, four decimals below a dollar.
pub fn usd(amount: f64) -> String {
    if !amount.is_finite() || amount <= 0.0 {
        return "$0.00".to_owned();
    }
    if amount >= 1.0 {
        let cents = (amount * 100.0).round() as u64;
        return format!("${}.{:02}", thousands(cents / 100), cents % 100);
    }
    let decimals = if amount >= 0.01 {
        4
    } else {
        (2 - amount.log10().floor() as i32).clamp(2, 12) as usize
    };
    format!("${}", trim_zeros(&format!("{amount:.decimals$}"), 2))
}

/// `0.0500` → `0.05`, keeping at least `keep` decimals.
fn trim_zeros(text: &str, keep: usize) -> String {
    let Some(dot) = text.find('.') else {
        return text.to_owned();
    };
    let mut end = text.len();
    while end > dot + 1 + keep && text.as_bytes()[end - 1] == b'0' {
        end -= 1;
    }
    text[..end].to_owned()
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Splits `text` at spaces (or anywhere, for a long path) into lines of at most `width` chars.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let fits = line.chars().count() + 1 + word.chars().count() <= width;
        if !line.is_empty() && !fits {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.chars().count() > width {
            let rest: String = line.chars().skip(width).collect();
            lines.push(line.chars().take(width).collect());
            line = rest;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(paused: bool, today: Option<Today>) -> TrayState {
        TrayState::Running {
            base_url: "http://127.0.0.1:4545/v1".to_owned(),
            paused,
            today,
        }
    }

    #[test]
    fn spend_text_reads_like_a_sentence() {
        let text = |cost_usd, requests| spend_text(Today { cost_usd, requests });
        assert_eq!(text(0.0123, 5), "$0.0123 today · 5 requests");
        assert_eq!(text(0.0, 0), "$0.00 today · 0 requests");
        assert_eq!(
            text(0.5, 1),
            "$0.50 today · 1 request",
            "one request is singular"
        );
        assert_eq!(text(12.345, 1234), "$12.35 today · 1,234 requests");
    }

    #[test]
    fn small_amounts_keep_their_digits_like_the_dashboard_and_large_ones_get_separators() {
        assert_eq!(
            usd(0.000086),
            "$0.000086",
            "a fraction of a cent is not shown as zero"
        );
        assert_eq!(usd(0.0042), "$0.0042");
        assert_eq!(usd(0.01), "$0.01");
        assert_eq!(usd(0.0123), "$0.0123");
        assert_eq!(usd(0.99994), "$0.9999");
        assert_eq!(usd(1.0), "$1.00");
        assert_eq!(usd(1234567.891), "$1,234,567.89");
        assert_eq!(
            usd(-1.0),
            "$0.00",
            "a negative total is a bug upstream, not a refund"
        );
        assert_eq!(usd(f64::NAN), "$0.00");
    }

    #[test]
    fn running_shows_the_base_url_and_todays_spend() {
        let view = running(
            false,
            Some(Today {
                cost_usd: 0.0123,
                requests: 5,
            }),
        )
        .view();
        assert_eq!(view.look, Look::Running);
        assert_eq!(
            view.lines,
            [
                "Running · http://127.0.0.1:4545/v1",
                "$0.0123 today · 5 requests"
            ]
        );
        assert!(
            view.gateway_items,
            "the dashboard and the URL are there to use"
        );
        assert_eq!(view.pause_label, "Pause proxy");
        assert!(!view.retry);
        assert_eq!(
            view.tooltip,
            "Switchyard: http://127.0.0.1:4545/v1 · $0.0123 today · 5 requests"
        );
    }

    #[test]
    fn before_the_history_was_read_the_spend_line_says_so() {
        let view = running(false, None).view();
        assert_eq!(view.lines[1], "Reading today's spend…");
    }

    #[test]
    fn paused_changes_the_icon_the_status_and_offers_resume() {
        let view = running(
            true,
            Some(Today {
                cost_usd: 0.0,
                requests: 0,
            }),
        )
        .view();
        assert_eq!(view.look, Look::Paused);
        assert_eq!(
            view.lines[0],
            "Paused (requests get 503) · http://127.0.0.1:4545/v1"
        );
        assert_eq!(view.pause_label, "Resume proxy");
        assert!(view.gateway_items, "the dashboard still works while paused");
    }

    #[test]
    fn port_in_use_explains_every_way_to_pick_another_port() {
        let view = TrayState::PortInUse {
            listen: "127.0.0.1:4545".parse().unwrap(),
            config_path: PathBuf::from("/home/ada/.config/switchyard/config.toml"),
        }
        .view();
        assert_eq!(view.look, Look::Error);
        assert_eq!(
            view.lines[0],
            "Not running: 127.0.0.1:4545 is already in use"
        );
        let all = view.lines.join(" ");
        for way in [
            "server.listen",
            "/home/ada/.config/switchyard/config.toml",
            "dashboard's Settings",
            "--listen",
            "SWITCHYARD_LISTEN",
            "Try again",
        ] {
            assert!(all.contains(way), "expected {way:?} in {all:?}");
        }
        assert!(!view.gateway_items, "there is no gateway to open or pause");
        assert!(view.retry);
    }

    #[test]
    fn a_start_failure_is_wrapped_and_cut_so_the_menu_stays_readable() {
        let message = format!(
            "config.toml: 8 problem(s)\n{}",
            (1..=8)
                .map(|i| format!("  line {i}: unknown field `nope{i}`"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let view = TrayState::Failed { message }.view();
        assert_eq!(view.look, Look::Error);
        assert_eq!(view.lines[0], "Not running: Switchyard could not start");
        assert_eq!(view.lines[1], "config.toml: 8 problem(s)");
        assert_eq!(view.lines.len(), 1 + MAX_ERROR_LINES + 1);
        assert_eq!(
            view.lines.last().unwrap(),
            "… (the rest is in the log file)"
        );
        assert!(view.retry);
    }

    #[test]
    fn the_tray_is_up_before_the_gateway_and_says_it_is_starting() {
        let view = TrayState::Starting.view();
        assert_eq!(view.lines, ["Starting…"]);
        assert_eq!(view.tooltip, "Switchyard: starting…");
        assert!(!view.gateway_items, "nothing to open or copy yet");
        assert!(!view.retry, "nothing failed");
    }

    #[test]
    fn stopping_disables_everything_but_quit() {
        let view = TrayState::Stopping.view();
        assert!(!view.gateway_items);
        assert!(!view.retry);
        assert_eq!(
            view.lines,
            ["Stopping: finishing requests, saving history…"]
        );
    }

    #[test]
    fn wrap_breaks_at_spaces_and_splits_words_longer_than_a_line() {
        assert_eq!(wrap("a bb ccc", 4), ["a bb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
    }
}
