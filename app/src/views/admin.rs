//! `/admin`: the first-admin setup, staff sign-in, and by role: pairing and revoking
//! devices and managing accounts (admin), the reports and the audit log (supervisor and
//! admin; `super::reports`), the catalogue as published (everyone signed in).
//!
//! The page holds no device state; every request goes to the server, which decides what
//! the signed-in person may see (the views only hide what would be refused anyway).

use leptos::prelude::*;

use crate::components::LangToggle;
use crate::domain::accounts::{AuditEntry, DeviceSummary, SessionInfo, StaffRole, StaffSummary};
use crate::domain::catalogue::Catalogue;
use crate::domain::i18n::Text;
use crate::text;
use crate::use_lang;

/// Where the page is.
#[derive(Debug, Clone, PartialEq)]
// The server render only ever shows `Loading`.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Stage {
    Loading,
    Setup,
    SignIn,
    SignedIn(SessionInfo),
}

/// Everything the signed-in page shows, reloaded after each change.
#[derive(Clone, Copy)]
struct Data {
    catalogue: RwSignal<Option<Catalogue>>,
    devices: RwSignal<Vec<DeviceSummary>>,
    staff: RwSignal<Vec<StaffSummary>>,
    audit: RwSignal<Vec<AuditEntry>>,
    message: RwSignal<Option<Text>>,
}

#[cfg(feature = "hydrate")]
fn refused(e: crate::client::net::NetError) -> Text {
    match e {
        crate::client::net::NetError::Refused { code, .. } => code.text(),
        crate::client::net::NetError::Unreachable => text::UNREACHABLE.into(),
    }
}

#[cfg(feature = "hydrate")]
async fn reload(data: Data, role: StaffRole) {
    use crate::client::net;
    data.catalogue.set(net::catalogue().await.ok());
    if role >= StaffRole::Supervisor {
        data.audit.set(net::audit().await.unwrap_or_default());
    }
    if role >= StaffRole::Admin {
        data.devices.set(net::devices().await.unwrap_or_default());
        data.staff.set(net::staff().await.unwrap_or_default());
    }
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let lang = use_lang();
    let stage = RwSignal::new(Stage::Loading);
    let data = Data {
        catalogue: RwSignal::new(None),
        devices: RwSignal::new(Vec::new()),
        staff: RwSignal::new(Vec::new()),
        audit: RwSignal::new(Vec::new()),
        message: RwSignal::new(None),
    };
    #[cfg(feature = "hydrate")]
    Effect::new(move |prev: Option<()>| {
        if prev.is_some() {
            return;
        }
        leptos::task::spawn_local(async move {
            use crate::client::net;
            if let Ok(info) = net::me().await {
                net::set_csrf(Some(info.csrf.clone()));
                reload(data, info.role).await;
                stage.set(Stage::SignedIn(info));
            } else if net::setup_state().await.map(|s| s.needed).unwrap_or(false) {
                stage.set(Stage::Setup);
            } else {
                stage.set(Stage::SignIn);
            }
        });
    });
    let signed_in = move |info: SessionInfo| {
        #[cfg(feature = "hydrate")]
        {
            crate::client::net::set_csrf(Some(info.csrf.clone()));
            let role = info.role;
            leptos::task::spawn_local(async move { reload(data, role).await });
        }
        stage.set(Stage::SignedIn(info));
    };
    view! {
        <main class="page admin">
            <header class="bar">
                <div class="bar-title">
                    <span class="logo" aria-hidden="true">"A"</span>
                    <h1>{move || text::ADMIN.get(lang.get())}</h1>
                </div>
                <div class="bar-side">
                    {move || match stage.get() {
                        Stage::SignedIn(info) => Some(view! {
                            <span class="officer" data-testid="admin-user">{format!("{} · {}", info.username, info.role.label().get(lang.get()))}</span>
                            <button class="btn btn-ghost" on:click=move |_| {
                                #[cfg(feature = "hydrate")]
                                leptos::task::spawn_local(async move {
                                    let _ = crate::client::net::logout().await;
                                    crate::client::net::set_csrf(None);
                                    stage.set(Stage::SignIn);
                                });
                            }>{move || text::SIGN_OUT.get(lang.get())}</button>
                        }),
                        _ => None,
                    }}
                    <LangToggle/>
                </div>
            </header>
            {move || data.message.get().map(|m| view! {
                <p class="admin-message" role="status" data-testid="admin-message">{m.get(lang.get()).to_string()}</p>
            })}
            {move || match stage.get() {
                Stage::Loading => view! { <p class="phase" data-testid="phase-starting">{text::LOADING.get(lang.get())}</p> }.into_any(),
                Stage::Setup => view! { <AccountForm setup=true on_done=signed_in/> }.into_any(),
                Stage::SignIn => view! { <AccountForm setup=false on_done=signed_in/> }.into_any(),
                Stage::SignedIn(info) if info.must_change_password => view! {
                    <PasswordForm data forced=true on_done=move || {
                        stage.update(|s| if let Stage::SignedIn(i) = s { i.must_change_password = false });
                        if let Stage::SignedIn(i) = stage.get_untracked() {
                            signed_in(i);
                        }
                    }/>
                }.into_any(),
                Stage::SignedIn(info) => view! { <Dashboard me=info.username role=info.role data/> }.into_any(),
            }}
        </main>
    }
}

