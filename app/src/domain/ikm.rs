//! The community satisfaction index (Indeks Kepuasan Masyarakat, PermenPAN-RB 14/2017).
//!
//! Nine elements, each answered 1–4. The index is the mean of the element means times 25
//! (the regulation's weighted formula with equal weights 1/9 reduces to this), graded A–D.

use serde::{Deserialize, Serialize};

use super::i18n::Text;

/// The nine survey elements, in the regulation's order.
pub const ELEMENTS: [(&str, &str); 9] = [
    ("Persyaratan", "Requirements"),
    (
        "Sistem, mekanisme dan prosedur",
        "System, mechanism and procedure",
    ),
    ("Waktu penyelesaian", "Completion time"),
    ("Biaya/tarif", "Fee"),
    ("Produk spesifikasi jenis pelayanan", "Product"),
    ("Kompetensi pelaksana", "Staff competence"),
    ("Perilaku pelaksana", "Staff conduct"),
    (
        "Penanganan pengaduan, saran dan masukan",
        "Handling of complaints and suggestions",
    ),
    ("Sarana dan prasarana", "Facilities"),
];

pub fn element_text(i: usize) -> Text {
    Text::new(ELEMENTS[i].0, ELEMENTS[i].1)
}

/// Why a survey answer was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IkmError {
    #[error("a survey answer has nine scores, each from 1 to 4")]
    BadScore,
}

/// `POST /api/t/{token}/survey`: the citizen's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyBody {
    pub scores: SurveyAnswer,
}

/// One respondent's nine scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "[u8; 9]", into = "[u8; 9]")]
pub struct SurveyAnswer([u8; 9]);

impl SurveyAnswer {
    pub fn new(scores: [u8; 9]) -> Result<Self, IkmError> {
        if scores.iter().all(|s| (1..=4).contains(s)) {
            Ok(Self(scores))
        } else {
            Err(IkmError::BadScore)
        }
    }
    pub fn scores(&self) -> [u8; 9] {
        self.0
    }
}
impl TryFrom<[u8; 9]> for SurveyAnswer {
    type Error = IkmError;
    fn try_from(s: [u8; 9]) -> Result<Self, IkmError> {
        Self::new(s)
    }
}
impl From<SurveyAnswer> for [u8; 9] {
    fn from(a: SurveyAnswer) -> [u8; 9] {
        a.0
    }
}

/// Service quality grade (mutu pelayanan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Grade {
    A,
    B,
    C,
    D,
}

/// An index value as the regulation prints it, with two decimals ("88.31"). Written with
/// integers: Rust's float formatting with a precision is a large piece of the browser bundle.
pub fn two_decimals(x: f64) -> String {
    let h = (x * 100.0).round() as i64;
    let sign = if h < 0 { "-" } else { "" };
    let h = h.unsigned_abs();
    format!("{sign}{}.{:02}", h / 100, h % 100)
}

impl Grade {
    pub fn letter(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
        }
    }

    /// The regulation's label (kinerja unit pelayanan).
    pub fn label(self) -> Text {
        match self {
            Grade::A => Text::new("Sangat Baik", "Very good"),
            Grade::B => Text::new("Baik", "Good"),
            Grade::C => Text::new("Kurang Baik", "Poor"),
            Grade::D => Text::new("Tidak Baik", "Bad"),
        }
    }

    /// Grade of an index value, on the regulation's two-decimal scale.
    pub fn of(ikm: f64) -> Grade {
        // Compare in hundredths so 88.305 (shown as 88.31) and 88.30 land on the intended
        // sides of the published boundaries.
        let h = (ikm * 100.0).round() as i64;
        if h >= 8831 {
            Grade::A
        } else if h >= 7661 {
            Grade::B
        } else if h >= 6500 {
            Grade::C
        } else {
            Grade::D
        }
    }
}

/// The result over a set of answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IkmResult {
    pub respondents: usize,
    pub element_means: [f64; 9],
    pub ikm: f64,
    pub grade: Grade,
}

/// The index over all stored answers and per service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IkmReport {
    pub overall: Option<IkmResult>,
    pub by_service: Vec<(String, IkmResult)>,
}

/// Computes the index; `None` without answers.
pub fn compute(answers: &[SurveyAnswer]) -> Option<IkmResult> {
    if answers.is_empty() {
        return None;
    }
    let n = answers.len() as f64;
    let mut means = [0.0; 9];
    for (i, m) in means.iter_mut().enumerate() {
        *m = answers.iter().map(|a| f64::from(a.0[i])).sum::<f64>() / n;
    }
    let ikm = means.iter().sum::<f64>() / 9.0 * 25.0;
    Some(IkmResult {
        respondents: answers.len(),
        element_means: means,
        ikm,
        grade: Grade::of(ikm),
    })
}

/// One element's line of the regulation's tabulation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ElementLine {
    /// The sum of the perceived values (jumlah nilai persepsi).
    pub total: u32,
    /// The mean value (NRR, nilai rata-rata): `total / respondents`.
    pub nrr: f64,
    /// The weighted mean (NRR tertimbang): `nrr × 1/9`, the regulation's equal weight
    /// (printed 0,111).
    pub weighted: f64,
}

/// The index for a period as PermenPAN-RB 14/2017 tabulates it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IkmTable {
    pub respondents: u32,
    pub elements: [ElementLine; 9],
    /// The unit's index on the 1–4 scale: the sum of the weighted means.
    pub index: f64,
    /// The converted value (nilai konversi, 25–100): `index × 25`.
    pub converted: f64,
    /// Service quality (mutu pelayanan) and, through [`Grade::label`], performance.
    pub grade: Grade,
}

