//! `/display`: the waiting-room TV. The latest call huge, the current ticket at every loket,
//! pickup calls and recent calls, a running notice, the WITA clock. Each new call is
//! announced once — a chime, then Indonesian speech — in a queue, never overlapping; a
//! recall is a new call and repeats. After a reload the display shows the last known state
//! and announces only calls that arrive afterwards.

use leptos::prelude::*;

use crate::client::Device;
use crate::components::{Clock, PhaseGate, SyncChip};
use crate::domain::announce::announcement;
use crate::domain::mutation::DeviceRole;
use crate::domain::snapshot::CallRecord;
use crate::text;
use crate::use_lang;

#[component]
pub fn DisplayPage() -> impl IntoView {
    let device = Device::start(DeviceRole::Display);
    let lang = use_lang();
    let sound_on = RwSignal::new(false);
    // Announcements made (newest last), shown to screen readers and checked by tests.
    let spoken = RwSignal::new(Vec::<String>::new());
    let announcer = announcer::Announcer::new(spoken);

    // Calls newer than the last one seen are announced. The mark is set from the first
    // state the display knows (restored from IndexedDB or pulled), so a reload does not
    // repeat history; calls older than two minutes are shown but not announced.
    let mark = RwSignal::new(None::<u64>);
    Effect::new(move |_| {
        let calls: Vec<CallRecord> = device.replica.with(|r| r.recent_calls().cloned().collect());
        let st = device.status.get();
        if device.phase.get() != crate::client::Phase::Ready
            || (st.last_synced_ms.is_none() && st.cursor == 0)
        {
            return;
        }
        let newest = calls.iter().map(|c| c.seq).max().unwrap_or(0);
        match mark.get_untracked() {
            None => mark.set(Some(newest)),
            Some(m) => {
                let now = device.now.get_untracked();
                let mut fresh: Vec<&CallRecord> = calls
                    .iter()
                    .filter(|c| c.seq > m && (now == 0 || now - c.at.wall_ms < 120_000))
                    .collect();
                fresh.sort_unstable_by_key(|c| c.seq);
                for c in fresh {
                    announcer.say(announcement(c), sound_on.get_untracked());
                }
                if newest > m {
                    mark.set(Some(newest));
                }
            }
        }
    });

    // Changes once a day: yesterday's calls leave the screen, and an unanswered call of
    // yesterday leaves the loket grid.
    let today = Memo::new(move |_| device.today());
    let calls = move || {
        let Some(today) = today.get() else {
            return Vec::new();
        };
        device.rules.with(|rules| {
            rules.as_ref().map_or_else(Vec::new, |rules| {
                device.replica.with(|r| {
                    r.calls_of_day(today, &rules.calendar)
                        .cloned()
                        .collect::<Vec<_>>()
                })
            })
        })
    };
    let latest = move || calls().into_iter().next();
    let lokets = move || device.lokets();
    let notice = move || {
        device
            .rules
            .get()
            .map(|r| {
                r.catalogue
                    .offered()
                    .filter_map(|s| s.notice.as_ref().map(|n| n.get(lang.get()).to_string()))
                    .collect::<Vec<_>>()
                    .join("   •   ")
            })
            .unwrap_or_default()
    };
    let office = move || {
        device
            .rules
            .get()
            .map(|r| r.catalogue.office.name.clone())
            .unwrap_or_default()
    };

    // A TV started by Chromium with `--autoplay-policy=no-user-gesture-required` may play
    // sound at once (README, "The call display"); any other waits for a tap.
    Effect::new(move |_| {
        if announcer.autostart() {
            sound_on.set(true);
        }
    });
    let enable_sound = move || {
        if !sound_on.get_untracked() {
            sound_on.set(true);
            announcer.unlock();
        }
    };

    view! {
        <main class="page display" data-testid="display" on:pointerdown=move |_| enable_sound()>
            <header class="bar display-bar">
                <h1>{office}</h1>
                <div class="bar-side">
                    <Clock device/>
                    <Show when=move || !device.status.get().online>
                        <span class="stale" data-testid="stale">{move || text::STALE.get(lang.get())}</span>
                    </Show>
                    <SyncChip device/>
                    <button class="btn btn-ghost" data-testid="sound" on:click=move |_| {
                        enable_sound();
                        announcer.say(text::SOUND_CHECK_SAID.get(lang.get_untracked()).into(), true);
                    }>
                        {move || if sound_on.get() { text::SOUND_CHECK.get(lang.get()) } else { text::ENABLE_SOUND.get(lang.get()) }}
                    </button>
                </div>
            </header>
            <Show when=move || !sound_on.get()>
                <p class="muted-banner" role="status" data-testid="muted">{move || text::SOUND_OFF.get(lang.get())}</p>
            </Show>
            <PhaseGate device>
                <div class="display-grid">
                    <section class="display-main">
                        {move || match latest() {
                            Some(c) => view! {
                                // Keyed by seq so the highlight animation runs once per new call.
                                <div class="latest" class:latest-pickup=c.pickup data-testid="latest-call" data-seq=c.seq.to_string()>
                                    <p class="latest-label">{move || if c.pickup { text::PICKUPS.get(lang.get()) } else { text::NOW_CALLING.get(lang.get()) }}</p>
                                    <p class="latest-number">{c.number.to_string()}</p>
                                    // The arrow travels with the loket: the line never
                                    // breaks between them.
                                    <p class="latest-to">
                                        <span class="latest-arrow" aria-hidden="true">"→"</span>
                                        <span class="latest-loket">{move || format!("{} {}", text::LOKET.get(lang.get()).to_uppercase(), c.loket)}</span>
                                    </p>
                                </div>
                            }.into_any(),
                            None => view! { <div class="latest latest-empty"><p>{move || text::NO_CALLS.get(lang.get())}</p></div> }.into_any(),
                        }}
                        <div class="loket-grid">
                            {move || lokets().into_iter().map(|l| {
                                let cur = today.get().and_then(|today| device.rules.with(|rules| {
                                    let cal = &rules.as_ref()?.calendar;
                                    device.replica.with(|r| r.current_at(l, today, cal).map(|t| t.number.to_string()))
                                }));
                                view! {
                                    <div class="loket-cell" data-testid=format!("loket-cell-{l}")>
                                        <span class="loket-name">{move || format!("{} {l}", text::LOKET.get(lang.get()))}</span>
                                        <span class="loket-number">{cur.unwrap_or_else(|| "—".into())}</span>
                                    </div>
                                }
                            }).collect_view()}
                        </div>
                    </section>
                    <aside class="display-side">
                        <h2>{move || text::PICKUPS.get(lang.get())}</h2>
                        <ul class="call-list" data-testid="pickup-calls">
                            {move || calls().into_iter().filter(|c| c.pickup).take(6).map(|c| view! {
                                <li><span class="num">{c.number.to_string()}</span><span>{format!("→ {}", c.loket)}</span></li>
                            }).collect_view()}
                        </ul>
                        <h2>{move || text::LAST_CALLS.get(lang.get())}</h2>
                        <ul class="call-list" data-testid="last-calls">
                            {move || calls().into_iter().filter(|c| !c.pickup).skip(1).take(6).map(|c| view! {
                                <li><span class="num">{c.number.to_string()}</span><span>{format!("→ {}", c.loket)}</span></li>
                            }).collect_view()}
                        </ul>
                    </aside>
                </div>
            </PhaseGate>
            <footer class="notice-bar"><p class="notice-text">{notice}</p></footer>
            <ol class="sr-only" aria-live="assertive" data-testid="announcements">
                {move || spoken.get().into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
            </ol>
        </main>
    }
}

mod announcer {
    //! The announcement queue. In the browser: a Web Audio chime, then the Web Speech API
    //! with an Indonesian voice; one announcement at a time, in order.

    use leptos::prelude::*;

    #[derive(Clone, Copy)]
    pub struct Announcer {
        spoken: RwSignal<Vec<String>>,
        #[cfg(feature = "hydrate")]
        queue: StoredValue<std::rc::Rc<std::cell::RefCell<Queue>>, LocalStorage>,
    }

    #[cfg(feature = "hydrate")]
    #[derive(Default)]
    struct Queue {
        items: std::collections::VecDeque<(String, bool)>,
        running: bool,
        audio: Option<web_sys::AudioContext>,
    }

    impl Announcer {
        pub fn new(spoken: RwSignal<Vec<String>>) -> Self {
            Self {
                spoken,
                #[cfg(feature = "hydrate")]
                queue: StoredValue::new_local(Default::default()),
            }
        }

        /// Whether sound may play without a tap (the TV's browser allows autoplay).
        pub fn autostart(&self) -> bool {
            #[cfg(feature = "hydrate")]
            {
                let q = self.queue.get_value();
                let mut q = q.borrow_mut();
                if q.audio.is_none() {
                    q.audio = web_sys::AudioContext::new().ok();
                }
                q.audio
                    .as_ref()
                    .is_some_and(|a| a.state() == web_sys::AudioContextState::Running)
            }
            #[cfg(not(feature = "hydrate"))]
            false
        }

        /// Browsers only play sound after a tap: create the audio context inside one.
        pub fn unlock(&self) {
            #[cfg(feature = "hydrate")]
            {
                let q = self.queue.get_value();
                let mut q = q.borrow_mut();
                if q.audio.is_none() {
                    q.audio = web_sys::AudioContext::new().ok();
                }
                if let Some(a) = &q.audio {
                    let _ = a.resume();
                }
            }
        }

        /// Queues a sentence. It is always listed; it is heard when sound is on.
        pub fn say(&self, sentence: String, audible: bool) {
            self.spoken.update(|s| {
                s.push(sentence.clone());
                // The list is for screen readers and tests; keep it short.
                if s.len() > 20 {
                    s.remove(0);
                }
            });
            #[cfg(feature = "hydrate")]
            {
                let q = self.queue.get_value();
                q.borrow_mut().items.push_back((sentence, audible));
                if !q.borrow().running {
                    q.borrow_mut().running = true;
                    leptos::task::spawn_local(run(q));
                }
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (sentence, audible);
        }
    }

    #[cfg(feature = "hydrate")]
    async fn run(q: std::rc::Rc<std::cell::RefCell<Queue>>) {
        loop {
            let next = q.borrow_mut().items.pop_front();
            let Some((sentence, audible)) = next else {
                q.borrow_mut().running = false;
                return;
            };
            if audible {
                let audio = q.borrow().audio.clone();
                if let Some(a) = audio {
                    crate::components::chime(&a);
                }
                gloo_timers::future::TimeoutFuture::new(900).await;
                speak(&sentence).await;
                gloo_timers::future::TimeoutFuture::new(400).await;
            }
        }
    }

    /// Speaks and waits for the end (or a bound, in case the engine never reports it).
    #[cfg(feature = "hydrate")]
    async fn speak(sentence: &str) {
        use futures::FutureExt;
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        let Some(synth) = web_sys::window().and_then(|w| w.speech_synthesis().ok()) else {
            return;
        };
        let Ok(u) = web_sys::SpeechSynthesisUtterance::new_with_text(sentence) else {
            return;
        };
        u.set_lang("id-ID");
        u.set_rate(0.9);
        if let Some(v) = synth
            .get_voices()
            .iter()
            .filter_map(|v| v.dyn_into::<web_sys::SpeechSynthesisVoice>().ok())
            .find(|v| v.lang().starts_with("id"))
        {
            u.set_voice(Some(&v));
        }
        let (tx, rx) = futures::channel::oneshot::channel::<()>();
        let tx = std::rc::Rc::new(std::cell::RefCell::new(Some(tx)));
        let done = {
            let tx = tx.clone();
            Closure::<dyn FnMut()>::new(move || {
                if let Some(t) = tx.borrow_mut().take() {
                    let _ = t.send(());
                }
            })
        };
        u.set_onend(Some(done.as_ref().unchecked_ref()));
        u.set_onerror(Some(done.as_ref().unchecked_ref()));
        synth.speak(&u);
        let bound = 2_000 + 90 * sentence.len() as u32;
        futures::select! {
            _ = rx.fuse() => {},
            _ = gloo_timers::future::TimeoutFuture::new(bound).fuse() => {},
        }
        drop(done);
    }
}
