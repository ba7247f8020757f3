//! The admin's editors in `/admin`: the office's hours, and each service's standard:
//! requirements (one per line, "Indonesian | English"), the lokets that serve it, its
//! daily quota and the display's running notice. The domain checks the form (`catalogue_edit`) before the server does,
//! so a mistake is named in the admin's language; open kiosks and counters load the new
//! version by themselves.

use leptos::prelude::*;

use crate::domain::calendar::{DAY_NAMES_EN, DAY_NAMES_ID};
use crate::domain::catalogue::Catalogue;
use crate::domain::catalogue_edit::{HoursEdit, ServiceEdit};
use crate::domain::i18n::Lang;
use crate::domain::i18n::Text;
use crate::domain::ids::ServiceCode;
use crate::text;
use crate::use_lang;

/// A save's answer on the page: the new catalogue and "saved (version N)", or why not.
#[cfg(feature = "hydrate")]
fn show_saved(
    answer: Result<Catalogue, crate::client::net::NetError>,
    saved: text::T,
    catalogue: RwSignal<Option<Catalogue>>,
    message: RwSignal<Option<Text>>,
) {
    use crate::client::net::NetError;
    message.set(Some(match answer {
        Ok(c) => {
            let v = text::VERSION;
            let said = Text::new(
                format!("{} ({} {}).", saved.0, v.0, c.version),
                format!("{} ({} {}).", saved.1, v.1, c.version),
            );
            catalogue.set(Some(c));
            said
        }
        Err(NetError::Refused { code, .. }) => code.text(),
        Err(NetError::Unreachable) => text::UNREACHABLE.into(),
    }));
}

