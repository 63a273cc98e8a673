//! `switchyard-desktop`: Switchyard as a tray app. It runs the same gateway as
//! `switchyard serve`, in-process, and adds only what a desktop needs: a tray icon that shows
//! whether the proxy runs and what today cost, a window on the dashboard, launch at login,
//! one instance at a time, and notifications.
//!
//! This file only wires Tauri's plugins to the modules: [`lifecycle`] decides what happens
//! when, [`tray`] and [`window`] draw, [`hosting`] holds the gateway.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod args;
mod hosting;
mod lifecycle;
mod logs;
mod notifications;
mod today;
mod tray;
mod tray_model;
mod window;

use std::process::ExitCode;

use clap::Parser;
use tauri_plugin_autostart::MacosLauncher;

fn main() -> ExitCode {
    let args = args::Args::parse();
    let locations = args.locations();
    if let Some(file) = logs::init("info", &locations.data_dir) {
        tracing::info!(log = %file.display(), "Switchyard {} (desktop) starting", env!("CARGO_PKG_VERSION"));
    }
    if !has_display() {
        tracing::error!("no display to show a tray icon or a window on");
        eprintln!(
            "switchyard-desktop: no display (neither DISPLAY nor WAYLAND_DISPLAY is set). \
             Run the gateway without a GUI with `switchyard serve` (same flags)."
        );
        return ExitCode::FAILURE;
    }
    let show_window = !args.hidden;
    let app = tauri::Builder::default()
        // First, so that a second launch hands over before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            lifecycle::second_launch(app);
        }))
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_autostart::init(
            MacosLauncher::LaunchAgent,
            Some(vec![args::HIDDEN_FLAG]),
        ))
        .manage(hosting::Host::new(locations))
        .setup(move |app| {
            lifecycle::start(app.handle(), show_window)?;
            Ok(())
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => {
            app.run(lifecycle::on_run_event);
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!("Switchyard cannot open its window or tray: {e}");
            eprintln!("switchyard-desktop: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A Linux desktop session has a display; GTK aborts without one, so say so plainly first.
fn has_display() -> bool {
    if cfg!(any(target_os = "linux", target_os = "freebsd")) {
        ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
    } else {
        true
    }
}
