//! The one authorization layer. Every API route is declared in [`crate::routes`] with an
//! [`Access`] rule; [`authorize`] runs before the handler, works out who is asking (a
//! paired device by its bearer token, a staff member by the session cookie, or nobody),
//! applies the rule, the rate limits and the CSRF check, and hands the [`Principal`] to
//! the handler. Handlers only add checks that need the request body (a device may push
//! only its own mutations).

pub mod cache;
pub mod limits;
pub mod pairing;
pub mod secrets;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use app::domain::accounts::StaffRole;
use app::domain::mutation::DeviceRole;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use self::limits::Bucket;
use crate::error::ApiError;
use crate::state::{now_ms, AppState};
use crate::store::{DeviceRecord, SessionRecord};
use app::domain::refusal::Refusal;

pub const SESSION_COOKIE: &str = "antrean_session";
/// A counter shift, with margin.
pub const SESSION_MS: i64 = 12 * 3_600_000;
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Browsers cannot set headers on a WebSocket; a device sends its token as a second
/// subprotocol, `bearer.<token>`, next to [`WS_PROTOCOL`].
pub const WS_PROTOCOL: &str = "antrean";

/// Who is asking.
#[derive(Debug, Clone)]
pub enum Principal {
    Anonymous,
    /// A paired kiosk or display.
    Device(DeviceRecord),
    /// A signed-in staff member; `digest` identifies the session.
    Staff {
        session: SessionRecord,
        digest: String,
    },
}

impl Principal {
    /// The signed-in staff member's session and its digest; 401 for anyone else.
    pub fn staff(&self) -> Result<(&SessionRecord, &str), ApiError> {
        match self {
            Principal::Staff { session, digest } => Ok((session, digest)),
            _ => Err(ApiError::Unauthenticated("sign in first".into())),
        }
    }
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: health, the published service standard, the citizen's routes (the token in
    /// the path is the credential; their handlers count a caller's misses against
    /// [`Bucket::Citizen`] and answer an unknown token exactly like a malformed one).
    Public,
    /// Anyone, within a rate limit: sign-in, pairing requests.
    Limited(Bucket),
    /// Paired devices of the listed roles; `staff` admits any signed-in staff member (a
    /// counter tablet acts as its signed-in officer).
    Devices {
        kiosk: bool,
        display: bool,
        staff: bool,
    },
    /// Staff of at least this role.
    Staff(StaffRole),
    /// Any signed-in staff member, also one who still has to change a temporary password:
    /// their own session and password only.
    Signed,
}

impl Access {
    /// Decides, without side effects (rate limits are counted by the layer).
    pub fn check(self, who: &Principal) -> Result<(), ApiError> {
        let unauthenticated = || {
            ApiError::Unauthenticated(
                "sign in, or pair this device in the admin page, first".into(),
            )
        };
        match (self, who) {
            (Access::Public | Access::Limited(_), _) => Ok(()),
            (Access::Signed, Principal::Staff { .. }) => Ok(()),
            // A temporary password opens nothing but its own change.
            (
                Access::Devices { staff: true, .. } | Access::Staff(_),
                Principal::Staff { session, .. },
            ) if session.must_change_password => {
                Err(ApiError::Refused(Refusal::ChangePasswordFirst))
            }
            (Access::Devices { kiosk, display, .. }, Principal::Device(d)) => {
                let ok = match d.role {
                    DeviceRole::Kiosk => kiosk,
                    DeviceRole::Display => display,
                    DeviceRole::Counter => false,
                };
                ok.then_some(()).ok_or_else(|| {
                    ApiError::Forbidden(format!("a {} may not do this", d.role.as_str()))
                })
            }
            (Access::Devices { staff, .. }, Principal::Staff { .. }) => staff
                .then_some(())
                .ok_or_else(|| ApiError::Forbidden("only a paired device may do this".into())),
            (Access::Staff(min), Principal::Staff { session, .. }) => (session.role >= min)
                .then_some(())
                .ok_or(ApiError::Refused(Refusal::RoleTooLow)),
            (Access::Staff(_) | Access::Signed, Principal::Device(_)) => Err(ApiError::Forbidden(
                "a device may not do this; sign in as staff".into(),
            )),
            (_, Principal::Anonymous) => Err(unauthenticated()),
        }
    }
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    if let Some(t) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(t.trim().to_owned());
    }
    headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .find_map(|p| p.trim().strip_prefix("bearer.").map(str::to_owned))
        })
}

/// Works out who is asking. A token that matches no paired device (never paired, or
/// revoked) is refused outright rather than treated as anonymous, so a revoked kiosk
/// learns at once why its sync stopped.
pub async fn principal(s: &AppState, headers: &HeaderMap) -> Result<Principal, ApiError> {
    if let Some(token) = bearer(headers) {
        let digest = secrets::digest(&token);
        let now = now_ms();
        if let Some(d) = s.device_tokens.get(&digest, now) {
            return Ok(Principal::Device(d));
        }
        return match s.store.device_by_token(&digest).await? {
            Some(d) => {
                s.device_tokens.put(digest, d.clone(), now);
                Ok(Principal::Device(d))
            }
            None => Err(ApiError::Refused(Refusal::DeviceNotPaired)),
        };
    }
    if let Some(c) = cookie(headers, SESSION_COOKIE) {
        let digest = secrets::digest(&c);
        if let Some(session) = s.store.session(&digest, now_ms()).await? {
            return Ok(Principal::Staff { session, digest });
        }
    }
    Ok(Principal::Anonymous)
}

