//! Mounts the app. Build it for the browser with `trunk build --release`.

/// Counts what the page holds, so that a load stops before the tab's
/// memory runs out (see `traceglass::memory`).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: traceglass::memory::Counting<std::alloc::System> =
    traceglass::memory::Counting(std::alloc::System);

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
