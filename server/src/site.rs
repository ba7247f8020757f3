//! The compiled site as browsers get it: the bundle's hashed file names, the service
//! worker that precaches them, and how long a browser may keep each kind of file.
//!
//! cargo-leptos names the bundle's files by their content (`hash-files`) and writes the
//! hashes to `hash.txt` in the site root; a release build also writes `.br` and `.gz`
//! beside every file (`--precompress`), which the static fallback serves by the request's
//! `Accept-Encoding`. A hashed name never changes content, so browsers keep it for a year
//! without asking; pages are asked for every time, so a deployment shows at once.

use std::path::{Path, PathBuf};

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The hash file cargo-leptos writes, relative to the site root (see `hash-file-name` in
/// the workspace's `Cargo.toml`).
pub const HASH_FILE: &str = "hash.txt";

/// The bundle's three files, as `/pkg/…` paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub js: String,
    pub wasm: String,
    pub css: String,
    /// Whether the names carry content hashes (a build without `hash-files` does not).
    pub hashed: bool,
}

impl Bundle {
    /// The bundle of the site at `root`, named `output` (cargo-leptos's output name).
    pub fn read(root: &Path, output: &str) -> Self {
        Self::read_in(root, "pkg", output)
    }

    /// The bundle whose hash file is in `root` and whose files are under `/{pkg}/`.
    pub fn read_in(root: &Path, pkg: &str, output: &str) -> Self {
        let hashes = std::fs::read_to_string(root.join(HASH_FILE)).ok();
        let hash_of = |kind: &str| {
            hashes.as_deref().and_then(|text| {
                text.lines().find_map(|line| {
                    let (k, v) = line.split_once(':')?;
                    (k.trim() == kind).then(|| v.trim().to_string())
                })
            })
        };
        let name = |kind: &str| match hash_of(kind) {
            Some(h) => format!("/{pkg}/{output}.{h}.{kind}"),
            None => format!("/{pkg}/{output}.{kind}"),
        };
        Self {
            js: name("js"),
            wasm: name("wasm"),
            css: name("css"),
            hashed: hashes.is_some(),
        }
    }

    /// The hash file's absolute path when the site has one (Leptos's hydration scripts
    /// and stylesheet read it; an absolute path makes them independent of where the
    /// server's executable lies).
    pub fn hash_file(root: &Path) -> Option<PathBuf> {
        let path = std::path::absolute(root.join(HASH_FILE)).ok()?;
        path.exists().then_some(path)
    }

    /// The service worker: `sw.js` of the site with this bundle's names and a version
    /// made of them (a new build installs a new cache and drops the old one).
    pub fn service_worker(&self, root: &Path) -> Option<String> {
        let template = std::fs::read_to_string(root.join("sw.js")).ok()?;
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in [&self.js, &self.wasm, &self.css]
            .iter()
            .flat_map(|s| s.bytes())
        {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        // Without hashed names the version must still change with the build.
        if !self.hashed {
            for f in [&self.js, &self.wasm, &self.css] {
                let path = root.join(f.trim_start_matches('/'));
                if let Ok(m) = std::fs::metadata(path) {
                    hash ^= m.len();
                    hash = hash.wrapping_mul(0x0100_0000_01b3);
                    if let Ok(t) = m.modified() {
                        let nanos = t
                            .duration_since(std::time::UNIX_EPOCH)
                            .map_or(0, |d| d.as_nanos());
                        hash ^= nanos as u64;
                        hash = hash.wrapping_mul(0x0100_0000_01b3);
                    }
                }
            }
        }
        Some(
            template
                .replace("__BUILD__", &format!("{hash:016x}"))
                .replace("__JS__", &self.js)
                .replace("__WASM__", &self.wasm)
                .replace("__CSS__", &self.css),
        )
    }
}

/// A bundle of its own for some pages, under the site root (a project of the workspace's
/// `Cargo.toml`): its directory and output name.
#[derive(Debug, Clone, Copy)]
pub struct SubBundle {
    pub dir: &'static str,
    pub output: &'static str,
}

/// The citizens' pages (the ticket's page, the public page): a phone's small bundle.
pub const CITIZEN: SubBundle = SubBundle {
    dir: "citizen",
    output: "citizen",
};
/// The admin page: accounts, devices, reports, which no device needs.
pub const ADMIN: SubBundle = SubBundle {
    dir: "admin",
    output: "admin",
};
/// The counter's page: a loket's tablet downloads neither the kiosk's nor the display's
/// code.
pub const COUNTER: SubBundle = SubBundle {
    dir: "counter",
    output: "counter",
};
/// The display's page (the TV).
pub const DISPLAY: SubBundle = SubBundle {
    dir: "display",
    output: "display",
};
pub const SUB_BUNDLES: [SubBundle; 4] = [CITIZEN, ADMIN, COUNTER, DISPLAY];

/// The bundle of its own that hydrates the page at `route` (one of `app::page::ROUTES`);
/// `None`: the main bundle (the kiosk and the home page), or none at all for the public
/// page, which runs no code in the browser. Must agree with the bundle features in
/// `app::App`.
pub fn sub_bundle_of(route: &str) -> Option<SubBundle> {
    match route {
        app::page::CITIZEN_ROUTE => Some(CITIZEN),
        app::page::ADMIN_ROUTE => Some(ADMIN),
        app::page::COUNTER_ROUTE => Some(COUNTER),
        app::page::DISPLAY_ROUTE => Some(DISPLAY),
        _ => None,
    }
}

impl SubBundle {
    /// Where its files are served from: `/citizen/pkg/…`.
    pub fn pkg_path(self) -> String {
        format!("{}/pkg", self.dir)
    }

