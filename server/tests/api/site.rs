//! What a browser receives for the site's files: the bundle under content-hashed names,
//! precompressed by the build and kept for a year; pages compressed and asked for anew.

use crate::helpers::{spawn_app_env, Db};

/// A compiled site as a release build leaves it: hashed names, `.br` and `.gz` beside
/// each file, the hash file and the service worker's template.
fn release_site() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("antrean-release-site-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("pkg")).expect("site");
    std::fs::write(
        dir.join("hash.txt"),
        "js: JSHASH\nwasm: WASMHASH\ncss: CSSHASH\n",
    )
    .expect("hash");
    for (name, body) in [
        ("antrean.JSHASH.js", "export default function init() {}"),
        ("antrean.WASMHASH.wasm", "\0asm the bundle"),
        ("antrean.CSSHASH.css", "body { margin: 0 }"),
    ] {
        let p = dir.join("pkg").join(name);
        std::fs::write(&p, body).expect("file");
        std::fs::write(format!("{}.br", p.display()), format!("br:{body}")).expect("br");
        std::fs::write(format!("{}.gz", p.display()), format!("gz:{body}")).expect("gz");
    }
    // The citizen page's own bundle.
    std::fs::create_dir_all(dir.join("citizen/pkg")).expect("citizen site");
    std::fs::write(
        dir.join("citizen/hash.txt"),
        "js: CJS\nwasm: CWASM\ncss: CCSS\n",
    )
    .expect("hash");
    for name in ["citizen.CJS.js", "citizen.CWASM.wasm"] {
        std::fs::write(dir.join("citizen/pkg").join(name), "citizen").expect("file");
    }
    // The counter's own bundle.
    std::fs::create_dir_all(dir.join("counter/pkg")).expect("counter site");
    std::fs::write(
        dir.join("counter/hash.txt"),
        "js: KJS\nwasm: KWASM\ncss: KCSS\n",
    )
    .expect("hash");
    for name in ["counter.KJS.js", "counter.KWASM.wasm"] {
        std::fs::write(dir.join("counter/pkg").join(name), "counter").expect("file");
    }
    std::fs::write(
        dir.join("sw.js"),
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../public/sw.js"))
            .expect("the worker's template"),
    )
    .expect("sw");
    dir
}

fn header(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get(name)
        .map(|v| v.to_str().unwrap_or_default().to_string())
}

