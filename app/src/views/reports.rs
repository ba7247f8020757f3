//! The report section of `/admin` (supervisors and admins): a period, its figures as
//! tables (each downloadable as CSV), three charts drawn as SVG, and a print layout on A4
//! for the monthly report to the head of office. Everything is counted by the server
//! (`crate::domain::report`); this view only lays it out.

use leptos::prelude::*;

use crate::domain::catalogue::Catalogue;
use crate::domain::i18n::{Lang, Text};
use crate::domain::ikm;
use crate::domain::report::chart::{bar_chart, BarChart};
use crate::domain::report::csv::{decimal, row_cells, Table, ROW_HEADINGS};
use crate::domain::report::summary::{check_period, WAIT_CLASSES_MIN};
use crate::domain::report::{Report, Row};
use crate::domain::time_format::{parse_date, print_date};
use crate::text;
use crate::use_lang;

/// The first day of this month and today, at the office (only ever run in the browser:
/// the section appears after sign-in).
#[cfg(feature = "hydrate")]
fn this_month(catalogue: Option<&Catalogue>) -> (String, String) {
    let cal = catalogue
        .map(Catalogue::office_calendar)
        .unwrap_or_default();
    let now = jiff::Timestamp::from_millisecond(js_sys::Date::now() as i64).unwrap_or_default();
    let today = cal.service_day(now);
    (print_date(today.first_of_month()), print_date(today))
}

fn moment(cal: &crate::domain::calendar::OfficeCalendar, at: jiff::Timestamp) -> String {
    let z = cal.local(at);
    format!("{} {:02}.{:02}", print_date(z.date()), z.hour(), z.minute())
}

#[component]
pub fn ReportSection(catalogue: RwSignal<Option<Catalogue>>) -> impl IntoView {
    let lang = use_lang();
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let report = RwSignal::new(None::<Report>);
    let error = RwSignal::new(None::<Text>);
    let show = move || {
        let (f, t) = (from.get_untracked(), to.get_untracked());
        let (Ok(fd), Ok(td)) = (parse_date(&f), parse_date(&t)) else {
            error.set(Some(Text::new("Isi kedua tanggal.", "Fill in both dates.")));
            return;
        };
        if let Err(e) = check_period(fd, td) {
            error.set(Some(e.text()));
            return;
        }
        error.set(None);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            match crate::client::net::report(&f, &t).await {
                Ok(r) => report.set(Some(r)),
                Err(crate::client::net::NetError::Refused { code, .. }) => {
                    error.set(Some(code.text()))
                }
                Err(crate::client::net::NetError::Unreachable) => {
                    error.set(Some(text::UNREACHABLE.into()))
                }
            }
        });
    };
    #[cfg(feature = "hydrate")]
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        let c = catalogue.get();
        if c.is_none() {
            return false;
        }
        let (f, t) = this_month(c.as_ref());
        from.set(f);
        to.set(t);
        show();
        true
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        show();
    };
    view! {
        <section class="card report" data-testid="report">
            <h2>{move || text::REPORT_TITLE.get(lang.get())}</h2>
            <p class="print-only report-office">{move || catalogue.get().map(|c| format!("{} — {}", c.office.agency, c.office.name))}</p>
            <form class="form-row no-print" on:submit=submit data-testid="report-form">
                <label>
                    <span>{move || text::REPORT_FROM.get(lang.get())}</span>
                    <input type="date" name="from" required prop:value=from on:input=move |e| from.set(event_target_value(&e))/>
                </label>
                <label>
                    <span>{move || text::REPORT_TO.get(lang.get())}</span>
                    <input type="date" name="to" required prop:value=to on:input=move |e| to.set(event_target_value(&e))/>
                </label>
                <button class="btn btn-primary" type="submit">{move || text::REPORT_SHOW.get(lang.get())}</button>
                <button class="btn btn-ghost" type="button" data-testid="report-print" on:click=move |_| {
                    #[cfg(feature = "hydrate")]
                    if let Some(w) = web_sys::window() {
                        let _ = w.print();
                    }
                }>{move || text::REPORT_PRINT.get(lang.get())}</button>
            </form>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.get(lang.get()).to_string()}</p> })}
            {move || report.get().map(|r| {
                let cal = catalogue.get().map(|c| c.office_calendar()).unwrap_or_default();
                view! { <ReportBody r cal/> }
            })}
        </section>
    }
}

