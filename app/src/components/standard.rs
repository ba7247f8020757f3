//! A service standard as PermenPAN-RB 15/2014 has it published (requirements, procedure,
//! fee, completion time, product, legal basis, complaint channels) and the office's card:
//! shown on the citizen's ticket page and on the public page.

use leptos::prelude::*;

use crate::domain::catalogue::ChannelKind;
use crate::domain::i18n::Text;
use crate::text;
use crate::use_lang;

#[component]
pub fn Standard(service: crate::domain::catalogue::Service) -> impl IntoView {
    let lang = use_lang();
    let s = service;
    let reqs = s.requirements.clone();
    let fee = s.fee.text.clone();
    let product = s.product.clone();
    let days = s.completion.working_days;
    let counted_from = s.completion.counted_from.clone();
    let legal = s.legal_basis.clone();
    let channels = s.complaint_channels.clone();
    let steps = s.procedure.clone();
    view! {
        <section class="standard">
            <h2>{move || text::STANDARD.get(lang.get())}</h2>
            <dl>
                <dt>{move || text::REQUIREMENTS.get(lang.get())}</dt>
                <dd><ul>{reqs.into_iter().map(|r| view! { <li>{move || r.text.get(lang.get()).to_string()}</li> }).collect_view()}</ul></dd>
                <dt>{move || text::PROCEDURE.get(lang.get())}</dt>
                <dd><ol>{steps.into_iter().map(|p| view! { <li>{move || p.get(lang.get()).to_string()}</li> }).collect_view()}</ol></dd>
                <dt>{move || text::FEE.get(lang.get())}</dt>
                <dd>{move || fee.get(lang.get()).to_string()}</dd>
                <dt>{move || text::COMPLETION.get(lang.get())}</dt>
                <dd>
                    {move || format!("{days} {}", text::WORKING_DAYS.get(lang.get()))}
                    <small>{move || counted_from.get(lang.get()).to_string()}</small>
                </dd>
                <dt>{move || text::PRODUCT.get(lang.get())}</dt>
                <dd>{move || product.get(lang.get()).to_string()}</dd>
                {(!legal.is_empty()).then(|| view! {
                    <dt>{move || text::LEGAL_BASIS.get(lang.get())}</dt>
                    <dd><ul>{legal.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul></dd>
                })}
            </dl>
            <h2>{move || text::COMPLAINTS.get(lang.get())}</h2>
            <div class="channels" data-testid="channels">
                {channels.into_iter().map(|c| {
                    let label = c.label.clone();
                    let kind = match c.kind {
                        ChannelKind::Whatsapp => "wa",
                        ChannelKind::Email => "mail",
                        ChannelKind::LaporSp4n => "lapor",
                        ChannelKind::Website => "web",
                        _ => "office",
                    };
                    // The address is written out too: it can be copied, read aloud or
                    // typed on another phone.
                    let shown = c.shown().map(|a| view! { <span class="channel-address">{a}</span> });
                    match c.link() {
                        Some(href) => view! {
                            <a class=format!("btn channel channel-{kind}") href=href target="_blank" rel="noopener">
                                <span>{move || label.get(lang.get()).to_string()}</span>
                                {shown}
                            </a>
                        }.into_any(),
                        None => view! {
                            <span class=format!("channel channel-{kind}")>
                                <span>{move || label.get(lang.get()).to_string()}</span>
                                {shown}
                            </span>
                        }.into_any(),
                    }
                }).collect_view()}
            </div>
        </section>
    }
}

/// Where the office is, its phone and its hours.
#[component]
pub fn OfficeCard(office: crate::domain::catalogue::Office, hours: Text) -> impl IntoView {
    let lang = use_lang();
    let dial: String = office.phone.chars().filter(char::is_ascii_digit).collect();
    view! {
        <section class="standard office-card" data-testid="office-card">
            <h2>{move || text::VISIT.get(lang.get())}</h2>
            <p class="office-name">{office.name}</p>
            <p>{office.address}</p>
            <p><a href=format!("tel:{dial}")>{office.phone}</a></p>
            <p><strong>{move || text::OFFICE_HOURS.get(lang.get())}</strong>" "{move || hours.get(lang.get()).to_string()}</p>
        </section>
    }
}