    /// The options that make the hydration scripts load this bundle, when the build made
    /// one (under `<dir>/pkg` of the site root).
    pub fn options(
        self,
        site: &leptos::prelude::LeptosOptions,
    ) -> Option<leptos::prelude::LeptosOptions> {
        let root = Path::new(site.site_root.as_ref()).join(self.dir);
        if !root.join("pkg").is_dir() {
            return None;
        }
        let hash_file = Bundle::hash_file(&root);
        Some(
            leptos::prelude::LeptosOptions::builder()
                .output_name(self.output)
                .site_root(site.site_root.as_ref())
                .site_pkg_dir(self.pkg_path())
                .site_addr(site.site_addr)
                .hash_files(hash_file.is_some())
                .hash_file(
                    hash_file
                        .map(|p| p.display().to_string())
                        .unwrap_or_else(|| HASH_FILE.into())
                        .into(),
                )
                .build(),
        )
    }
}

/// How long a browser may keep a response for `path` (not for the API, which says
/// `no-store` itself).
pub fn cache_control(path: &str, bundles: &[Bundle]) -> &'static str {
    let hashed = bundles
        .iter()
        .any(|b| b.hashed && [&b.js, &b.wasm, &b.css].iter().any(|f| path == f.as_str()));
    if hashed {
        "public, max-age=31536000, immutable"
    } else if path.starts_with("/fonts/") || path.starts_with("/icons/") {
        // Unhashed but stable; a week, then the browser asks again.
        "public, max-age=604800"
    } else if path == "/sw.js" {
        "no-cache"
    } else {
        // Pages (and unhashed bundles of a development build): asked for every time. A
        // page carries live state and, for a citizen, a private link.
        "private, no-cache"
    }
}

/// Adds `Cache-Control` to every non-API response that has none, and `Vary:
/// Accept-Encoding` to static files (the same path is sent brotli, gzip or plain).
pub async fn cache_headers(
    bundles: std::sync::Arc<[Bundle]>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    let mut res = next.run(req).await;
    if path.starts_with("/api/") {
        return res;
    }
    let headers = res.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache_control(&path, &bundles)),
        );
    }
    let static_file = path.starts_with("/pkg/")
        || SUB_BUNDLES
            .iter()
            .any(|b| path.starts_with(&format!("/{}/", b.pkg_path())));
    if static_file && !headers.contains_key(header::VARY) {
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    res
}

/// The service workers, built at start-up: one per device page (the page registers
/// `/sw.js?page=<its path>`), each precaching the bundle that hydrates that page and the
/// site's stylesheet.
pub struct ServiceWorkers {
    /// Without a known page: the main bundle's.
    main: Option<String>,
    pages: Vec<(&'static str, Option<String>)>,
}

impl ServiceWorkers {
    pub fn build(root: &Path, main: &Bundle) -> Self {
        let pages = app::page::ROUTES
            .iter()
            .filter(|route| app::page::Page::from_path(route).works_offline())
            .map(|&route| {
                let bundle = sub_bundle_of(route)
                    .filter(|sub| root.join(sub.dir).join("pkg").is_dir())
                    .map(|sub| Bundle {
                        // A bundle of its own carries no stylesheet: its page uses the site's.
                        css: main.css.clone(),
                        ..Bundle::read_in(&root.join(sub.dir), &sub.pkg_path(), sub.output)
                    })
                    .unwrap_or_else(|| main.clone());
                (route, bundle.service_worker(root))
            })
            .collect();
        Self {
            main: main.service_worker(root),
            pages,
        }
    }

