//! The timeline's keyboard: Jaeger UI's keys, the arrows for the
//! selection, and the list the `?` help shows. Which key does what is
//! decided here, in plain Rust; the timeline only carries the actions out.

/// What a key asks the timeline to do.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum KeyAction {
    /// Select the next or previous visible row.
    Next,
    Previous,
    /// Collapse the selected span, or go to its parent.
    Left,
    /// Expand the selected span, or go to its first child.
    Right,
    OpenDetail,
    /// Scroll by this many rows.
    Scroll(f64),
    /// Pan by this part of the window's width.
    Pan(f64),
    /// Zoom by this factor around the middle (below 1 zooms in).
    Zoom(f64),
    ResetZoom,
    CollapseAll,
    ExpandAll,
    CollapseLevel,
    ExpandLevel,
    ToggleHelp,
}

/// The action of `key` (a `KeyboardEvent.key`) with or without Shift,
/// when neither Ctrl, Meta nor Alt is held and the focus is not in a field.
pub fn action(key: &str, shift: bool) -> Option<KeyAction> {
    use KeyAction::*;
    let step = if shift { 0.5 } else { 0.1 };
    Some(match key {
        "ArrowDown" | "f" => Next,
        "ArrowUp" | "b" => Previous,
        "ArrowLeft" => Left,
        "ArrowRight" => Right,
        "Enter" => OpenDetail,
        "s" => Scroll(3.0),
        "w" => Scroll(-3.0),
        "a" | "A" => Pan(-step),
        "d" | "D" => Pan(step),
        "+" | "=" => Zoom(0.8),
        "-" | "_" => Zoom(1.25),
        "0" => ResetZoom,
        "]" => CollapseAll,
        "[" => ExpandAll,
        "p" => CollapseLevel,
        "o" => ExpandLevel,
        "?" => ToggleHelp,
        _ => return None,
    })
}

/// Every keyboard shortcut, for the `?` help.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("↓ or f / ↑ or b", "Select the next / previous visible span"),
    (
        "← / →",
        "Collapse the selected span (or go to its parent) / expand it (or go to its first child)",
    ),
    ("Enter", "Show the selected span's detail"),
    ("s / w", "Scroll down / up"),
    ("a / d", "Pan left / right (Shift: a large step)"),
    ("+ / −", "Zoom in / out of the time axis"),
    ("0", "Reset the zoom"),
    ("] / [", "Collapse all / expand all"),
    ("p / o", "Collapse one level / expand one level"),
    ("Ctrl+B", "Find spans (focus the find box)"),
    (
        "Enter / Shift+Enter in the find box",
        "Next / previous match",
    ),
    ("Ctrl+wheel / Shift+wheel", "Zoom / pan the time axis"),
    (
        "Esc",
        "Close this help, clear the find box, or close the detail",
    ),
    ("?", "Show or hide this help"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaeger_keys_and_arrows() {
        assert_eq!(action("f", false), Some(KeyAction::Next));
        assert_eq!(action("ArrowUp", false), Some(KeyAction::Previous));
        assert_eq!(action("d", false), Some(KeyAction::Pan(0.1)));
        assert_eq!(action("D", true), Some(KeyAction::Pan(0.5)));
        assert_eq!(action("A", true), Some(KeyAction::Pan(-0.5)));
        assert_eq!(action("=", false), Some(KeyAction::Zoom(0.8)));
        assert_eq!(action("x", false), None);
    }

    #[test]
    fn the_help_lists_every_key_with_an_action() {
        let help: String = SHORTCUTS
            .iter()
            .map(|(k, _)| *k)
            .collect::<Vec<_>>()
            .join(" ");
        for key in [
            "f", "b", "s", "w", "a", "d", "+", "0", "]", "[", "p", "o", "?", "Enter",
        ] {
            assert!(action(key, false).is_some(), "{key}");
            assert!(help.contains(key), "{key} is in the help");
        }
    }
}