#[tokio::test]
async fn the_bundle_goes_precompressed_under_hashed_names_kept_for_a_year() {
    let site = release_site();
    let app = spawn_app_env(
        Db::Memory,
        0,
        &[("LEPTOS_SITE_ROOT", site.to_str().unwrap())],
    );

    // The page names the hashed files and is asked for every time.
    let r = app
        .client
        .get(app.url("/kiosk"))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        header(&r, "cache-control").as_deref(),
        Some("private, no-cache")
    );
    let html = r.text().await.expect("html");
    for name in [
        "/pkg/antrean.JSHASH.js",
        "/pkg/antrean.WASMHASH.wasm",
        "/pkg/antrean.CSSHASH.css",
    ] {
        assert!(html.contains(name), "the page links {name}");
    }
    assert!(!html.contains("/pkg/antrean.js"), "no unhashed name");

    // The citizen's page: its own bundle, the site's stylesheet, nothing of the office's.
    let r = app
        .client
        .get(app.url("/t/AAAAAAAAAAAAAAAAAAAAAA"))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status().as_u16(), 404);
    let html = r.text().await.expect("html");
    assert!(html.contains("/citizen/pkg/citizen.CJS.js"), "{html}");
    assert!(html.contains("/citizen/pkg/citizen.CWASM.wasm"));
    assert!(html.contains("/pkg/antrean.CSSHASH.css"));
    assert!(
        !html.contains("/pkg/antrean.JSHASH.js") && !html.contains("/pkg/antrean.WASMHASH.wasm")
    );
    let r = app
        .client
        .get(app.url("/citizen/pkg/citizen.CWASM.wasm"))
        .send()
        .await
        .expect("citizen wasm");
    assert_eq!(
        header(&r, "cache-control").as_deref(),
        Some("public, max-age=31536000, immutable")
    );

    // Each file in the encoding the browser accepts, brotli first.
    let wasm = app.url("/pkg/antrean.WASMHASH.wasm");
    for (accept, encoding, body) in [
        ("gzip, deflate, br", Some("br"), "br:\0asm the bundle"),
        ("gzip", Some("gzip"), "gz:\0asm the bundle"),
        ("identity", None, "\0asm the bundle"),
    ] {
        let r = app
            .client
            .get(&wasm)
            .header("accept-encoding", accept)
            .send()
            .await
            .expect("wasm");
        assert_eq!(r.status().as_u16(), 200, "{accept}");
        assert_eq!(
            header(&r, "content-encoding").as_deref(),
            encoding,
            "{accept}"
        );
        assert_eq!(
            header(&r, "content-type").as_deref(),
            Some("application/wasm")
        );
        assert_eq!(
            header(&r, "cache-control").as_deref(),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(header(&r, "vary").as_deref(), Some("accept-encoding"));
        assert_eq!(r.text().await.expect("body"), body, "{accept}");
    }

    // The counter's page: its own bundle, the site's stylesheet, not the kiosk's code.
    let html = app
        .client
        .get(app.url("/counter"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("/counter/pkg/counter.KJS.js"), "{html}");
    assert!(html.contains("/counter/pkg/counter.KWASM.wasm"));
    assert!(html.contains("/pkg/antrean.CSSHASH.css"));
    assert!(!html.contains("/pkg/antrean.WASMHASH.wasm"));

    // The kiosk's offline shell precaches exactly its bundle's names, the counter's its own.
    for (path, names) in [
        (
            "/sw.js?page=/kiosk",
            [
                "\"/pkg/antrean.JSHASH.js\"",
                "\"/pkg/antrean.WASMHASH.wasm\"",
                "\"/pkg/antrean.CSSHASH.css\"",
            ],
        ),
        (
            "/sw.js?page=/counter",
            [
                "\"/counter/pkg/counter.KJS.js\"",
                "\"/counter/pkg/counter.KWASM.wasm\"",
                "\"/pkg/antrean.CSSHASH.css\"",
            ],
        ),
    ] {
        let r = app.client.get(app.url(path)).send().await.expect("sw");
        assert_eq!(header(&r, "cache-control").as_deref(), Some("no-cache"));
        let sw = r.text().await.expect("sw");
        for name in names {
            assert!(sw.contains(name), "{path} caches {name}");
        }
        assert!(!sw.contains("__"), "no placeholder left");
        assert!(!sw.contains(if path.ends_with("kiosk") {
            "KWASM"
        } else {
            "WASMHASH"
        }));
    }
    let _ = std::fs::remove_dir_all(site);
}

#[tokio::test]
async fn pages_and_api_answers_are_gzipped_for_a_browser_that_asks() {
    let app = spawn_app_env(Db::Memory, 0, &[]);
    for path in ["/kiosk", "/api/catalogue"] {
        let r = app
            .client
            .get(app.url(path))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .expect("answer");
        assert_eq!(r.status().as_u16(), 200, "{path}");
        assert_eq!(
            header(&r, "content-encoding").as_deref(),
            Some("gzip"),
            "{path}"
        );
        let body = r.bytes().await.expect("body");
        assert_eq!(&body[..2], &[0x1f, 0x8b], "{path} is gzip");
    }
    // The API keeps its own rule: nothing is stored.
    let r = app
        .client
        .get(app.url("/api/catalogue"))
        .send()
        .await
        .expect("api");
    assert_eq!(header(&r, "cache-control").as_deref(), Some("no-store"));
    assert_eq!(header(&r, "content-encoding"), None, "plain when not asked");
}
