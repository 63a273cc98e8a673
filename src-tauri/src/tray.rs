//! The tray icon and its menu, copied from a [`TrayView`](crate::tray_model::TrayView).
//!
//! The menu is built once for a shape (how many status lines, which items apply) and then
//! updated in place, so that a menu the user holds open is not torn down by the refresh of
//! today's spend every few seconds. What the items *do* lives in [`crate::lifecycle`]; this
//! module only draws.

use std::sync::Mutex;

use tauri::image::Image;
use tauri::menu::{CheckMenuItem, IsMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Runtime};

use crate::tray_model::{Look, TrayState, TrayView};

/// Menu item ids, matched in [`crate::lifecycle::on_menu`].
pub mod id {
    pub const OPEN: &str = "open-dashboard";
    pub const CONNECT: &str = "connect-a-client";
    pub const COPY: &str = "copy-base-url";
    pub const PAUSE: &str = "pause-resume";
    pub const AUTOSTART: &str = "launch-at-login";
    pub const RETRY: &str = "try-again";
    pub const QUIT: &str = "quit";
}

/// The icon for a look. On macOS the running icon is the monochrome template, drawn in the
/// menu bar's own colour like every other menu bar item; paused and error keep their colour
/// there, since they are meant to stand out.
fn image(look: Look) -> Image<'static> {
    match look {
        #[cfg(target_os = "macos")]
        Look::Running => tauri::include_image!("../icons/tray-template.png"),
        #[cfg(not(target_os = "macos"))]
        Look::Running => tauri::include_image!("../icons/tray-running.png"),
        Look::Paused => tauri::include_image!("../icons/tray-paused.png"),
        Look::Error => tauri::include_image!("../icons/tray-error.png"),
    }
}

/// The menu items that change while the app runs.
struct Items<R: Runtime> {
    lines: Vec<MenuItem<R>>,
    open: MenuItem<R>,
    connect: MenuItem<R>,
    copy: MenuItem<R>,
    pause: MenuItem<R>,
    autostart: CheckMenuItem<R>,
}

/// What identifies a menu's layout: a view of another shape needs a new menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shape {
    lines: usize,
    gateway_items: bool,
    retry: bool,
}

impl Shape {
    fn of(view: &TrayView) -> Shape {
        Shape {
            lines: view.lines.len(),
            gateway_items: view.gateway_items,
            retry: view.retry,
        }
    }
}

struct Drawn<R: Runtime> {
    state: TrayState,
    view: TrayView,
    shape: Shape,
    items: Items<R>,
}

/// The tray, held in Tauri's managed state.
pub struct Tray<R: Runtime> {
    icon: TrayIcon<R>,
    drawn: Mutex<Drawn<R>>,
}

impl<R: Runtime> std::fmt::Debug for Tray<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tray").finish_non_exhaustive()
    }
}

impl<R: Runtime> Tray<R> {
    /// Creates the tray icon showing `state`. `launch_at_login` is the check item's state.
    pub fn new(
        app: &AppHandle<R>,
        state: TrayState,
        launch_at_login: bool,
        on_menu: impl Fn(&AppHandle<R>, MenuEvent) + Send + Sync + 'static,
    ) -> tauri::Result<Tray<R>> {
        let view = state.view();
        let (menu, items) = build_menu(app, &view, launch_at_login)?;
        let icon = TrayIconBuilder::with_id("switchyard")
            .icon(image(view.look))
            .icon_as_template(cfg!(target_os = "macos") && view.look == Look::Running)
            .tooltip(&view.tooltip)
            .menu(&menu)
            .show_menu_on_left_click(true)
            .on_menu_event(on_menu)
            .build(app)?;
        tracing::debug!(status = %view.lines.join(" | "), "tray");
        Ok(Tray {
            icon,
            drawn: Mutex::new(Drawn {
                shape: Shape::of(&view),
                state,
                view,
                items,
            }),
        })
    }

    /// Shows `change(state)`: texts and the icon are updated in place, the menu is rebuilt
    /// only when its shape changed. Runs on the main thread, where menus live: a caller on
    /// another thread that held the lock while waiting for the main thread could deadlock
    /// with a menu click.
    pub fn update(
        app: &AppHandle<R>,
        change: impl FnOnce(&TrayState) -> TrayState + Send + 'static,
    ) {
        let handle = app.clone();
        let queued = app.run_on_main_thread(move || {
            if let Some(tray) = handle.try_state::<Tray<R>>() {
                tray.apply(&handle, change);
            }
        });
        if let Err(e) = queued {
            tracing::warn!(error = %e, "could not update the tray");
        }
    }