#[component]
pub fn ServiceEditors(
    catalogue: RwSignal<Option<Catalogue>>,
    message: RwSignal<Option<Text>>,
) -> impl IntoView {
    // One editor per service of the catalogue as first loaded; each reads its fields
    // again after a save.
    let codes = Memo::new(move |_| {
        catalogue
            .get()
            .map(|c| {
                c.services
                    .iter()
                    .map(|s| s.code.clone())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    move || {
        codes
            .get()
            .into_iter()
            .map(|code| view! { <ServiceEditor code catalogue message/> })
            .collect_view()
    }
}

#[component]
fn ServiceEditor(
    code: ServiceCode,
    catalogue: RwSignal<Option<Catalogue>>,
    message: RwSignal<Option<Text>>,
) -> impl IntoView {
    let lang = use_lang();
    let requirements = RwSignal::new(String::new());
    let lokets = RwSignal::new(String::new());
    let cap = RwSignal::new(String::new());
    let notice_id = RwSignal::new(String::new());
    let notice_en = RwSignal::new(String::new());
    let procedure = RwSignal::new(String::new());
    let days = RwSignal::new(String::new());
    let fee_rupiah = RwSignal::new(String::new());
    let fee_text = RwSignal::new(String::new());
    let product = RwSignal::new(String::new());
    let legal = RwSignal::new(String::new());
    let code = StoredValue::new(code);
    Effect::new(move |_| {
        let Some(e) = catalogue
            .get()
            .and_then(|c| ServiceEdit::of(&c, &code.get_value()))
        else {
            return;
        };
        requirements.set(e.requirements);
        lokets.set(e.lokets);
        cap.set(e.daily_cap);
        notice_id.set(e.notice_id);
        notice_en.set(e.notice_en);
        procedure.set(e.procedure);
        days.set(e.completion_days);
        fee_rupiah.set(e.fee_rupiah);
        fee_text.set(e.fee_text);
        product.set(e.product);
        legal.set(e.legal_basis);
    });
    let name = move || {
        catalogue
            .get()
            .and_then(|c| {
                c.service(&code.get_value())
                    .map(|s| (s.prefix, s.name.clone()))
            })
            .map(|(p, n)| format!("{p} — {}", n.get(lang.get())))
            .unwrap_or_default()
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let edit = ServiceEdit {
            requirements: requirements.get_untracked(),
            lokets: lokets.get_untracked(),
            daily_cap: cap.get_untracked(),
            notice_id: notice_id.get_untracked(),
            notice_en: notice_en.get_untracked(),
            procedure: procedure.get_untracked(),
            completion_days: days.get_untracked(),
            fee_rupiah: fee_rupiah.get_untracked(),
            fee_text: fee_text.get_untracked(),
            product: product.get_untracked(),
            legal_basis: legal.get_untracked(),
        };
        let Some(current) = catalogue.get_untracked() else {
            return;
        };
        // Say what is wrong before the server has to.
        if let Err(e) = current.with_service_edit(&code.get_value(), &edit) {
            message.set(Some(e.text()));
        } else {
            #[cfg(feature = "hydrate")]
            leptos::task::spawn_local(async move {
                let answer = crate::client::net::edit_service(&code.get_value(), &edit).await;
                show_saved(answer, text::STANDARD_SAVED, catalogue, message);
            });
        }
    };
    let testid = format!("service-editor-{}", code.get_value());
    view! {
        <form class="card service-editor" on:submit=submit data-testid=testid>
            <h2>{name}</h2>
            <label>
                <span>{move || text::REQUIREMENTS_EDIT.get(lang.get())}</span>
                <textarea name="requirements" rows="5" spellcheck="false"
                    prop:value=requirements on:input=move |e| requirements.set(event_target_value(&e))></textarea>
            </label>
            <div class="form-row">
                <label>
                    <span>{move || text::LOKETS_EDIT.get(lang.get())}</span>
                    <input name="lokets" prop:value=lokets on:input=move |e| lokets.set(event_target_value(&e))/>
                </label>
                <label>
                    <span>{move || text::QUOTA_EDIT.get(lang.get())}</span>
                    <input name="daily_cap" inputmode="numeric" prop:value=cap on:input=move |e| cap.set(event_target_value(&e))/>
                </label>
            </div>
            <label>
                <span>{move || text::NOTICE_ID.get(lang.get())}</span>
                <input name="notice_id" prop:value=notice_id on:input=move |e| notice_id.set(event_target_value(&e))/>
            </label>
            <label>
                <span>{move || text::NOTICE_EN.get(lang.get())}</span>
                <input name="notice_en" prop:value=notice_en on:input=move |e| notice_en.set(event_target_value(&e))/>
            </label>
            <label>
                <span>{move || text::PROCEDURE_EDIT.get(lang.get())}</span>
                <textarea name="procedure" rows="5" spellcheck="false"
                    prop:value=procedure on:input=move |e| procedure.set(event_target_value(&e))></textarea>
            </label>
            <div class="form-row">
                <label>
                    <span>{move || text::COMPLETION_EDIT.get(lang.get())}</span>
                    <input name="completion_days" inputmode="numeric" prop:value=days on:input=move |e| days.set(event_target_value(&e))/>
                </label>
                <label>
                    <span>{move || text::FEE_RUPIAH_EDIT.get(lang.get())}</span>
                    <input name="fee_rupiah" inputmode="numeric" prop:value=fee_rupiah on:input=move |e| fee_rupiah.set(event_target_value(&e))/>
                </label>
            </div>
            <label>
                <span>{move || text::FEE_TEXT_EDIT.get(lang.get())}</span>
                <input name="fee_text" prop:value=fee_text on:input=move |e| fee_text.set(event_target_value(&e))/>
            </label>
            <label>
                <span>{move || text::PRODUCT_EDIT.get(lang.get())}</span>
                <input name="product" prop:value=product on:input=move |e| product.set(event_target_value(&e))/>
            </label>
            <label>
                <span>{move || text::LEGAL_EDIT.get(lang.get())}</span>
                <textarea name="legal_basis" rows="3" spellcheck="false"
                    prop:value=legal on:input=move |e| legal.set(event_target_value(&e))></textarea>
            </label>
            <button class="btn btn-primary" type="submit">{move || text::SAVE_STANDARD.get(lang.get())}</button>
        </form>
    }
}

/// The week's office hours, one field per day.
#[component]
pub fn HoursEditor(
    catalogue: RwSignal<Option<Catalogue>>,
    message: RwSignal<Option<Text>>,
) -> impl IntoView {
    let lang = use_lang();
    let days: [RwSignal<String>; 7] = std::array::from_fn(|_| RwSignal::new(String::new()));
    Effect::new(move |_| {
        if let Some(c) = catalogue.get() {
            for (field, value) in days.iter().zip(HoursEdit::of(&c).days) {
                field.set(value);
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let edit = HoursEdit {
            days: days.iter().map(|d| d.get_untracked()).collect(),
        };
        let Some(current) = catalogue.get_untracked() else {
            return;
        };
        if let Err(e) = current.with_hours(&edit) {
            message.set(Some(e.text()));
        } else {
            #[cfg(feature = "hydrate")]
            leptos::task::spawn_local(async move {
                let answer = crate::client::net::edit_hours(&edit).await;
                show_saved(answer, text::HOURS_SAVED, catalogue, message);
            });
        }
    };
    view! {
        <form class="card service-editor" on:submit=submit data-testid="hours-form">
            <h2>{move || text::HOURS_TITLE.get(lang.get())}</h2>
            <p class="muted">{move || text::HOURS_HINT.get(lang.get())}</p>
            <div class="form-row hours-row">
                {days.into_iter().enumerate().map(|(i, value)| view! {
                    <label>
                        <span>{move || if lang.get() == Lang::Id { DAY_NAMES_ID[i] } else { DAY_NAMES_EN[i] }}</span>
                        <input name=format!("day{i}") size="11" prop:value=value on:input=move |e| value.set(event_target_value(&e))/>
                    </label>
                }).collect_view()}
            </div>
            <button class="btn btn-primary" type="submit">{move || text::SAVE_HOURS.get(lang.get())}</button>
        </form>
    }
}