fn csv_link(r: &Report, table: Table, lang: Lang) -> impl IntoView {
    let label = match table {
        Table::Daily => text::REPORT_CSV_DAILY,
        _ => text::REPORT_CSV,
    };
    let href = format!(
        "/api/reports/csv?from={}&to={}&table={}&lang={}",
        print_date(r.from),
        print_date(r.to),
        table.name(),
        if lang == Lang::En { "en" } else { "id" }
    );
    view! {
        <a class="csv no-print" href=href download data-testid=format!("csv-{}", table.name())>
            {label.get(lang)}
        </a>
    }
}

#[component]
fn ReportBody(r: Report, cal: crate::domain::calendar::OfficeCalendar) -> impl IntoView {
    let lang = use_lang();
    let r = StoredValue::new(r);
    let cal = StoredValue::new(cal);
    move || {
        let l = lang.get();
        let r = r.get_value();
        let cal = cal.get_value();
        let comma = l == Lang::Id;
        let c = r.totals.counts;
        let period = format!(
            "{} — {}",
            cal.date_in_words(r.from, l),
            cal.date_in_words(r.to, l)
        );
        if c == Default::default() && r.ikm.is_none() {
            return view! {
                <p class="report-period">{period}</p>
                <p class="muted" data-testid="report-empty">{text::REPORT_EMPTY.get(l)}</p>
            }
            .into_any();
        }
        let on_time = r
            .totals
            .on_time_percent()
            .map(|p| format!("{} %", decimal(p, 1, comma)))
            .unwrap_or_else(|| "—".into());
        let wait = r
            .totals
            .wait
            .median_s
            .map(|s| {
                format!(
                    "{} {}",
                    decimal(f64::from(s) / 60.0, 1, comma),
                    text::REPORT_MINUTES.get(l)
                )
            })
            .unwrap_or_else(|| "—".into());
        let ikm_tile = r
            .ikm
            .as_ref()
            .map(|k| format!("{} ({})", decimal(k.converted, 2, comma), k.grade.letter()))
            .unwrap_or_else(|| "—".into());
        let tiles = [
            (ROW_HEADINGS[0], c.issued, "tile-issued"),
            (ROW_HEADINGS[1], c.served, "tile-served"),
            (ROW_HEADINGS[2], c.not_served, "tile-not-served"),
        ];
        let hour_labels: Vec<String> = (0..24).map(|h| format!("{h:02}")).collect();
        // Only the hours the office saw tickets in, with one hour either side.
        let busy: Vec<usize> = (0..24).filter(|h| r.issued_by_hour[*h] > 0).collect();
        let (h0, h1) = match (busy.first(), busy.last()) {
            (Some(a), Some(b)) => (a.saturating_sub(1), (b + 1).min(23)),
            _ => (7, 16),
        };
        let per_hour = bar_chart(
            &[r.issued_by_hour[h0..=h1].to_vec()],
            &hour_labels[h0..=h1],
            360.0,
            180.0,
        );
        let mut wait_labels: Vec<String> = Vec::new();
        let mut lower = 0;
        for b in WAIT_CLASSES_MIN {
            wait_labels.push(format!("{lower}–{b}"));
            lower = b;
        }
        wait_labels.push(format!("{lower}+"));
        let waits = bar_chart(
            std::slice::from_ref(&r.wait_classes),
            &wait_labels,
            360.0,
            180.0,
        );
        let day_labels: Vec<String> = r.daily.iter().map(|d| d.day.day().to_string()).collect();
        let daily = bar_chart(
            &[
                r.daily.iter().map(|d| d.issued).collect(),
                r.daily.iter().map(|d| d.served).collect(),
            ],
            &day_labels,
            360.0,
            180.0,
        );
        view! {
            <p class="report-period" data-testid="report-period">{format!("{}: {period}", text::REPORT_PERIOD.get(l))}</p>
            <div class="report-tiles">
                {tiles.into_iter().map(|((id, en), v, testid)| view! {
                    <div class="tile"><span class="tile-value" data-testid=testid>{v}</span><span class="tile-label">{if comma { id } else { en }}</span></div>
                }).collect_view()}
                <div class="tile"><span class="tile-value" data-testid="tile-wait">{wait}</span><span class="tile-label">{text::REPORT_MEDIAN_WAIT.get(l)}</span></div>
                <div class="tile"><span class="tile-value" data-testid="tile-on-time">{on_time}</span><span class="tile-label">{text::REPORT_ON_TIME.get(l)}</span></div>
                <div class="tile"><span class="tile-value" data-testid="tile-ikm">{ikm_tile}</span><span class="tile-label">"IKM"</span></div>
            </div>
            <div class="report-charts">
                <Chart chart=per_hour title=text::CHART_PER_HOUR.get(l) legend=vec![] testid="chart-hours"/>
                <Chart chart=waits title=text::CHART_WAIT.get(l) legend=vec![] testid="chart-waits"/>
                <Chart chart=daily title=text::CHART_DAILY.get(l) legend=vec![
                    if comma { ROW_HEADINGS[0].0 } else { ROW_HEADINGS[0].1 },
                    if comma { ROW_HEADINGS[1].0 } else { ROW_HEADINGS[1].1 },
                ] testid="chart-daily"/>
            </div>
            <RowTable title=text::BY_SERVICE.get(l) first=text::SERVICE.get(l) rows={
                let mut rows = r.by_service.clone();
                rows.push(r.totals.clone());
                rows
            } comma testid="table-services"/>
            {csv_link(&r, Table::Services, l)}
            <RowTable title=text::BY_LOKET.get(l) first="Loket" rows=r.by_loket.clone() comma testid="table-lokets"/>
            {csv_link(&r, Table::Lokets, l)}
            <RowTable title=text::BY_OFFICER.get(l) first=text::OFFICER.get(l) rows=r.by_officer.clone() comma testid="table-officers"/>
            {csv_link(&r, Table::Officers, l)}
            <h3>{text::MISSING_TITLE.get(l)}</h3>
            <div class="table-scroll">
            <table class="table" data-testid="table-missing">
                <thead><tr><th>{text::SERVICE.get(l)}</th><th>{text::REQUIREMENT.get(l)}</th><th class="num">{text::COUNT.get(l)}</th></tr></thead>
                <tbody>{r.missing.is_empty().then(|| view! { <tr><td class="muted" colspan="3">{text::NOTHING_HERE.get(l)}</td></tr> })}{r.missing.iter().map(|m| view! {
                    <tr><td>{m.service.as_str().to_owned()}</td><td>{m.requirement.get(l).to_owned()}</td><td class="num">{m.count}</td></tr>
                }).collect_view()}</tbody>
            </table>
            </div>
            {csv_link(&r, Table::Missing, l)}
            <h3>{text::OVERDUE_TITLE.get(l)}</h3>
            <div class="table-scroll">
            <table class="table" data-testid="table-overdue">
                <thead><tr><th>{text::SERVICE.get(l)}</th><th>{text::RECEIPT.get(l)}</th><th>{text::ACCEPTED_AT.get(l)}</th><th>{text::DUE.get(l)}</th><th>{text::READY_AT.get(l)}</th></tr></thead>
                <tbody>{r.overdue.is_empty().then(|| view! { <tr><td class="muted" colspan="5">{text::NOTHING_HERE.get(l)}</td></tr> })}{r.overdue.iter().map(|o| view! {
                    <tr>
                        <td>{o.service.as_str().to_owned()}</td>
                        <td>{o.receipt.clone()}</td>
                        <td>{moment(&cal, o.accepted_at)}</td>
                        <td>{moment(&cal, o.due)}</td>
                        <td>{o.ready_at.map(|t| moment(&cal, t)).unwrap_or_else(|| text::NOT_YET.get(l).to_owned())}</td>
                    </tr>
                }).collect_view()}</tbody>
            </table>
            </div>
            {csv_link(&r, Table::Overdue, l)}
            <IkmTableView r=r.clone() comma/>
            {csv_link(&r, Table::Ikm, l)}
            {csv_link(&r, Table::Daily, l)}
        }
        .into_any()
    }
}

