//! Every API route, with who may call it. The router is built from this table only, so a
//! route cannot exist without an access rule, and the auth-matrix test enumerates the
//! same table: a route added here without an entry in the test's matrix fails it.

use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;

use app::domain::accounts::StaffRole;

use crate::auth::limits::Bucket;
use crate::auth::{authorize, Access};
use crate::state::AppState;
use crate::{
    api, backup, catalogue_edits, closing, devices, public_page, push, reports, retention, staff,
    sync,
};

/// One API route (path relative to `/api`).
#[derive(Debug, Clone)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

type Entry = (Route, MethodRouter<AppState>);

fn r<H, T>(method: Method, path: &'static str, access: Access, handler: H) -> Entry
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let filter = MethodFilter::try_from(method.clone()).expect("a standard method");
    (
        Route {
            method,
            path,
            access,
        },
        on(filter, handler),
    )
}

const KIOSK_OR_STAFF: Access = Access::Devices {
    kiosk: true,
    display: false,
    staff: true,
};
const ANY_DEVICE: Access = Access::Devices {
    kiosk: true,
    display: true,
    staff: true,
};
const KIOSK: Access = Access::Devices {
    kiosk: true,
    display: false,
    staff: false,
};
const SUPERVISOR: Access = Access::Staff(StaffRole::Supervisor);
const ADMIN: Access = Access::Staff(StaffRole::Admin);

/// The table.
pub fn table() -> Vec<Entry> {
    use Access::{Limited, Public};
    use Method as M;
    vec![
        r(M::GET, "/health", Public, api::health),
        r(M::GET, "/catalogue", Public, api::catalogue),
        r(M::GET, "/public", Public, public_page::public),
        // The citizen's ticket: the token in the path is the credential.
        // Public: the handlers count a caller's unknown tokens (misses), never its hits.
        r(M::GET, "/t/{token}", Public, api::citizen),
        r(M::GET, "/t/{token}/live", Public, api::citizen_live),
        r(M::POST, "/t/{token}/survey", Public, api::survey),
        r(M::POST, "/t/{token}/push", Public, push::subscribe),
        r(M::DELETE, "/t/{token}/push", Public, push::unsubscribe),
        r(M::GET, "/push/key", Public, push::key),
        // Staff sign-in.
        r(M::GET, "/auth/setup", Public, staff::setup_state),
        r(M::POST, "/auth/setup", Limited(Bucket::Login), staff::setup),
        r(M::POST, "/auth/login", Limited(Bucket::Login), staff::login),
        r(M::POST, "/auth/logout", Access::Signed, staff::logout),
        r(M::GET, "/auth/me", Access::Signed, staff::me),
        r(
            M::POST,
            "/auth/password",
            Access::Signed,
            staff::change_password,
        ),
        // Devices: pairing by an admin, then sync.
        r(
            M::POST,
            "/pairing",
            Limited(Bucket::Pairing),
            devices::start,
        ),
        r(
            M::POST,
            "/pairing/claim",
            Limited(Bucket::Pairing),
            devices::claim,
        ),
        r(M::POST, "/devices", ANY_DEVICE, sync::register),
        r(M::POST, "/sync/push", KIOSK_OR_STAFF, sync::push),
        r(M::GET, "/sync/pull", ANY_DEVICE, sync::pull),
        r(M::POST, "/sync/lease", KIOSK, sync::lease),
        r(M::GET, "/sync/live", ANY_DEVICE, sync::live),
        // Supervision.
        r(M::GET, "/ikm", SUPERVISOR, api::ikm_report),
        r(M::GET, "/reports", SUPERVISOR, reports::report),
        r(M::GET, "/reports/csv", SUPERVISOR, reports::report_csv),
        r(M::GET, "/audit", SUPERVISOR, staff::audit),
        // Administration.
        r(M::GET, "/admin/staff", ADMIN, staff::list),
        r(M::POST, "/admin/staff", ADMIN, staff::create),
        r(
            M::POST,
            "/admin/staff/{username}/disable",
            ADMIN,
            staff::disable,
        ),
        r(
            M::POST,
            "/admin/staff/{username}/enable",
            ADMIN,
            staff::enable,
        ),
        r(
            M::POST,
            "/admin/staff/{username}/role",
            ADMIN,
            staff::set_role,
        ),
        r(
            M::POST,
            "/admin/staff/{username}/lokets",
            ADMIN,
            staff::set_lokets,
        ),
        r(
            M::POST,
            "/admin/staff/{username}/reset-password",
            ADMIN,
            staff::reset_password,
        ),
        r(M::GET, "/admin/devices", ADMIN, devices::list),
        r(
            M::POST,
            "/admin/devices/{client}/revoke",
            ADMIN,
            devices::revoke,
        ),
        r(M::POST, "/admin/pairing/confirm", ADMIN, devices::confirm),
        r(M::POST, "/admin/retention", ADMIN, retention::run_now),
        r(M::GET, "/admin/backup", ADMIN, backup::download),
        r(M::POST, "/admin/close-day", ADMIN, closing::run_now),
        r(
            M::POST,
            "/admin/holidays",
            ADMIN,
            catalogue_edits::replace_holidays,
        ),
        r(
            M::POST,
            "/admin/services/{code}",
            ADMIN,
            catalogue_edits::edit_service,
        ),
        r(
            M::POST,
            "/admin/services",
            ADMIN,
            catalogue_edits::add_service,
        ),
        r(
            M::POST,
            "/admin/services/{code}/offered",
            ADMIN,
            catalogue_edits::offer_service,
        ),
        r(M::POST, "/admin/hours", ADMIN, catalogue_edits::edit_hours),
    ]
}

/// The `/api` router: each route behind the authorization layer with its own rule.
pub fn api(state: &AppState) -> Router<AppState> {
    table()
        .into_iter()
        .fold(Router::new(), |router, (route, method_router)| {
            let access = route.access;
            let layer = from_fn_with_state(state.clone(), move |s, req, next| {
                authorize(s, access, req, next)
            });
            router.route(route.path, method_router.layer(layer))
        })
}