/// Tabulates the answers; `None` without any.
pub fn tabulate<'a>(answers: impl IntoIterator<Item = &'a SurveyAnswer>) -> Option<IkmTable> {
    let mut totals = [0u32; 9];
    let mut n = 0u32;
    for a in answers {
        n += 1;
        for (t, s) in totals.iter_mut().zip(a.0) {
            *t += u32::from(s);
        }
    }
    if n == 0 {
        return None;
    }
    let elements = totals.map(|total| {
        let nrr = f64::from(total) / f64::from(n);
        ElementLine {
            total,
            nrr,
            weighted: nrr / 9.0,
        }
    });
    let index = elements.iter().map(|e| e.weighted).sum::<f64>();
    let converted = index * 25.0;
    Some(IkmTable {
        respondents: n,
        elements,
        index,
        converted,
        grade: Grade::of(converted),
    })
}

/// A value with `decimals` decimals (up to 4) and a decimal comma, as an Indonesian table
/// prints it: `3,1667`, `79,17`.
pub fn decimal_comma(x: f64, decimals: u32) -> String {
    let scale = 10i64.pow(decimals.min(4));
    let v = (x * scale as f64).round() as i64;
    let sign = if v < 0 { "-" } else { "" };
    let v = v.unsigned_abs();
    let (whole, frac) = (v / scale as u64, v % scale as u64);
    if decimals == 0 {
        format!("{sign}{whole}")
    } else {
        format!(
            "{sign}{whole},{frac:0width$}",
            width = decimals.min(4) as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_values_print_with_two_decimals_like_format_does() {
        for x in [
            0.0, 88.305, 88.3, 76.61, 100.0, 65.0, 0.005, 99.999, -1.25, 7.5,
        ] {
            assert_eq!(
                two_decimals(x),
                format!("{:.2}", (x * 100.0f64).round() / 100.0),
                "{x}"
            );
        }
        assert_eq!(two_decimals(88.305), "88.31");
        assert_eq!(two_decimals(7.0), "7.00");
    }

    fn a(s: [u8; 9]) -> SurveyAnswer {
        SurveyAnswer::new(s).unwrap()
    }

    #[test]
    fn all_fours_is_100_and_grade_a() {
        let r = compute(&[a([4; 9])]).unwrap();
        assert_eq!(r.ikm, 100.0);
        assert_eq!(r.grade, Grade::A);
    }

    #[test]
    fn all_ones_is_25_and_grade_d() {
        let r = compute(&[a([1; 9])]).unwrap();
        assert_eq!(r.ikm, 25.0);
        assert_eq!(r.grade, Grade::D);
    }

    #[test]
    fn a_hand_computed_example() {
        // Two respondents. Element means: 3.5, 3, 3, 4, 3.5, 3, 3, 2.5, 3 → sum 28.5,
        // mean 3.1667, × 25 = 79.17 → B (Baik).
        let r = compute(&[
            a([4, 3, 3, 4, 4, 3, 3, 2, 3]),
            a([3, 3, 3, 4, 3, 3, 3, 3, 3]),
        ])
        .unwrap();
        assert_eq!(r.element_means[0], 3.5);
        assert_eq!(r.element_means[7], 2.5);
        assert!((r.ikm - 79.1667).abs() < 1e-3, "{}", r.ikm);
        assert_eq!(r.grade, Grade::B);
        assert_eq!(r.grade.label().id, "Baik");
    }

    #[test]
    fn every_grade_boundary() {
        for (v, g) in [
            (100.0, Grade::A),
            (88.31, Grade::A),
            (88.30, Grade::B),
            (76.61, Grade::B),
            (76.60, Grade::C),
            (65.00, Grade::C),
            (64.99, Grade::D),
            (25.00, Grade::D),
        ] {
            assert_eq!(Grade::of(v), g, "{v}");
        }
    }

    #[test]
    fn scores_outside_one_to_four_are_refused() {
        assert!(SurveyAnswer::new([0; 9]).is_err());
        assert!(SurveyAnswer::new([5, 4, 4, 4, 4, 4, 4, 4, 4]).is_err());
        assert!(serde_json::from_str::<SurveyAnswer>("[1,2,3,4,1,2,3,4,9]").is_err());
    }

    #[test]
    fn no_answers_no_index() {
        assert!(compute(&[]).is_none());
    }

    #[test]
    fn the_regulations_table_for_two_respondents() {
        // The example above: totals 7,6,6,8,7,6,6,5,6 (sum 57); NRR 3,5 … 2,5; each
        // weighted by 1/9; the index is 57 / 18 = 3,1667 and converts to 79,17: B, Baik.
        let t = tabulate(&[
            a([4, 3, 3, 4, 4, 3, 3, 2, 3]),
            a([3, 3, 3, 4, 3, 3, 3, 3, 3]),
        ])
        .unwrap();
        assert_eq!(t.respondents, 2);
        assert_eq!(t.elements.map(|e| e.total), [7, 6, 6, 8, 7, 6, 6, 5, 6]);
        assert_eq!(t.elements[0].nrr, 3.5);
        assert_eq!(decimal_comma(t.elements[0].weighted, 3), "0,389");
        assert_eq!(decimal_comma(t.index, 4), "3,1667");
        assert_eq!(decimal_comma(t.converted, 2), "79,17");
        assert_eq!(t.grade, Grade::B);
        assert!(tabulate(&[]).is_none());
    }

    #[test]
    fn decimals_print_with_a_comma() {
        assert_eq!(decimal_comma(88.305, 2), "88,31");
        assert_eq!(decimal_comma(7.0, 1), "7,0");
        assert_eq!(decimal_comma(0.05, 2), "0,05");
        assert_eq!(decimal_comma(-1.25, 1), "-1,3");
        assert_eq!(decimal_comma(12.0, 0), "12");
    }
}
