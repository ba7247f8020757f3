//! The admin's editors in `/admin`: the office's hours, and each service's standard (its
//! name, requirements, procedure, completion time, fee, product, legal basis and complaint
//! channels, written one per line as "Indonesian | English"; the lokets that serve it, its
//! daily quota and the display's running notice); a new service; a service no longer
//! offered. The domain checks the form (`catalogue_edit`) before the server does,
//! so a mistake is named in the admin's language; open kiosks and counters load the new
//! version by themselves.

use leptos::prelude::*;

use crate::domain::calendar::{DAY_NAMES_EN, DAY_NAMES_ID};
use crate::domain::catalogue::Catalogue;
use crate::domain::catalogue_edit::{HoursEdit, NewService, ServiceEdit};
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
    // One editor per service (offered or not), then the form for a new one; each reads
    // its fields again after a save.
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
    view! {
        {move || {
            codes
                .get()
                .into_iter()
                .map(|code| view! { <ServiceEditor code=Some(code) catalogue message/> })
                .collect_view()
        }}
        <ServiceEditor code=None catalogue message/>
    }
}

/// The form's fields, one signal each.
#[derive(Clone, Copy)]
struct Fields {
    name: RwSignal<String>,
    description: RwSignal<String>,
    requirements: RwSignal<String>,
    lokets: RwSignal<String>,
    cap: RwSignal<String>,
    notice_id: RwSignal<String>,
    notice_en: RwSignal<String>,
    procedure: RwSignal<String>,
    days: RwSignal<String>,
    fee_rupiah: RwSignal<String>,
    fee_text: RwSignal<String>,
    product: RwSignal<String>,
    legal: RwSignal<String>,
    complaints: RwSignal<String>,
}

impl Fields {
    fn new() -> Self {
        let f = || RwSignal::new(String::new());
        Fields {
            name: f(),
            description: f(),
            requirements: f(),
            lokets: f(),
            cap: f(),
            notice_id: f(),
            notice_en: f(),
            procedure: f(),
            days: f(),
            fee_rupiah: f(),
            fee_text: f(),
            product: f(),
            legal: f(),
            complaints: f(),
        }
    }

    fn fill(&self, e: ServiceEdit) {
        self.name.set(e.name);
        self.description.set(e.description);
        self.requirements.set(e.requirements);
        self.lokets.set(e.lokets);
        self.cap.set(e.daily_cap);
        self.notice_id.set(e.notice_id);
        self.notice_en.set(e.notice_en);
        self.procedure.set(e.procedure);
        self.days.set(e.completion_days);
        self.fee_rupiah.set(e.fee_rupiah);
        self.fee_text.set(e.fee_text);
        self.product.set(e.product);
        self.legal.set(e.legal_basis);
        self.complaints.set(e.complaints);
    }

    fn read(&self) -> ServiceEdit {
        ServiceEdit {
            name: self.name.get_untracked(),
            description: self.description.get_untracked(),
            requirements: self.requirements.get_untracked(),
            lokets: self.lokets.get_untracked(),
            daily_cap: self.cap.get_untracked(),
            notice_id: self.notice_id.get_untracked(),
            notice_en: self.notice_en.get_untracked(),
            procedure: self.procedure.get_untracked(),
            completion_days: self.days.get_untracked(),
            fee_rupiah: self.fee_rupiah.get_untracked(),
            fee_text: self.fee_text.get_untracked(),
            product: self.product.get_untracked(),
            legal_basis: self.legal.get_untracked(),
            complaints: self.complaints.get_untracked(),
        }
    }
}