#[component]
fn RowTable(
    title: &'static str,
    first: &'static str,
    rows: Vec<Row>,
    comma: bool,
    testid: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    let l = lang.get_untracked();
    view! {
        <h3>{title}</h3>
        <div class="table-scroll">
        <table class="table report-table" data-testid=testid>
            <thead><tr>
                <th>{first}</th>
                {ROW_HEADINGS.iter().map(|(id, en)| view! { <th class="num">{if l == Lang::Id { *id } else { *en }}</th> }).collect_view()}
            </tr></thead>
            <tbody>
            {rows.into_iter().map(|r| {
                let total = r.key.is_empty();
                view! {
                    <tr class:total=total>
                        <td>{r.label.get(l).to_owned()}</td>
                        {row_cells(&r, comma).into_iter().map(|c| view! { <td class="num">{c}</td> }).collect_view()}
                    </tr>
                }
            }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

#[component]
fn IkmTableView(r: Report, comma: bool) -> impl IntoView {
    let lang = use_lang();
    let l = lang.get_untracked();
    let Some(k) = r.ikm else {
        return view! {
            <h3>{text::IKM_PERIOD.get(l)}</h3>
            <p class="muted">{text::NOTHING_HERE.get(l)}</p>
        }
        .into_any();
    };
    view! {
        <h3>{text::IKM_PERIOD.get(l)}</h3>
        <div class="table-scroll">
        <table class="table" data-testid="table-ikm">
            <thead><tr>
                <th>{text::IKM_ELEMENT.get(l)}</th>
                <th class="num">{text::IKM_TOTAL.get(l)}</th>
                <th class="num">{text::IKM_NRR.get(l)}</th>
                <th class="num">{text::IKM_WEIGHTED.get(l)}</th>
            </tr></thead>
            <tbody>
            {k.elements.iter().enumerate().map(|(i, e)| view! {
                <tr>
                    <td>{format!("U{} {}", i + 1, ikm::element_text(i).get(l))}</td>
                    <td class="num">{e.total}</td>
                    <td class="num">{decimal(e.nrr, 2, comma)}</td>
                    <td class="num">{decimal(e.weighted, 3, comma)}</td>
                </tr>
            }).collect_view()}
            <tr class="total"><td>{text::IKM_INDEX.get(l)}</td><td></td><td></td><td class="num">{decimal(k.index, 3, comma)}</td></tr>
            <tr class="total"><td>{text::IKM_CONVERTED.get(l)}</td><td></td><td></td><td class="num" data-testid="ikm-converted">{decimal(k.converted, 2, comma)}</td></tr>
            <tr><td>{text::IKM_QUALITY.get(l)}</td><td></td><td></td><td class="num">{k.grade.letter()}</td></tr>
            <tr><td>{text::IKM_PERFORMANCE.get(l)}</td><td></td><td></td><td class="num">{k.grade.label().get(l).to_owned()}</td></tr>
            <tr><td>{text::RESPONDENTS.get(l)}</td><td></td><td></td><td class="num">{k.respondents}</td></tr>
            </tbody>
        </table>
        </div>
    }
    .into_any()
}

#[component]
fn Chart(
    chart: BarChart,
    title: &'static str,
    /// The series' names, when there is more than one.
    legend: Vec<&'static str>,
    testid: &'static str,
) -> impl IntoView {
    let BarChart {
        width,
        height,
        left,
        bottom,
        bars,
        ticks,
        labels,
    } = chart;
    view! {
        <figure class="chart" data-testid=testid>
            <figcaption>
                {title}
                {legend.into_iter().enumerate().map(|(i, name)| view! {
                    <span class="legend">
                        <svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect class=format!("s{i}") width="10" height="10"/></svg>
                        {name}
                    </span>
                }).collect_view()}
            </figcaption>
            <svg viewBox=format!("0 0 {width} {height}") role="img" aria-label=title>
                {ticks.into_iter().map(|(y, v)| view! {
                    <line class="grid" x1=left x2=width y1=y y2=y/>
                    <text class="axis" x=left - 4.0 y=y + 4.0 text-anchor="end">{v}</text>
                }).collect_view()}
                {bars.into_iter().map(|b| view! {
                    <rect class=format!("col s{}", b.series) x=b.x y=b.y width=b.w height=b.h>
                        <title>{b.value}</title>
                    </rect>
                }).collect_view()}
                {labels.into_iter().map(|(x, t)| view! {
                    <text class="axis" x=x y=bottom + 16.0 text-anchor="middle">{t}</text>
                }).collect_view()}
            </svg>
        </figure>
    }
}
