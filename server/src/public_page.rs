//! `GET /api/public` and the server render of `/layanan`: the office's public page (no
//! sign-in). The live queue comes from the authority's replica; the index of the last
//! whole month from the store, once per month (the answers of a month that is over do not
//! change).

use app::domain::ikm;
use app::domain::public_page::{self, PeriodIkm, PublicView};
use axum::extract::State;
use axum::Json;
use jiff::civil::Date;

use crate::error::ApiError;
use crate::state::{now_ms, AppState};

async fn last_month_ikm(s: &AppState, today: Date) -> Result<Option<PeriodIkm>, ApiError> {
    let month = today.first_of_month();
    let mut cache = s.public_ikm.lock().await;
    if let Some((m, ikm)) = cache.as_ref() {
        if *m == month {
            return Ok(ikm.clone());
        }
    }
    let (from, to) = public_page::last_month(today);
    let cal = s.authority.lock().await.rules.calendar.clone();
    let answers = s
        .store
        .surveys_between(
            cal.starts_at(from).as_millisecond(),
            cal.starts_at(month).as_millisecond(),
        )
        .await?;
    let ikm = ikm::tabulate(answers.iter().map(|(_, a)| a))
        .map(|table| PeriodIkm::new(&cal, from, to, &table));
    *cache = Some((month, ikm.clone()));
    Ok(ikm)
}

/// The public page's data now.
pub async fn lookup(s: &AppState) -> Result<PublicView, ApiError> {
    let now = now_ms();
    let today = {
        let auth = s.authority.lock().await;
        auth.rules
            .calendar
            .service_day(jiff::Timestamp::from_millisecond(now).unwrap_or_default())
    };
    let ikm = last_month_ikm(s, today).await?;
    let auth = s.authority.lock().await;
    Ok(public_page::public_view(
        &auth.replica,
        &auth.rules,
        now,
        ikm,
    ))
}

/// `GET /api/public`.
pub async fn public(State(s): State<AppState>) -> Result<Json<PublicView>, ApiError> {
    Ok(Json(lookup(&s).await?))
}

#[cfg(test)]
mod tests {
    use app::domain::ids::TicketId;
    use app::domain::ikm::{Grade, SurveyAnswer};

    use super::*;

    #[tokio::test]
    async fn the_index_is_the_last_whole_months() {
        let running = crate::startup::start(crate::config::Config::for_tests())
            .await
            .expect("server");
        let s = running.state.clone();
        let cal = s.authority.lock().await.rules.calendar.clone();
        let now = jiff::Timestamp::from_millisecond(now_ms()).expect("now");
        let (from, to) = public_page::last_month(cal.service_day(now));
        // PermenPAN-RB's example (79,17, B) answered last month, and one answer today.
        let last_month = cal.starts_at(from).as_millisecond() + 3 * 86_400_000;
        for (i, (scores, at)) in [
            ([4, 3, 3, 4, 4, 3, 3, 2, 3], last_month),
            ([3, 3, 3, 4, 3, 3, 3, 3, 3], last_month + 60_000),
            ([1; 9], now_ms()),
        ]
        .into_iter()
        .enumerate()
        {
            let answer = SurveyAnswer::new(scores).expect("scores");
            let id = TicketId::from_random_bytes([i as u8 + 1; 16]);
            assert!(s
                .store
                .save_survey(id, "legalisir-ktp-el", "2026-11-02", answer, at)
                .await
                .expect("survey"));
        }
        let ikm = lookup(&s).await.expect("view").ikm.expect("an index");
        let words = |d: jiff::civil::Date| {
            let w = cal.date_in_words(d, app::domain::i18n::Lang::Id);
            w.split_once(", ").map(|(_, r)| r.to_owned()).unwrap_or(w)
        };
        assert_eq!(ikm.words.id, format!("{} – {}", words(from), words(to)));
        assert_eq!(ikm.converted_x100, 7917);
        assert_eq!((ikm.grade, ikm.respondents), (Grade::B, 2));
    }
}
