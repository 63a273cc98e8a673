//! The dashboard window: the gateway's own dashboard page, opened with the admin token in the
//! URL fragment so it is signed in, exactly as in a browser.
//!
//! The page is remote content as far as Tauri is concerned (`WebviewUrl::External`, its port
//! is known only after the gateway started) and gets no Tauri IPC: the dashboard talks to the
//! admin API over HTTP like in any browser. Closing the window puts the app back in the tray:
//! the window is destroyed rather than hidden, because a hidden page keeps its WebKit web
//! process (about 280 MiB) alive for nothing; Open dashboard builds it again in well under a
//! second. The app quits only from the tray's Quit. The window may navigate only within the
//! gateway's origin, since it carries the admin token.

use tauri::webview::PageLoadEvent;

use crate::hosting::Host;
use tauri::{
    AppHandle, Manager, Runtime, WebviewUrl, WebviewWindow, WebviewWindowBuilder, WindowEvent,
};

pub const LABEL: &str = "main";

/// Creates the window on `dashboard_url` (http://127.0.0.1:PORT/#token=…).
pub fn create<R: Runtime>(
    app: &AppHandle<R>,
    dashboard_url: &str,
    visible: bool,
) -> tauri::Result<WebviewWindow<R>> {
    let url: tauri::Url = dashboard_url.parse().map_err(tauri::Error::InvalidUrl)?;
    let origin = url.origin();
    let window = WebviewWindowBuilder::new(app, LABEL, WebviewUrl::External(url))
        .title("Switchyard")
        .inner_size(1280.0, 820.0)
        .min_inner_size(760.0, 520.0)
        .visible(visible)
        .on_navigation(move |to| {
            let allowed = to.origin() == origin;
            if !allowed {
                tracing::warn!(url = %to, "the dashboard window stays on the gateway: navigation refused");
            }
            allowed
        })
        .on_page_load(|_, payload| {
            if payload.event() == PageLoadEvent::Finished {
                tracing::debug!("dashboard loaded");
            }
        })
        .build()?;
    window.on_window_event(|event| {
        if let WindowEvent::Destroyed = event {
            tracing::info!("dashboard window closed; Switchyard keeps running in the tray");
        }
    });
    Ok(window)
}

/// Brings the dashboard to the front on one of its pages (`connect` for the tray's "Connect a
/// client…"): the page is the dashboard's own route, so the window only changes its fragment.
pub fn show_page<R: Runtime>(app: &AppHandle<R>, page: &'static str) {
    show(app);
    if let Some(window) = app.get_webview_window(LABEL)
        && let Err(e) = window.eval(format!("window.location.hash = '#/{page}'"))
    {
        tracing::warn!(error = %e, "could not open the {page} page");
    }
}

/// Brings the dashboard to the front (Open dashboard, a second launch), opening it again if
/// it was closed.
pub fn show<R: Runtime>(app: &AppHandle<R>) {
    let window = match app.get_webview_window(LABEL) {
        Some(window) => window,
        None => {
            let Some(gateway) = app.state::<Host>().gateway() else {
                tracing::debug!("no dashboard window: the gateway is not running");
                return;
            };
            match create(app, &gateway.dashboard_url(), true) {
                Ok(window) => window,
                Err(e) => {
                    tracing::error!(error = %e, "could not open the dashboard window");
                    return;
                }
            }
        }
    };
    let shown = window
        .show()
        .and_then(|()| window.unminimize())
        .and_then(|()| window.set_focus());
    if let Err(e) = shown {
        tracing::warn!(error = %e, "could not show the window");
    }
}
