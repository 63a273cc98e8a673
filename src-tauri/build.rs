//! Tauri's build step: reads tauri.conf.json and the capabilities into the binary.

fn main() {
    tauri_build::build();
}
