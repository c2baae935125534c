//! The operator's `config.json`, next to `index.html`: the Jaeger a static
//! deployment talks to, and the origins allowed to drive an embedded page.
//! Read once at start; the parsing is plain Rust, tested natively.
//!
//! ```json
//! { "jaeger": { "baseUrl": "https://jaeger.example.com", "credentials": "include" },
//!   "embed": { "allowedOrigins": ["https://grafana.example.com"] },
//!   "memory": { "maxMB": 1024 } }
//! ```

use serde::Deserialize;

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Config {
    #[serde(default)]
    pub jaeger: Option<JaegerConfig>,
    #[serde(default)]
    pub embed: EmbedConfig,
    #[serde(default)]
    pub memory: MemoryConfig,
}

/// How much memory the page may take: a dashboard with many embedded
/// panels may want each to take less than a tab can hold.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct MemoryConfig {
    /// The most the page holds, in MB (10⁶ bytes); past it a load keeps no
    /// more spans, as when the tab is full. At least [`MIN_MEMORY_MB`].
    #[serde(rename = "maxMB", default)]
    pub max_mb: Option<u32>,
}

/// The least `memory.maxMB` may be: the app and the demo take about 50 MB.
pub const MIN_MEMORY_MB: u32 = 64;

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct JaegerConfig {
    #[serde(rename = "baseUrl", default)]
    pub base_url: String,
    #[serde(default)]
    pub credentials: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct EmbedConfig {
    /// Origins (`scheme://host[:port]`) whose pages may send this page
    /// messages. The page's own origin always may; nothing else by default.
    #[serde(rename = "allowedOrigins", default)]
    pub allowed_origins: Vec<String>,
}

impl Config {
    /// Reads `config.json`; an error says which field is wrong, and where.
    pub fn parse(bytes: &[u8]) -> Result<Config, String> {
        let mut c: Config = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        let mut origins = Vec::new();
        for o in &c.embed.allowed_origins {
            match normalize_origin(o) {
                Some(n) => origins.push(n),
                None => {
                    return Err(format!(
                        "embed.allowedOrigins: {o:?} is not an origin (scheme://host[:port], as in \"https://grafana.example.com\")"
                    ))
                }
            }
        }
        c.embed.allowed_origins = origins;
        if let Some(mb) = c.memory.max_mb.filter(|&mb| mb < MIN_MEMORY_MB) {
            return Err(format!(
                "memory.maxMB: {mb} is too little (the app itself takes about 50 MB): give at least {MIN_MEMORY_MB}, or leave it out for all the tab can hold"
            ));
        }
        Ok(c)
    }

    /// The most the page may hold, in bytes, when the operator said.
    pub fn memory_limit(&self) -> Option<usize> {
        self.memory
            .max_mb
            .map(|mb| (mb as usize).saturating_mul(1_000_000))
    }

    /// The Jaeger base URL, when the operator set one.
    pub fn jaeger_base(&self) -> Option<&str> {
        self.jaeger
            .as_ref()
            .map(|j| j.base_url.trim())
            .filter(|b| !b.is_empty())
    }

    /// Whether a page of `origin` may drive this one (`own` is this page's).
    pub fn allows(&self, origin: &str, own: &str) -> bool {
        origin == own || self.embed.allowed_origins.iter().any(|o| o == origin)
    }
}

/// An origin as browsers write `MessageEvent.origin`: scheme and host in
/// lower case, no default port, no path. `None` for anything else (a `*`,
/// a path, a missing scheme).
pub fn normalize_origin(o: &str) -> Option<String> {
    let o = o.trim().trim_end_matches('/');
    let (scheme, rest) = o.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if !(scheme == "http" || scheme == "https") || rest.is_empty() {
        return None;
    }
    if rest.contains(['/', '?', '#', '@', '*', ' ']) {
        return None;
    }
    let rest = rest.to_ascii_lowercase();
    let host = match (scheme.as_str(), rest.rsplit_once(':')) {
        ("http", Some((h, "80"))) | ("https", Some((h, "443"))) => h.to_string(),
        (_, Some((h, port))) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{h}:{port}")
        }
        (_, Some((_, _))) if !rest.ends_with(']') => return None,
        _ => rest,
    };
    Some(format!("{scheme}://{host}"))
}

