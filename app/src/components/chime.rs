//! The two-tone bell the display plays before each announcement and the citizen's phone
//! plays when its ticket is called.

/// Two soft tones, like an office bell.
#[cfg(feature = "hydrate")]
pub fn chime(a: &web_sys::AudioContext) {
    let t = a.current_time();
    for (i, freq) in [880.0f32, 659.0].into_iter().enumerate() {
        let (Ok(osc), Ok(gain)) = (a.create_oscillator(), a.create_gain()) else {
            return;
        };
        osc.frequency().set_value(freq);
        let start = t + i as f64 * 0.35;
        let _ = gain.gain().set_value_at_time(0.0, start);
        let _ = gain.gain().linear_ramp_to_value_at_time(0.3, start + 0.03);
        let _ = gain.gain().linear_ramp_to_value_at_time(0.0, start + 0.5);
        let _ = osc.connect_with_audio_node(&gain);
        let _ = gain.connect_with_audio_node(&a.destination());
        let _ = osc.start_with_when(start);
        let _ = osc.stop_with_when(start + 0.55);
    }
}
