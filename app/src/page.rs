//! Which page a path shows. Six fixed paths and one token path do not need a client-side
//! router: each device opens one page and stays on it, and links between pages are
//! ordinary page loads. The server renders by the request's path and the browser hydrates
//! by its location, the same string, so both choose the same page.

/// The paths that have a page, in the server's route syntax (`{token}` is one segment).
/// The server renders these; anything else gets the not-found page with status 404.
pub const ROUTES: [&str; 7] = [
    "/",
    "/kiosk",
    COUNTER_ROUTE,
    DISPLAY_ROUTE,
    ADMIN_ROUTE,
    CITIZEN_ROUTE,
    PUBLIC_ROUTE,
];

/// The counter's page (its own bundle).
pub const COUNTER_ROUTE: &str = "/counter";

/// The display's page (its own bundle).
pub const DISPLAY_ROUTE: &str = "/display";

/// The admin page (its own bundle).
pub const ADMIN_ROUTE: &str = "/admin";

/// The office's public page: its service standards, the last month's index, the queue now.
pub const PUBLIC_ROUTE: &str = "/layanan";

/// The citizen's page; the server answers it with the status of the ticket's lookup.
pub const CITIZEN_ROUTE: &str = "/t/{token}";

/// A page of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    Home,
    Kiosk,
    Counter,
    Display,
    Admin,
    /// `/t/{token}`: the citizen's tracking page.
    Citizen(String),
    /// `/layanan`: the public page.
    Public,
    NotFound,
}

impl Page {
    pub fn from_path(path: &str) -> Page {
        match path {
            "/" | "" => Page::Home,
            "/kiosk" => Page::Kiosk,
            COUNTER_ROUTE => Page::Counter,
            DISPLAY_ROUTE => Page::Display,
            ADMIN_ROUTE => Page::Admin,
            PUBLIC_ROUTE => Page::Public,
            _ => match path.strip_prefix("/t/") {
                Some(token) if !token.is_empty() && !token.contains('/') => {
                    Page::Citizen(token.to_owned())
                }
                _ => Page::NotFound,
            },
        }
    }

    /// The path being rendered: the request's on the server, the location's in the browser.
    /// Whether the page runs on one of the office's devices and must keep working
    /// offline (the service worker is installed for these only: a citizen's phone on a
    /// slow network downloads its own page and nothing else).
    pub fn works_offline(&self) -> bool {
        matches!(
            self,
            Page::Home | Page::Kiosk | Page::Counter | Page::Display
        )
    }

    pub fn current() -> Page {
        #[cfg(feature = "ssr")]
        let path =
            leptos::prelude::use_context::<http::request::Parts>().map(|p| p.uri.path().to_owned());
        #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
        let path = web_sys::window().and_then(|w| w.location().pathname().ok());
        #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
        let path: Option<String> = None;
        Page::from_path(path.as_deref().unwrap_or("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_device_path_has_its_page() {
        assert_eq!(Page::from_path("/"), Page::Home);
        assert_eq!(Page::from_path("/kiosk"), Page::Kiosk);
        assert_eq!(Page::from_path("/counter"), Page::Counter);
        assert_eq!(Page::from_path("/display"), Page::Display);
        assert_eq!(Page::from_path("/admin"), Page::Admin);
        assert_eq!(Page::from_path("/layanan"), Page::Public);
    }

    #[test]
    fn a_tracking_path_carries_its_token() {
        assert_eq!(
            Page::from_path("/t/Zq3x9Kd2"),
            Page::Citizen("Zq3x9Kd2".into())
        );
    }

    #[test]
    fn every_route_the_server_renders_has_a_page() {
        for route in ROUTES {
            let path = route.replace("{token}", "Zq3x9Kd2");
            assert_ne!(Page::from_path(&path), Page::NotFound, "{route}");
        }
    }

    #[test]
    fn anything_else_is_not_found() {
        for p in [
            "/t/", "/t", "/t/a/b", "/kiosk/", "/kiosks", "/Kiosk", "/api", "/x",
        ] {
            assert_eq!(Page::from_path(p), Page::NotFound, "{p}");
        }
    }

    #[test]
    fn only_device_pages_install_the_offline_shell() {
        for path in ["/", "/kiosk", "/counter", "/display"] {
            assert!(Page::from_path(path).works_offline(), "{path}");
        }
        for path in ["/admin", "/t/abc", "/layanan", "/nope"] {
            assert!(!Page::from_path(path).works_offline(), "{path}");
        }
    }
}
