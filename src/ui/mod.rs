//! The Leptos views.