    fn apply(&self, app: &AppHandle<R>, change: impl FnOnce(&TrayState) -> TrayState) {
        let mut drawn = self.lock();
        let state = change(&drawn.state);
        let view = state.view();
        drawn.state = state;
        if view == drawn.view {
            return;
        }
        tracing::debug!(status = %view.lines.join(" | "), "tray");
        if let Err(e) = self.draw(app, &mut drawn, view) {
            tracing::warn!(error = %e, "could not update the tray");
        }
    }

    fn draw(&self, app: &AppHandle<R>, drawn: &mut Drawn<R>, view: TrayView) -> tauri::Result<()> {
        if view.look != drawn.view.look {
            self.icon.set_icon(Some(image(view.look)))?;
            #[cfg(target_os = "macos")]
            self.icon.set_icon_as_template(view.look == Look::Running)?;
        }
        self.icon.set_tooltip(Some(&view.tooltip))?;
        let shape = Shape::of(&view);
        if shape == drawn.shape {
            for (item, text) in drawn.items.lines.iter().zip(&view.lines) {
                item.set_text(text)?;
            }
            drawn.items.pause.set_text(view.pause_label)?;
        } else {
            let launch_at_login = crate::lifecycle::launch_at_login(app);
            let (menu, items) = build_menu(app, &view, launch_at_login)?;
            self.icon.set_menu(Some(menu))?;
            drawn.items = items;
            drawn.shape = shape;
        }
        for item in [
            &drawn.items.open,
            &drawn.items.connect,
            &drawn.items.copy,
            &drawn.items.pause,
        ] {
            item.set_enabled(view.gateway_items)?;
        }
        drawn.view = view;
        Ok(())
    }

    /// Puts the Launch at login check mark where the OS setting really is (a click toggles the
    /// mark before the setting is changed, and changing it can fail).
    pub fn show_launch_at_login(&self, enabled: bool) {
        if let Err(e) = self.lock().items.autostart.set_checked(enabled) {
            tracing::warn!(error = %e, "could not update the Launch at login item");
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Drawn<R>> {
        self.drawn.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn build_menu<R: Runtime>(
    app: &AppHandle<R>,
    view: &TrayView,
    launch_at_login: bool,
) -> tauri::Result<(Menu<R>, Items<R>)> {
    let lines = view
        .lines
        .iter()
        .enumerate()
        .map(|(i, text)| MenuItem::with_id(app, format!("status-{i}"), text, false, None::<&str>))
        .collect::<tauri::Result<Vec<_>>>()?;
    let enabled = view.gateway_items;
    let open = MenuItem::with_id(app, id::OPEN, "Open dashboard", enabled, None::<&str>)?;
    let connect = MenuItem::with_id(app, id::CONNECT, "Connect a client…", enabled, None::<&str>)?;
    let copy = MenuItem::with_id(app, id::COPY, "Copy base URL", enabled, None::<&str>)?;
    let pause = MenuItem::with_id(app, id::PAUSE, view.pause_label, enabled, None::<&str>)?;
    let autostart = CheckMenuItem::with_id(
        app,
        id::AUTOSTART,
        "Launch at login",
        true,
        launch_at_login,
        None::<&str>,
    )?;
    let retry = MenuItem::with_id(app, id::RETRY, "Try again", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, id::QUIT, "Quit Switchyard", true, None::<&str>)?;
    let top = PredefinedMenuItem::separator(app)?;
    let middle = PredefinedMenuItem::separator(app)?;
    let bottom = PredefinedMenuItem::separator(app)?;

    let mut entries: Vec<&dyn IsMenuItem<R>> =
        lines.iter().map(|l| l as &dyn IsMenuItem<R>).collect();
    entries.push(&top);
    if view.retry {
        entries.push(&retry);
    } else {
        entries.extend([&open as &dyn IsMenuItem<R>, &connect, &copy, &pause]);
    }
    entries.extend([&middle as &dyn IsMenuItem<R>, &autostart, &bottom, &quit]);
    let menu = Menu::with_items(app, &entries)?;
    Ok((
        menu,
        Items {
            lines,
            open,
            connect,
            copy,
            pause,
            autostart,
        },
    ))
}