/// The address a request comes from, as rate limits and stream limits count it: the
/// peer's, or, when the peer is a trusted reverse proxy (`ANTREAN_TRUSTED_PROXIES`), the
/// last address that proxy appended to `X-Forwarded-For` (the ones before it are the
/// client's own claims). Handlers read it as an extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

pub fn client_ip(req: &Request, trusted: &[IpAddr]) -> IpAddr {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    if !trusted.contains(&peer) {
        return peer;
    }
    req.headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .next_back()
        .unwrap_or(peer)
}

/// The middleware every API route runs through (see the module docs).
pub async fn authorize(
    State(s): State<AppState>,
    access: Access,
    mut req: Request,
    next: Next,
) -> Response {
    let who = match principal(&s, req.headers()).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    if let Err(e) = access.check(&who) {
        return e.into_response();
    }
    let ip = client_ip(&req, &s.trusted_proxies);
    if let Access::Limited(bucket) = access {
        if !s.limits.allow(ip, bucket, now_ms()) {
            return ApiError::TooMany("too many requests; wait a minute and try again".into())
                .into_response();
        }
    }
    // Cookies ride along on cross-site requests in old browsers; a state change that the
    // cookie authorises must also carry the session's CSRF token, which another site
    // cannot read. (Sign-in and other public routes gain nothing from the cookie.)
    let by_cookie = matches!(
        access,
        Access::Staff(_) | Access::Devices { staff: true, .. }
    );
    if let (true, Principal::Staff { session, .. }) = (by_cookie, &who) {
        let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        let sent = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !safe && !secrets::same(sent, &session.csrf) {
            return ApiError::Refused(Refusal::StaleSession).into_response();
        }
    }
    req.extensions_mut().insert(who);
    req.extensions_mut().insert(ClientAddr(ip));
    next.run(req).await
}

/// A `Set-Cookie` value for a new session (or, with `None`, one that ends it).
pub fn session_cookie(token: Option<&str>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(t) => format!(
            "{SESSION_COOKIE}={t}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
            SESSION_MS / 1000
        ),
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::ids::ClientId;

    fn device(role: DeviceRole) -> Principal {
        Principal::Device(DeviceRecord {
            client: ClientId::from_random_bytes([1; 16]),
            role,
            last_mutation: 0,
            series: None,
            loket: None,
            session: None,
        })
    }

    fn staff(role: StaffRole) -> Principal {
        Principal::Staff {
            session: SessionRecord {
                staff_id: "s".into(),
                username: "u".into(),
                role,
                csrf: "c".into(),
                must_change_password: false,
            },
            digest: "d".into(),
        }
    }

    #[test]
    fn a_temporary_password_opens_only_its_own_change() {
        let mut who = staff(StaffRole::Admin);
        if let Principal::Staff { session, .. } = &mut who {
            session.must_change_password = true;
        }
        assert!(Access::Signed.check(&who).is_ok());
        for a in [
            Access::Staff(StaffRole::Officer),
            Access::Devices {
                kiosk: true,
                display: true,
                staff: true,
            },
        ] {
            assert!(matches!(
                a.check(&who),
                Err(ApiError::Refused(Refusal::ChangePasswordFirst))
            ));
        }
        assert!(Access::Signed.check(&Principal::Anonymous).is_err());
        assert!(Access::Signed.check(&device(DeviceRole::Kiosk)).is_err());
    }

    #[test]
    fn staff_roles_include_the_lower_ones() {
        let a = Access::Staff(StaffRole::Supervisor);
        assert!(a.check(&staff(StaffRole::Admin)).is_ok());
        assert!(a.check(&staff(StaffRole::Supervisor)).is_ok());
        assert!(matches!(
            a.check(&staff(StaffRole::Officer)),
            Err(ApiError::Refused(Refusal::RoleTooLow))
        ));
        assert!(matches!(
            a.check(&Principal::Anonymous),
            Err(ApiError::Unauthenticated(_))
        ));
        assert!(matches!(
            a.check(&device(DeviceRole::Kiosk)),
            Err(ApiError::Forbidden(_))
        ));
    }

    #[test]
    fn devices_by_role() {
        let a = Access::Devices {
            kiosk: true,
            display: false,
            staff: false,
        };
        assert!(a.check(&device(DeviceRole::Kiosk)).is_ok());
        assert!(a.check(&device(DeviceRole::Display)).is_err());
        assert!(a.check(&staff(StaffRole::Admin)).is_err());
        assert!(a.check(&Principal::Anonymous).is_err());
    }

    #[test]
    fn tokens_from_headers() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; antrean_session=xyz; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("xyz"));
        h.insert(
            header::SEC_WEBSOCKET_PROTOCOL,
            "antrean, bearer.abc".parse().unwrap(),
        );
        assert_eq!(bearer(&h).as_deref(), Some("abc"));
        h.insert(header::AUTHORIZATION, "Bearer def".parse().unwrap());
        assert_eq!(bearer(&h).as_deref(), Some("def"));
    }
}