/// A service's editor, or with `code` None the form for a new service (its ticket letter
/// too; the office's complaint channels and free fee filled in as a start).
#[component]
fn ServiceEditor(
    code: Option<ServiceCode>,
    catalogue: RwSignal<Option<Catalogue>>,
    message: RwSignal<Option<Text>>,
) -> impl IntoView {
    let lang = use_lang();
    let f = Fields::new();
    let prefix = RwSignal::new(String::new());
    let code = StoredValue::new(code);
    let is_new = code.get_value().is_none();
    let start_new = move |c: &Catalogue| {
        let channels = c
            .services
            .first()
            .and_then(|s| ServiceEdit::of(c, &s.code))
            .map(|e| e.complaints)
            .unwrap_or_default();
        f.fill(ServiceEdit {
            completion_days: "1".into(),
            fee_rupiah: "0".into(),
            fee_text: "Tidak dipungut biaya | Free of charge".into(),
            complaints: channels,
            ..ServiceEdit::default()
        });
        prefix.set(String::new());
    };
    Effect::new(move |seen: Option<bool>| {
        let Some(c) = catalogue.get() else {
            return seen.unwrap_or(false);
        };
        match code.get_value() {
            Some(code) => {
                if let Some(e) = ServiceEdit::of(&c, &code) {
                    f.fill(e);
                }
            }
            // The new service's form starts once, and again after each service added.
            None if seen != Some(true) => start_new(&c),
            None => {}
        }
        true
    });
    let retired = move || {
        code.get_value().is_some_and(|code| {
            catalogue
                .get()
                .and_then(|c| c.service(&code).map(|s| s.retired))
                .unwrap_or(false)
        })
    };
    let title = move || match code.get_value() {
        None => text::NEW_SERVICE_TITLE.get(lang.get()).to_owned(),
        Some(code) => catalogue
            .get()
            .and_then(|c| {
                c.service(&code)
                    .map(|s| (s.prefix, s.name.clone(), s.retired))
            })
            .map(|(p, n, retired)| {
                let mut t = format!("{p} — {}", n.get(lang.get()));
                if retired {
                    t.push_str(&format!(" ({})", text::RETIRED_MARK.get(lang.get())));
                }
                t
            })
            .unwrap_or_default(),
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let edit = f.read();
        let Some(current) = catalogue.get_untracked() else {
            return;
        };
        // Say what is wrong before the server has to.
        match code.get_value() {
            Some(code) => {
                if let Err(e) = current.with_service_edit(&code, &edit) {
                    message.set(Some(e.text()));
                } else {
                    #[cfg(feature = "hydrate")]
                    leptos::task::spawn_local(async move {
                        let answer = crate::client::net::edit_service(&code, &edit).await;
                        show_saved(answer, text::STANDARD_SAVED, catalogue, message);
                    });
                }
            }
            None => {
                let new = NewService {
                    prefix: prefix.get_untracked(),
                    edit,
                };
                if let Err(e) = current.with_new_service(&new) {
                    message.set(Some(e.text()));
                } else {
                    #[cfg(feature = "hydrate")]
                    leptos::task::spawn_local(async move {
                        let answer = crate::client::net::add_service(&new).await;
                        if let Ok(c) = &answer {
                            start_new(c);
                        }
                        show_saved(answer, text::SERVICE_ADDED, catalogue, message);
                    });
                }
            }
        }
    };
    let toggle = move |_| {
        let (Some(code), Some(current)) = (code.get_value(), catalogue.get_untracked()) else {
            return;
        };
        let offered = retired();
        if let Err(e) = current.with_service_offered(&code, offered) {
            message.set(Some(e.text()));
        } else {
            #[cfg(feature = "hydrate")]
            leptos::task::spawn_local(async move {
                let answer = crate::client::net::offer_service(&code, offered).await;
                let said = if offered {
                    text::SERVICE_OFFERED
                } else {
                    text::SERVICE_RETIRED
                };
                show_saved(answer, said, catalogue, message);
            });
        }
    };
    let testid = match code.get_value() {
        Some(code) => format!("service-editor-{code}"),
        None => "service-editor-new".to_owned(),
    };
    let area = |label: text::T, name: &'static str, rows: &'static str, value: RwSignal<String>| {
        view! {
            <label>
                <span>{move || label.get(lang.get())}</span>
                <textarea name=name rows=rows spellcheck="false"
                    prop:value=value on:input=move |e| value.set(event_target_value(&e))></textarea>
            </label>
        }
    };
    let field = |label: text::T, name: &'static str, numeric: bool, value: RwSignal<String>| {
        view! {
            <label>
                <span>{move || label.get(lang.get())}</span>
                <input name=name inputmode=numeric.then_some("numeric")
                    prop:value=value on:input=move |e| value.set(event_target_value(&e))/>
            </label>
        }
    };
    view! {
        <form class="card service-editor" class:retired=retired on:submit=submit data-testid=testid>
            <h2>{title}</h2>
            {is_new.then(|| field(text::PREFIX_EDIT, "prefix", false, prefix))}
            {field(text::NAME_EDIT, "name", false, f.name)}
            {field(text::DESCRIPTION_EDIT, "description", false, f.description)}
            {area(text::REQUIREMENTS_EDIT, "requirements", "5", f.requirements)}
            <div class="form-row">
                {field(text::LOKETS_EDIT, "lokets", false, f.lokets)}
                {field(text::QUOTA_EDIT, "daily_cap", true, f.cap)}
            </div>
            {field(text::NOTICE_ID, "notice_id", false, f.notice_id)}
            {field(text::NOTICE_EN, "notice_en", false, f.notice_en)}
            {area(text::PROCEDURE_EDIT, "procedure", "5", f.procedure)}
            <div class="form-row">
                {field(text::COMPLETION_EDIT, "completion_days", true, f.days)}
                {field(text::FEE_RUPIAH_EDIT, "fee_rupiah", true, f.fee_rupiah)}
            </div>
            {field(text::FEE_TEXT_EDIT, "fee_text", false, f.fee_text)}
            {field(text::PRODUCT_EDIT, "product", false, f.product)}
            {area(text::LEGAL_EDIT, "legal_basis", "3", f.legal)}
            {area(text::COMPLAINTS_EDIT, "complaints", "7", f.complaints)}
            <div class="actions">
                <button class="btn btn-primary" type="submit">
                    {move || if is_new { text::ADD_SERVICE.get(lang.get()) } else { text::SAVE_STANDARD.get(lang.get()) }}
                </button>
                {(!is_new).then(|| view! {
                    <button class="btn" type="button" data-testid="offered-toggle" on:click=toggle>
                        {move || if retired() { text::OFFER_SERVICE.get(lang.get()) } else { text::RETIRE_SERVICE.get(lang.get()) }}
                    </button>
                })}
            </div>
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