/// The longest `config.json` read; a longer one is a warning and the
/// defaults.
pub const MAX_CONFIG: usize = 1 << 20;

#[cfg(target_arch = "wasm32")]
mod fetch {
    use super::Config;
    use super::MAX_CONFIG;
    use leptos::prelude::*;

    /// The configuration, `None` until `config.json` was read (or found
    /// missing, which is the default configuration).
    #[derive(Clone, Copy)]
    pub struct Loaded(pub RwSignal<Option<Config>>);

    impl Loaded {
        /// Reads `config.json` beside the page; a malformed one is a
        /// warning and the defaults.
        pub fn start(warn: impl Fn(String) + 'static) -> Loaded {
            let config = RwSignal::new(None);
            leptos::task::spawn_local(async move {
                let bytes = crate::sources::fetch_small_file("config.json", MAX_CONFIG).await;
                let c = match bytes.map(|b| b.map(|b| Config::parse(&b))) {
                    Ok(Some(Ok(c))) => c,
                    Ok(Some(Err(e))) => {
                        warn(format!("config.json: {e}; the defaults are used instead."));
                        Config::default()
                    }
                    // No config.json: the defaults.
                    Ok(None) => Config::default(),
                    Err(e) => {
                        warn(format!("{e} The defaults are used."));
                        Config::default()
                    }
                };
                config.set(Some(c));
            });
            Loaded(config)
        }

        /// Runs `f` with the configuration once it is read.
        pub fn then(self, f: impl FnOnce(&Config) + 'static) {
            let f = std::cell::Cell::new(Some(f));
            Effect::new(move |_| {
                self.0.with(|c| {
                    // Taken only once the configuration is there.
                    if let Some(c) = c {
                        if let Some(f) = f.take() {
                            f(c);
                        }
                    }
                })
            });
        }
    }
}

#[cfg(target_arch = "wasm32")]
pub use fetch::Loaded;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised_as_browsers_write_them() {
        let n = |o: &str| normalize_origin(o);
        assert_eq!(
            n("HTTPS://Grafana.Example.com/").as_deref(),
            Some("https://grafana.example.com")
        );
        assert_eq!(
            n("http://127.0.0.1:8081").as_deref(),
            Some("http://127.0.0.1:8081")
        );
        assert_eq!(n("https://a.b:443").as_deref(), Some("https://a.b"));
        assert_eq!(n("http://[::1]:3000").as_deref(), Some("http://[::1]:3000"));
        assert_eq!(n("http://[::1]").as_deref(), Some("http://[::1]"));
        for bad in [
            "*",
            "grafana.example.com",
            "https://a.b/path",
            "ftp://a.b",
            "https://*.b",
            "https://a.b:x",
            "",
        ] {
            assert_eq!(n(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_config_file() {
        let c = Config::parse(
            br#"{"jaeger":{"baseUrl":" https://j "},"embed":{"allowedOrigins":["https://G.example"]}}"#,
        )
        .unwrap();
        assert_eq!(c.jaeger_base(), Some("https://j"));
        assert!(c.allows("https://g.example", "https://tg"));
        assert!(c.allows("https://tg", "https://tg"));
        assert!(!c.allows("https://evil.example", "https://tg"));
        // Nothing cross-origin by default.
        let d = Config::parse(br#"{"jaeger":{"baseUrl":""}}"#).unwrap();
        assert!(!d.allows("https://g.example", "https://tg"));
        assert_eq!(d.jaeger_base(), None);
        let e = Config::parse(br#"{"embed":{"allowedOrigins":["*"]}}"#).unwrap_err();
        assert!(e.contains("\"*\" is not an origin"), "{e}");
        // A memory limit, in MB; none by default; too little is an error.
        assert_eq!(d.memory_limit(), None);
        let m = Config::parse(br#"{"memory":{"maxMB":512}}"#).unwrap();
        assert_eq!(m.memory_limit(), Some(512_000_000));
        let e = Config::parse(br#"{"memory":{"maxMB":10}}"#).unwrap_err();
        assert!(e.contains("memory.maxMB: 10 is too little"), "{e}");
        assert!(Config::parse(b"{").is_err());
    }
}
