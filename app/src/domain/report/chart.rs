//! The geometry of the report's bar charts, drawn by the admin page as SVG: bars, the
//! value axis with round steps, and which labels fit under the bars.

/// One bar, in the chart's own units (the SVG's `viewBox`).
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    pub value: u32,
    /// Which series it belongs to (0 first).
    pub series: usize,
}

/// A bar chart laid out in a `width` × `height` box, axis and labels included.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    pub width: f32,
    pub height: f32,
    /// Where the plot area starts and ends.
    pub left: f32,
    pub bottom: f32,
    pub bars: Vec<Bar>,
    /// Horizontal grid lines: their height and value.
    pub ticks: Vec<(f32, u32)>,
    /// Category labels that fit: their centre and text.
    pub labels: Vec<(f32, String)>,
}

/// The smallest of 1, 2, 5 × 10ⁿ at or above `x / 4`, so four steps reach `x`.
fn step_for(max: u32) -> u32 {
    let target = max.div_ceil(4).max(1);
    let mut base = 1u32;
    loop {
        for m in [1, 2, 5] {
            let s = base.saturating_mul(m);
            if s >= target {
                return s;
            }
        }
        base = base.saturating_mul(10);
    }
}

/// Lays out `series` (each as long as `labels`) side by side per category.
pub fn bar_chart(series: &[Vec<u32>], labels: &[String], width: f32, height: f32) -> BarChart {
    let (left, top, bottom) = (36.0, 8.0, height - 22.0);
    let n = labels.len().max(1);
    let max = series.iter().flatten().copied().max().unwrap_or(0);
    let step = step_for(max);
    let steps = max.div_ceil(step).max(1);
    let top_value = step * steps;
    let plot_h = bottom - top;
    let slot = (width - left - 4.0) / n as f32;
    let k = series.len().max(1) as f32;
    let bar_w = slot * 0.8 / k;
    let mut bars = Vec::new();
    for (si, s) in series.iter().enumerate() {
        for (i, v) in s.iter().enumerate().take(n) {
            let h = plot_h * *v as f32 / top_value as f32;
            bars.push(Bar {
                x: left + slot * i as f32 + slot * 0.1 + bar_w * si as f32,
                y: bottom - h,
                w: bar_w,
                h,
                value: *v,
                series: si,
            });
        }
    }
    let ticks = (0..=steps)
        .map(|i| (bottom - plot_h * i as f32 / steps as f32, i * step))
        .collect();
    // A label needs about 30 units; show every k-th so they never overlap.
    let every = (30.0 / slot).ceil().max(1.0) as usize;
    let labels = labels
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, l)| (left + slot * (i as f32 + 0.5), l.clone()))
        .collect();
    BarChart {
        width,
        height,
        left,
        bottom,
        bars,
        ticks,
        labels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round() {
        assert_eq!(step_for(0), 1);
        assert_eq!(step_for(7), 2);
        assert_eq!(step_for(20), 5);
        assert_eq!(step_for(41), 20);
        assert_eq!(step_for(1000), 500);
    }

    #[test]
    fn the_tallest_bar_stays_inside_the_plot_and_heights_are_proportional() {
        let c = bar_chart(
            &[vec![10, 5, 0]],
            &["a".into(), "b".into(), "c".into()],
            300.0,
            120.0,
        );
        assert_eq!(c.bars.len(), 3);
        let (a, b) = (&c.bars[0], &c.bars[1]);
        assert!(a.y >= 0.0 && a.y + a.h <= c.bottom + 0.01);
        assert!((a.h - 2.0 * b.h).abs() < 0.01);
        assert_eq!(c.bars[2].h, 0.0);
        assert_eq!(c.ticks.last().map(|t| t.1), Some(10));
        assert!(c.bars.iter().all(|b| b.x >= c.left && b.x + b.w <= c.width));
    }

    #[test]
    fn two_series_sit_side_by_side_and_crowded_labels_thin_out() {
        let labels: Vec<String> = (1..=31).map(|d| d.to_string()).collect();
        let c = bar_chart(&[vec![1; 31], vec![2; 31]], &labels, 400.0, 120.0);
        assert_eq!(c.bars.len(), 62);
        assert!(c.bars[31].x > c.bars[0].x);
        assert!(c.labels.len() < 31);
        assert!(c.labels.windows(2).all(|w| w[1].0 - w[0].0 >= 30.0));
    }
}