/// A labelled text input bound to a signal.
#[component]
fn Field(
    label: Text,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "")] name: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <label>
            <span>{move || label.get(lang.get()).to_string()}</span>
            <input type=kind name=name required autocapitalize="none" spellcheck="false"
                prop:value=value on:input=move |e| value.set(event_target_value(&e))/>
        </label>
    }
}

/// Sign-in, or (with `setup`) the first admin's creation with the printed setup token.
#[component]
fn AccountForm(
    setup: bool,
    on_done: impl Fn(SessionInfo) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_lang();
    let token = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Text>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            use crate::client::net;
            let username = username.get_untracked().trim().to_owned();
            let password = password.get_untracked();
            let answer = if setup {
                net::setup(&crate::domain::accounts::Setup {
                    setup_token: token.get_untracked().trim().to_owned(),
                    username,
                    password,
                })
                .await
            } else {
                net::login(&crate::domain::accounts::Login { username, password }).await
            };
            match answer {
                Ok(info) => on_done(info),
                Err(e) => error.set(Some(refused(e))),
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (on_done, token, username, password);
    };
    let (title, testid) = if setup {
        (text::SETUP_TITLE, "setup")
    } else {
        (text::SIGN_IN, "admin-login")
    };
    view! {
        <form class="card sign-in" on:submit=submit data-testid=testid>
            <h2>{move || title.get(lang.get())}</h2>
            {setup.then(|| view! {
                <p class="muted">{move || text::SETUP_HINT.get(lang.get())}</p>
                <Field label=text::SETUP_TOKEN.into() value=token name="setup_token"/>
            })}
            <Field label=text::USERNAME.into() value=username name="username"/>
            <Field label=text::PASSWORD.into() value=password kind="password" name="password"/>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.get(lang.get()).to_string()}</p> })}
            <button class="btn btn-primary" type="submit">{move || text::SIGN_IN.get(lang.get())}</button>
        </form>
    }
}

#[component]
fn Dashboard(me: String, role: StaffRole, data: Data) -> impl IntoView {
    let lang = use_lang();
    view! {
        {(role >= StaffRole::Admin).then(|| view! {
            <PairForm data/>
            <DeviceList data/>
            <StaffAdmin me data/>
            <HolidayEditor data/>
            <super::service_editor::HoursEditor catalogue=data.catalogue message=data.message/>
            <super::service_editor::ServiceEditors catalogue=data.catalogue message=data.message/>
            <section class="card">
                <h2>{move || text::BACKUP_TITLE.get(lang.get())}</h2>
                <p class="muted">{move || text::BACKUP_HINT.get(lang.get())}</p>
                <a class="btn btn-secondary" href="/api/admin/backup" download data-testid="backup">
                    {move || text::BACKUP_DOWNLOAD.get(lang.get())}
                </a>
            </section>
        })}
        <PasswordForm data forced=false on_done=|| {}/>
        {(role >= StaffRole::Supervisor).then(|| view! {
            <super::reports::ReportSection catalogue=data.catalogue/>
            <section class="card">
                <h2>{move || text::AUDIT_LOG.get(lang.get())}</h2>
                <table class="table" data-testid="audit">
                    <tbody>
                    {move || data.audit.get().into_iter().map(|a| view! {
                        <tr>
                            <td>{crate::domain::calendar::format_wita_time(a.at_ms)}</td>
                            <td>{a.username}</td>
                            <td>{move || crate::domain::accounts::action_label(&a.action).get(lang.get()).to_string()}</td>
                            <td>{a.subject}</td>
                        </tr>
                    }).collect_view()}
                    </tbody>
                </table>
            </section>
        })}
        {move || (role < StaffRole::Admin).then(|| data.catalogue.get()).flatten().map(|c| c.services.into_iter().map(|s| {
            let name = s.name.clone();
            view! {
                <section class="card">
                    <h2>{move || format!("{} — {}", s.prefix, name.get(lang.get()))}</h2>
                    <p>{format!("Loket: {}", s.lokets.iter().map(|l| l.to_string()).collect::<Vec<_>>().join(", "))}</p>
                    <p>{s.requirements_line(lang.get())}</p>
                </section>
            }
        }).collect_view())}
    }
}

