//! What reports read: the facts each close stored, the open day's events with their
//! officers, and the survey answers of a period.

use std::ops::RangeInclusive;

use app::domain::ids::ServiceCode;
use app::domain::ikm::SurveyAnswer;
use app::domain::mutation::Event;
use app::domain::replica::Replica;
use app::domain::report::{DayFacts, Logged};
use jiff::civil::Date;
use serde_json::Value;

use super::{checkpoint_from, day_key, parse, Result, Store, StoreError};

/// The day a record key names (20261201 → 2026-12-01; see [`day_key`]).
fn date_of_key(key: i64) -> Option<Date> {
    Date::new(
        i16::try_from(key / 10_000).ok()?,
        i8::try_from(key / 100 % 100).ok()?,
        i8::try_from(key % 100).ok()?,
    )
    .ok()
}

/// The day still open: the state it started with (the last close's checkpoint), the
/// events since, and the last day closed.
pub struct OpenDay {
    pub start: Replica,
    pub events: Vec<Logged>,
    pub closed_through: Option<Date>,
}

impl Store {
    /// Events after `cursor` with the officer that sent each, at most `limit`, in order.
    pub async fn logged_after(&self, cursor: u64, limit: usize) -> Result<Vec<Logged>> {
        let (from, to) = super::seq_range(cursor, limit);
        let mut r = self
            .db
            .query(format!(
                "SELECT seq, staff, body FROM event:{from}..{to} LIMIT {limit}"
            ))
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        rows.iter()
            .map(|v| {
                Ok(Logged {
                    event: parse::<Event>(v)?,
                    officer: v.get("staff").and_then(Value::as_str).map(str::to_owned),
                })
            })
            .collect()
    }

    /// The last service day closed, if any.
    pub async fn closed_through(&self) -> Result<Option<Date>> {
        let mut r = self
            .db
            .query("SELECT VALUE closed_through FROM checkpoint:current")
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        Ok(rows
            .first()
            .and_then(Value::as_str)
            .and_then(|d| app::domain::time_format::parse_date(d).ok()))
    }

    /// The open day as the store holds it: a day's events at most, however old the log.
    pub async fn open_day(&self) -> Result<OpenDay> {
        let mut r = self
            .db
            .query("SELECT closed_through, body FROM checkpoint:current")
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        let (start, closed_through) = match rows.first().map(checkpoint_from).transpose()? {
            Some(c) => (Replica::from_snapshot(c.snapshot), Some(c.closed_through)),
            None => (Replica::default(), None),
        };
        let mut events = Vec::new();
        let mut cursor = start.cursor();
        loop {
            let batch = self.logged_after(cursor, 10_000).await?;
            let Some(last) = batch.last() else { break };
            cursor = last.event.seq;
            events.extend(batch);
        }
        Ok(OpenDay {
            start,
            events,
            closed_through,
        })
    }

    /// The facts stored for the days of `days` (several rows for a day that received
    /// events after its close): a key range, whatever the age of the store.
    pub async fn day_facts(&self, days: RangeInclusive<Date>) -> Result<Vec<DayFacts>> {
        let (from, to) = (day_key(*days.start()), day_key(*days.end()) + 1);
        let mut r = self
            .db
            .query(format!("SELECT body FROM report_day:[{from}]..[{to}]"))
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        rows.iter().map(parse).collect()
    }

    /// Every close: the last day it closed and the log's sequence number then, in order.
    pub async fn day_closes(&self) -> Result<Vec<(Date, u64)>> {
        let mut r = self
            .db
            .query("SELECT record::id(id) AS day, cursor FROM day_close ORDER BY day")
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        Ok(rows
            .iter()
            .filter_map(|v| {
                let day = date_of_key(v.get("day")?.as_i64()?)?;
                Some((day, v.get("cursor")?.as_u64()?))
            })
            .collect())
    }

    /// The days that have facts stored: their keys only (the facts of a year are megabytes
    /// this start-up check has no use for).
    pub async fn report_days_present(&self) -> Result<std::collections::BTreeSet<Date>> {
        let mut r = self
            .db
            .query("SELECT VALUE record::id(id)[0] FROM report_day")
            .await?
            .check()?;
        let keys: Vec<i64> = r.take(0)?;
        Ok(keys.into_iter().filter_map(date_of_key).collect())
    }

    /// Stores facts tallied for days closed through `through` (see `report_backfill`).
    pub async fn save_report_days(&self, facts: &[DayFacts], through: Date) -> Result<()> {
        let through = day_key(through);
        let facts: Vec<Value> = facts
            .iter()
            .map(|f| serde_json::json!({ "id": [day_key(f.day), through], "body": super::to_body(f) }))
            .collect();
        self.db
            .query("FOR $f IN $facts { UPSERT type::record('report_day', $f.id) CONTENT { body: $f.body } };")
            .bind(("facts", Value::Array(facts)))
            .await?
            .check()?;
        Ok(())
    }

    /// The sequence number of the oldest event kept.
    pub async fn first_event_seq(&self) -> Result<Option<u64>> {
        let mut r = self
            .db
            .query("SELECT VALUE seq FROM event LIMIT 1")
            .await?
            .check()?;
        Ok(r.take::<Vec<u64>>(0)?.first().copied())
    }

    pub async fn report_backfill_done(&self) -> Result<bool> {
        let mut r = self
            .db
            .query("SELECT VALUE report_backfill FROM meta:reports")
            .await?
            .check()?;
        Ok(r.take::<Vec<Option<bool>>>(0)?
            .first()
            .copied()
            .flatten()
            .unwrap_or(false))
    }

    pub async fn mark_report_backfill_done(&self) -> Result<()> {
        self.db
            .query("UPSERT meta:reports SET report_backfill = true")
            .await?
            .check()?;
        Ok(())
    }

    /// Survey answers received from `from_ms` (inclusive) to `to_ms` (exclusive).
    pub async fn surveys_between(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(ServiceCode, SurveyAnswer)>> {
        let mut r = self
            .db
            .query("SELECT service, scores FROM survey WHERE at_ms >= $from AND at_ms < $to")
            .bind(("from", from_ms))
            .bind(("to", to_ms))
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        rows.iter()
            .map(|row| {
                let corrupt = |e: String| StoreError::Corrupt(format!("survey: {e}"));
                let service = row
                    .get("service")
                    .and_then(Value::as_str)
                    .and_then(|s| ServiceCode::parse(s).ok())
                    .ok_or_else(|| corrupt("service".into()))?;
                let scores: [u8; 9] =
                    serde_json::from_value(row.get("scores").cloned().unwrap_or_default())
                        .map_err(|e| corrupt(e.to_string()))?;
                let answer = SurveyAnswer::new(scores).map_err(|e| corrupt(e.to_string()))?;
                Ok((service, answer))
            })
            .collect()
    }
}
