//! Mounts the app. Build it for the browser with `trunk build --release`.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(traceglass::ui::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "Traceglass runs in the browser: build it with `trunk build --release` (see README.md)."
    );
}