#[component]
fn PairForm(data: Data) -> impl IntoView {
    let lang = use_lang();
    let code = RwSignal::new(String::new());
    let label = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let req = crate::domain::accounts::ConfirmPairing {
                code: code
                    .get_untracked()
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect(),
                label: label.get_untracked().trim().to_owned(),
            };
            match crate::client::net::confirm_pairing(&req).await {
                Ok(d) => {
                    let role = d.role.label();
                    data.message.set(Some(Text::new(
                        format!("{} dipasangkan.", role.id),
                        format!("The {} is paired.", role.en.to_lowercase()),
                    )));
                    code.set(String::new());
                    label.set(String::new());
                    reload(data, StaffRole::Admin).await;
                }
                Err(e) => data.message.set(Some(refused(e))),
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (data, code, label);
    };
    view! {
        <form class="card form-row" on:submit=submit data-testid="pair-form">
            <h2>{move || text::PAIR_TITLE.get(lang.get())}</h2>
            <Field label=text::PAIR_CODE.into() value=code name="code"/>
            <Field label=text::PAIR_PLACE.into() value=label name="label"/>
            <button class="btn btn-primary" type="submit">{move || text::PAIR.get(lang.get())}</button>
        </form>
    }
}

#[component]
fn DeviceList(data: Data) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="card">
            <h2>{move || text::DEVICES.get(lang.get())}</h2>
            <table class="table" data-testid="devices">
                <tbody>
                {move || data.devices.get().into_iter().map(|d| {
                    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
                    let id = d.client_id.simple();
                    view! {
                        <tr>
                            <td>{move || d.role.label().get(lang.get()).to_string()}</td>
                            <td>{d.label.clone()}</td>
                            <td>{d.paired_ms.map(crate::domain::calendar::format_wita_time).unwrap_or_default()}</td>
                            <td>
                                {if d.revoked {
                                    view! { <span class="badge badge-warn">{move || text::REVOKED.get(lang.get())}</span> }.into_any()
                                } else if d.role == crate::domain::mutation::DeviceRole::Counter {
                                    view! { <span class="muted">{move || text::OFFICER_SIGN_IN.get(lang.get())}</span> }.into_any()
                                } else {
                                    view! {
                                        <button class="btn btn-warn" on:click=move |_| {
                                            #[cfg(feature = "hydrate")]
                                            {
                                                let id = id.clone();
                                                leptos::task::spawn_local(async move {
                                                    if let Err(e) = crate::client::net::revoke(&id).await {
                                                        data.message.set(Some(refused(e)));
                                                    }
                                                    reload(data, StaffRole::Admin).await;
                                                });
                                            }
                                        }>{move || text::REVOKE.get(lang.get())}</button>
                                    }.into_any()
                                }}
                            </td>
                        </tr>
                    }
                }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn StaffAdmin(me: String, data: Data) -> impl IntoView {
    let lang = use_lang();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new(StaffRole::Officer);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let req = crate::domain::accounts::NewStaff {
                username: username.get_untracked().trim().to_owned(),
                role: role.get_untracked(),
                password: password.get_untracked(),
            };
            // Say what is wrong before the server has to.
            let check = crate::domain::accounts::check_username(&req.username)
                .and_then(|_| crate::domain::accounts::check_password(&req.password));
            if let Err(e) = check {
                data.message.set(Some(e.text()));
                return;
            }
            match crate::client::net::create_staff(&req).await {
                Ok(s) => {
                    data.message.set(Some(Text::new(
                        format!("Akun {} dibuat.", s.username),
                        format!("Account {} created.", s.username),
                    )));
                    username.set(String::new());
                    password.set(String::new());
                    reload(data, StaffRole::Admin).await;
                }
                Err(e) => data.message.set(Some(refused(e))),
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (data, username, password, role);
    };
    view! {
        <section class="card">
            <h2>{move || text::STAFF_ACCOUNTS.get(lang.get())}</h2>
            <table class="table" data-testid="staff">
                <tbody>
                {move || data.staff.get().into_iter().map(|s| {
                    let own = s.username == me;
                    view! { <StaffRow account=s own data/> }
                }).collect_view()}
                </tbody>
            </table>
            <form class="form-row" on:submit=submit data-testid="staff-form">
                <Field label=text::USERNAME.into() value=username name="new_username"/>
                <Field label=text::PASSWORD.into() value=password kind="password" name="new_password"/>
                <label>
                    <span>{move || text::ROLE.get(lang.get())}</span>
                    <select name="role" on:change=move |e| {
                        if let Some(r) = StaffRole::parse(&event_target_value(&e)) { role.set(r) }
                    }>
                        {StaffRole::ALL.into_iter().map(|r| view! {
                            <option value=r.as_str() selected=move || role.get() == r>{move || r.label().get(lang.get()).to_string()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button class="btn btn-primary" type="submit">{move || text::CREATE_ACCOUNT.get(lang.get())}</button>
            </form>
        </section>
    }
}

/// One account in the admin's list: its role (changed in place), whether it is
/// disabled, and the admin's actions on it. The admin's own row has none: another admin
/// changes it.
#[component]
fn StaffRow(account: StaffSummary, own: bool, data: Data) -> impl IntoView {
    let lang = use_lang();
    let name = StoredValue::new(account.username.clone());
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let act = move |what: Action| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            use crate::client::net;
            let user = name.get_value();
            let done = match what {
                Action::Role(role) => {
                    net::set_role(&user, &crate::domain::accounts::SetRole { role })
                        .await
                        .map(|_| text::ACCOUNT_SAVED.into())
                }
                Action::Disable => net::staff_action(&user, "disable")
                    .await
                    .map(|_| text::ACCOUNT_SAVED.into()),
                Action::Enable => net::staff_action(&user, "enable")
                    .await
                    .map(|_| text::ACCOUNT_SAVED.into()),
                Action::Reset => net::reset_password(&user).await.map(|t| {
                    let (a, b) = (text::TEMPORARY_PASSWORD_FOR, text::TEMPORARY_PASSWORD_HINT);
                    Text::new(
                        format!("{} {user}: {} — {}", a.0, t.password, b.0),
                        format!("{} {user}: {} — {}", a.1, t.password, b.1),
                    )
                }),
            };
            data.message.set(Some(done.unwrap_or_else(refused)));
            reload(data, StaffRole::Admin).await;
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (data, name, what);
    };
    let disabled = account.disabled;
    let role = account.role;
    // The lokets an officer works at ("1, 2"; empty: any), saved when the field is left.
    let lokets = RwSignal::new(
        account
            .lokets
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    );
    let save_lokets = move |_| {
        let req = crate::domain::accounts::SetLokets {
            lokets: lokets.get_untracked(),
        };
        if crate::domain::ids::LoketId::parse_list(&req.lokets).is_err() {
            data.message.set(Some(
                crate::domain::catalogue_edit::EditError::BadLokets.text(),
            ));
        } else {
            #[cfg(feature = "hydrate")]
            leptos::task::spawn_local(async move {
                let done = crate::client::net::set_lokets(&name.get_value(), &req)
                    .await
                    .map(|_| text::ACCOUNT_SAVED.into());
                data.message.set(Some(done.unwrap_or_else(refused)));
                reload(data, StaffRole::Admin).await;
            });
            #[cfg(not(feature = "hydrate"))]
            let _ = req;
        }
    };
    view! {
        <tr data-testid=format!("staff-{}", account.username) class:muted=disabled>
            <td>{account.username.clone()}</td>
            <td>
                {if own {
                    view! { <span>{move || format!("{} ({})", role.label().get(lang.get()), text::YOU.get(lang.get()))}</span> }.into_any()
                } else {
                    view! {
                        <select name="staff-role" aria-label=move || text::ROLE.get(lang.get()) on:change=move |e| {
                            if let Some(r) = StaffRole::parse(&event_target_value(&e)) { act(Action::Role(r)) }
                        }>
                            {StaffRole::ALL.into_iter().map(|r| view! {
                                <option value=r.as_str() selected=r == role>{move || r.label().get(lang.get()).to_string()}</option>
                            }).collect_view()}
                        </select>
                    }.into_any()
                }}
            </td>
            <td>
                {if own {
                    None
                } else {
                    Some(view! {
                        <label class="inline-field">
                            <span>{move || text::STAFF_LOKETS.get(lang.get())}</span>
                            <input name="staff-lokets" size="6" placeholder=move || text::ANY_LOKET.get(lang.get())
                                prop:value=lokets on:input=move |e| lokets.set(event_target_value(&e))
                                on:change=save_lokets/>
                        </label>
                    })
                }}
            </td>
            <td>{disabled.then(|| view! { <span class="badge badge-warn">{move || text::DISABLED.get(lang.get())}</span> })}</td>
            <td class="row-actions">
                {(!own).then(|| view! {
                    {if disabled {
                        view! { <button class="btn btn-secondary" data-testid="enable" on:click=move |_| act(Action::Enable)>{move || text::ENABLE.get(lang.get())}</button> }.into_any()
                    } else {
                        view! { <button class="btn btn-warn" data-testid="disable" on:click=move |_| act(Action::Disable)>{move || text::DISABLE.get(lang.get())}</button> }.into_any()
                    }}
                    <button class="btn btn-secondary" data-testid="reset-password" on:click=move |_| act(Action::Reset)>{move || text::RESET_PASSWORD.get(lang.get())}</button>
                })}
            </td>
        </tr>
    }
}

/// What an admin does to another account.
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Action {
    Role(StaffRole),
    Disable,
    Enable,
    Reset,
}

/// One's own password: asked for at once after signing in with a temporary one
/// (`forced`), otherwise a card on the dashboard.
#[component]
fn PasswordForm(
    data: Data,
    forced: bool,
    on_done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_lang();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let req = crate::domain::accounts::ChangePassword {
                current: current.get_untracked(),
                new: new.get_untracked(),
            };
            if let Err(e) = crate::domain::accounts::check_password(&req.new) {
                data.message.set(Some(e.text()));
                return;
            }
            match crate::client::net::change_password(&req).await {
                Ok(()) => {
                    current.set(String::new());
                    new.set(String::new());
                    data.message.set(Some(text::PASSWORD_CHANGED.into()));
                    on_done();
                }
                Err(e) => data.message.set(Some(refused(e))),
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (data, current, new, on_done);
    };
    view! {
        <form class="card form-row" on:submit=submit data-testid="password-form">
            <h2>{move || text::CHANGE_PASSWORD.get(lang.get())}</h2>
            {forced.then(|| view! { <p class="muted">{move || text::MUST_CHANGE_PASSWORD.get(lang.get())}</p> })}
            <Field label=text::CURRENT_PASSWORD.into() value=current kind="password" name="current_password"/>
            <Field label=text::NEW_PASSWORD.into() value=new kind="password" name="new_password_own"/>
            <button class="btn btn-primary" type="submit">{move || text::CHANGE_PASSWORD.get(lang.get())}</button>
        </form>
    }
}

/// The office's days off, as one editable list (typed, or pasted from the decree).
#[component]
fn HolidayEditor(data: Data) -> impl IntoView {
    let lang = use_lang();
    let text = RwSignal::new(String::new());
    // Filled from the catalogue once it has loaded, and again after each save.
    Effect::new(move |_| {
        if let Some(c) = data.catalogue.get() {
            text.set(crate::domain::calendar::holidays_text(&c.calendar.holidays));
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let req = crate::domain::catalogue::HolidayList {
                text: text.get_untracked(),
            };
            // Say which line is wrong before the server has to.
            if let Err(e) = crate::domain::calendar::parse_holidays(&req.text) {
                data.message.set(Some(e.text()));
                return;
            }
            match crate::client::net::set_holidays(&req).await {
                Ok(list) => {
                    let n = list.len();
                    let (a, d) = (text::HOLIDAYS_SAVED, text::DAYS);
                    data.message.set(Some(Text::new(
                        format!("{} {n} {}.", a.0, d.0),
                        format!("{} {n} {}.", a.1, d.1),
                    )));
                    data.catalogue
                        .set(crate::client::net::catalogue().await.ok());
                }
                Err(e) => data.message.set(Some(refused(e))),
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (data, text);
    };
    view! {
        <form class="card holidays" on:submit=submit data-testid="holidays-form">
            <h2>{move || text::HOLIDAYS.get(lang.get())}</h2>
            <p class="muted">{move || text::HOLIDAYS_HINT.get(lang.get())}</p>
            <textarea name="holidays" rows="12" spellcheck="false" aria-label=move || text::HOLIDAYS.get(lang.get())
                prop:value=text on:input=move |e| text.set(event_target_value(&e))></textarea>
            <button class="btn btn-primary" type="submit">{move || text::SAVE_HOLIDAYS.get(lang.get())}</button>
        </form>
    }
}