    /// `/sw.js?page=…`.
    pub fn serve(&self, page: Option<&str>) -> Response {
        let body = page
            .and_then(|p| self.pages.iter().find(|(route, _)| *route == p))
            .map_or(&self.main, |(_, sw)| sw);
        match body {
            Some(body) => (
                [
                    (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                    // The browser must always check for a new worker.
                    (header::CACHE_CONTROL, "no-cache"),
                ],
                body.clone(),
            )
                .into_response(),
            None => (StatusCode::NOT_FOUND, "service worker not built").into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A site directory of its own under the system's temp dir, removed when dropped.
    struct Site(PathBuf);

    impl std::ops::Deref for Site {
        type Target = Path;
        fn deref(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Site {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn site(hash: Option<&str>) -> Site {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("antrean-site-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("site dir");
        if let Some(h) = hash {
            std::fs::write(dir.join(HASH_FILE), h).expect("hash file");
        }
        std::fs::write(
            dir.join("sw.js"),
            "const V = \"__BUILD__\"; [\"__JS__\", \"__WASM__\", \"__CSS__\"]",
        )
        .expect("sw");
        Site(dir)
    }

    #[test]
    fn names_come_from_the_hash_file_and_the_worker_precaches_them() {
        let dir = site(Some("js: AAA\nwasm: BBB\ncss: CCC\n"));
        let b = Bundle::read(&dir, "antrean");
        assert_eq!(b.js, "/pkg/antrean.AAA.js");
        assert_eq!(b.wasm, "/pkg/antrean.BBB.wasm");
        assert_eq!(b.css, "/pkg/antrean.CCC.css");
        let sw = b.service_worker(&dir).expect("worker");
        assert!(sw.contains(
            "\"/pkg/antrean.AAA.js\", \"/pkg/antrean.BBB.wasm\", \"/pkg/antrean.CCC.css\""
        ));
        assert!(!sw.contains("__BUILD__"));
        // Another build, another worker version.
        let dir2 = site(Some("js: AAA\nwasm: BBX\ncss: CCC\n"));
        let b2 = Bundle::read(&dir2, "antrean");
        assert_ne!(
            sw.split('"').nth(1),
            b2.service_worker(&dir2).expect("worker").split('"').nth(1)
        );
    }

    #[test]
    fn each_device_page_gets_a_worker_that_precaches_its_own_bundle() {
        let dir = site(Some("js: AAA\nwasm: BBB\ncss: CCC\n"));
        std::fs::create_dir_all(dir.join("counter/pkg")).expect("counter site");
        std::fs::write(
            dir.join("counter/hash.txt"),
            "js: KJS\nwasm: KWASM\ncss: KCSS\n",
        )
        .expect("hash file");
        let main = Bundle::read(&dir, "antrean");
        let workers = ServiceWorkers::build(&dir, &main);
        let body = |page: Option<&str>| {
            let res = workers.serve(page);
            assert_eq!(res.status(), StatusCode::OK);
            let sw = workers
                .pages
                .iter()
                .find(|(route, _)| Some(*route) == page)
                .map_or(&workers.main, |(_, sw)| sw);
            sw.clone().expect("worker")
        };
        let counter = body(Some("/counter"));
        assert!(
            counter.contains(
                "\"/counter/pkg/counter.KJS.js\", \"/counter/pkg/counter.KWASM.wasm\", \"/pkg/antrean.CCC.css\""
            ),
            "{counter}"
        );
        for page in [Some("/kiosk"), Some("/"), None, Some("/admin")] {
            assert!(
                body(page).contains("\"/pkg/antrean.AAA.js\", \"/pkg/antrean.BBB.wasm\""),
                "{page:?}"
            );
        }
        // A site built without the display's bundle: its worker falls back to the main one.
        assert!(body(Some("/display")).contains("\"/pkg/antrean.BBB.wasm\""));
        // Different bundles, different workers' versions (caches).
        assert_ne!(
            counter.split('"').nth(1),
            body(Some("/kiosk")).split('"').nth(1)
        );
    }

    #[test]
    fn only_hashed_names_are_immutable() {
        let dir = site(Some("js: AAA\nwasm: BBB\ncss: CCC\n"));
        let b = Bundle::read(&dir, "antrean");
        assert!(
            cache_control("/pkg/antrean.BBB.wasm", std::slice::from_ref(&b)).contains("immutable")
        );
        assert!(
            !cache_control("/pkg/antrean.wasm", std::slice::from_ref(&b)).contains("immutable")
        );
        assert_eq!(
            cache_control("/kiosk", std::slice::from_ref(&b)),
            "private, no-cache"
        );
        assert_eq!(
            cache_control("/t/abc", std::slice::from_ref(&b)),
            "private, no-cache"
        );
        assert_eq!(
            cache_control("/fonts/inter.woff2", std::slice::from_ref(&b)),
            "public, max-age=604800"
        );
        let plain = Bundle::read(&site(None), "antrean");
        assert_eq!(plain.wasm, "/pkg/antrean.wasm");
        assert!(
            !cache_control("/pkg/antrean.wasm", std::slice::from_ref(&plain)).contains("immutable")
        );
    }
}
