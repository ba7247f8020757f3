//! A QR code as inline SVG: no image request, prints crisply on a thermal roll.

use leptos::prelude::*;
use qrcodegen::{QrCode as Qr, QrCodeEcc};

/// The SVG path of a QR code's dark modules, and its size with a 2-module quiet zone.
fn svg_path(text: &str) -> Option<(String, i32)> {
    if text.is_empty() {
        return None;
    }
    let qr = Qr::encode_text(text, QrCodeEcc::Medium).ok()?;
    let n = qr.size();
    let mut d = String::new();
    for y in 0..n {
        for x in 0..n {
            if qr.get_module(x, y) {
                d.push_str(&format!("M{},{}h1v1h-1z", x + 2, y + 2));
            }
        }
    }
    Some((d, n + 4))
}

#[component]
pub fn QrCode(
    #[prop(into)] text: Signal<String>,
    #[prop(default = "QR")] label: &'static str,
) -> impl IntoView {
    move || {
        svg_path(&text.get()).map(|(d, size)| {
            view! {
                <svg class="qr" viewBox=format!("0 0 {size} {size}") role="img" aria-label=label shape-rendering="crispEdges">
                    <rect width="100%" height="100%" fill="#fff"/>
                    <path d=d fill="#000"/>
                </svg>
            }
        })
    }
}
