//! The one error type of the HTTP edge. Every handler returns `Result<_, ApiError>`; the
//! status code is decided in one place. The body carries a code the device words in the
//! user's language (`Refusal`) and an English message for logs and API users.

use app::domain::refusal::Refusal;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "error", content = "message", rename_all = "snake_case")]
pub enum ApiError {
    /// The request is malformed or breaks a rule (400).
    #[error("{0}")]
    Invalid(String),
    /// The device or person is not known (401).
    #[error("{0}")]
    Unauthenticated(String),
    /// Known, but not allowed to do this (403).
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with the current state (409).
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    /// A rate limit was reached (429).
    #[error("{0}")]
    TooMany(String),
    /// A refusal the device words precisely; its status comes with it.
    #[error("{}", .0.text().en)]
    Refused(Refusal),
    /// Something on our side failed (500); the details are logged, not sent.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Invalid(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Refused(r) => {
                StatusCode::from_u16(r.status()).unwrap_or(StatusCode::BAD_REQUEST)
            }
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The code the body carries; `None` for a failure of ours.
    pub fn code(&self) -> Option<Refusal> {
        Some(match self {
            ApiError::Refused(r) => *r,
            ApiError::Internal(_) => return None,
            other => Refusal::of_status(other.status_code().as_u16()),
        })
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        ApiError::Refused(r)
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        if let ApiError::Internal(detail) = &self {
            // Logged once, here; the detail never carries personal data (the store only
            // holds ticket numbers, ids and timestamps).
            tracing::error!(%detail, "request failed");
        }
        let body = serde_json::json!({
            "error": status.canonical_reason().unwrap_or("error"),
            "code": self.code(),
            "message": self.to_string(),
        });
        (status, axum::Json(body)).into_response()
    }
}
