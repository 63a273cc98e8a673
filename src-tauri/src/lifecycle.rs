//! The order in which things come and go: the tray first (saying "Starting…"), then the
//! gateway in the background, then the window on its dashboard, the tray's figures and the
//! notifications; Quit (or SIGINT/SIGTERM) stops the gateway, which flushes the history, and
//! only then exits. Also what each menu item does.
//!
//! Nothing here knows how the proxy works: it calls [`Host`] and the gateway's public state.

use std::sync::atomic::{AtomicBool, Ordering};

use tauri::menu::MenuEvent;
use tauri::{AppHandle, Manager, RunEvent, Runtime};
use tauri_plugin_autostart::ManagerExt as _;
use tauri_plugin_clipboard_manager::ClipboardExt as _;

use crate::hosting::{Host, Started};
use crate::notifications::{self, Notice};
use crate::tray::{self, Tray};
use crate::tray_model::TrayState;
use crate::{today, window};

/// Set once Quit began: a second Quit (or a signal during shutdown) does nothing more.
static QUITTING: AtomicBool = AtomicBool::new(false);

/// Tauri's `setup`: puts up the tray at once ("Starting…"), then starts the gateway in the
/// background, so a slow keychain or a large history never delays the tray. The app runs
/// even when the gateway could not start: the tray then shows why.
pub fn start<R: Runtime>(app: &AppHandle<R>, show_window: bool) -> tauri::Result<()> {
    let tray = Tray::new(app, TrayState::Starting, launch_at_login(app), on_menu)?;
    app.manage(tray);
    quit_on_signal(app);
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let started = handle.state::<Host>().start().await;
        bring_up(&handle, started, show_window);
    });
    Ok(())
}

fn running(gateway: &switchyard_gateway::Gateway) -> TrayState {
    TrayState::Running {
        base_url: gateway.proxy_url(),
        paused: gateway.state().is_paused(),
        today: None,
    }
}

/// Everything that follows a start: the window, the figures and the notifications when the
/// gateway runs; the error's notification when it does not.
fn bring_up<R: Runtime>(app: &AppHandle<R>, started: Started, show_window: bool) {
    if QUITTING.load(Ordering::SeqCst) {
        return; // Quit was chosen while the gateway was starting: the tray says Stopping.
    }
    match started {
        Started::Running(gateway) => {
            Tray::update(app, {
                let state = running(&gateway);
                move |_| state
            });
            match app.get_webview_window(window::LABEL) {
                Some(_) if show_window => window::show(app),
                Some(_) => {}
                None => {
                    if let Err(e) = window::create(app, &gateway.dashboard_url(), show_window) {
                        tracing::error!(error = %e, "could not open the dashboard window");
                    }
                }
            }
            notifications::watch(app, gateway.state());
            let state = gateway.state().clone();
            let handle = app.clone();
            tauri::async_runtime::spawn(async move {
                let paused = state.clone();
                today::follow(state, move |figures| {
                    let paused = paused.is_paused();
                    Tray::update(&handle, move |shown| match shown {
                        TrayState::Running { base_url, .. } => TrayState::Running {
                            base_url: base_url.clone(),
                            paused,
                            today: Some(figures),
                        },
                        other => other.clone(),
                    });
                })
                .await;
            });
        }
        Started::NotRunning(state) => {
            let notice = match &state {
                TrayState::PortInUse {
                    listen,
                    config_path,
                } => notifications::port_notice(*listen, config_path),
                TrayState::Failed { message } => Notice {
                    title: "Switchyard could not start".to_owned(),
                    body: message.clone(),
                },
                TrayState::Running { .. } | TrayState::Starting | TrayState::Stopping => return,
            };
            notifications::show(app, &notice);
            Tray::update(app, move |_| state);
        }
    }
}

/// What a menu item does.
pub fn on_menu<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    let host = app.state::<Host>();
    match event.id().as_ref() {
        tray::id::OPEN => window::show(app),
        tray::id::CONNECT => window::show_page(app, "connect"),
        tray::id::COPY => {
            if let Some(gateway) = host.gateway()
                && let Err(e) = app.clipboard().write_text(gateway.proxy_url())
            {
                tracing::warn!(error = %e, "could not copy the base URL");
            }
        }
        tray::id::PAUSE => {
            if let Some(gateway) = host.gateway() {
                let paused = !gateway.state().is_paused();
                gateway.state().set_paused(paused);
                Tray::update(app, move |shown| match shown {
                    TrayState::Running {
                        base_url, today, ..
                    } => TrayState::Running {
                        base_url: base_url.clone(),
                        paused,
                        today: *today,
                    },
                    other => other.clone(),
                });
            }
        }
        tray::id::AUTOSTART => toggle_launch_at_login(app),
        tray::id::RETRY => retry(app),
        tray::id::QUIT => quit(app),
        _ => {}
    }
}

/// A second launch of the app: bring the window forward, or try again when not running.
pub fn second_launch<R: Runtime>(app: &AppHandle<R>) {
    tracing::info!("Switchyard was launched again: showing the running one");
    if app.state::<Host>().gateway().is_some() {
        window::show(app);
    } else {
        retry(app);
    }
}

fn retry<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let started = handle.state::<Host>().start().await;
        bring_up(&handle, started, true);
    });
}

pub fn launch_at_login<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.autolaunch().is_enabled().unwrap_or_else(|e| {
        tracing::debug!(error = %e, "could not read the launch-at-login setting");
        false
    })
}

fn toggle_launch_at_login<R: Runtime>(app: &AppHandle<R>) {
    let autolaunch = app.autolaunch();
    let wanted = !launch_at_login(app);
    let changed = if wanted {
        autolaunch.enable()
    } else {
        autolaunch.disable()
    };
    match changed {
        Ok(()) => tracing::info!(enabled = wanted, "launch at login"),
        Err(e) => tracing::warn!(error = %e, "could not change the launch-at-login setting"),
    }
    app.state::<Tray<R>>()
        .show_launch_at_login(launch_at_login(app));
}

/// Stops the gateway (history flushed), then exits. Called once; later calls do nothing.
pub fn quit<R: Runtime>(app: &AppHandle<R>) {
    if QUITTING.swap(true, Ordering::SeqCst) {
        return;
    }
    tracing::info!("quitting: finishing requests in flight");
    Tray::update(app, |_| TrayState::Stopping);
    if let Some(window) = app.get_webview_window(window::LABEL) {
        let _ = window.hide();
    }
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        handle.state::<Host>().stop().await;
        handle.exit(0);
    });
}

/// SIGINT and SIGTERM (a logout, `kill`, a service manager) quit like the menu does, so the
/// history is flushed then too.
fn quit_on_signal<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        switchyard_gateway::server::shutdown_signal().await;
        quit(&handle);
    });
}

/// Tauri's event loop callback: the app lives in the tray, so it does not end when no window
/// is open; and whatever ends it, the history is flushed first.
pub fn on_run_event<R: Runtime>(app: &AppHandle<R>, event: RunEvent) {
    match event {
        RunEvent::ExitRequested {
            code: None, api, ..
        } => api.prevent_exit(),
        RunEvent::Exit => {
            if let Some(host) = app.try_state::<Host>() {
                tauri::async_runtime::block_on(host.stop());
            }
        }
        _ => {}
    }
}
