//! The report's tables as CSV files that open as tables in a spreadsheet set to
//! Indonesian: semicolons between fields (the list separator where the decimal mark is a
//! comma), decimal commas, CRLF line ends and a byte-order mark so the file is read as
//! UTF-8. A text field that a spreadsheet would run as a formula is quoted as text.

use jiff::Timestamp;

use super::super::calendar::OfficeCalendar;
use super::super::i18n::{Lang, Text};
use super::super::ikm::{self, decimal_comma};
use super::summary::{Report, Row};

/// The tables a report exports, by their name in the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Services,
    Lokets,
    Officers,
    Missing,
    Overdue,
    Daily,
    Ikm,
}

impl Table {
    pub const ALL: [Table; 7] = [
        Table::Services,
        Table::Lokets,
        Table::Officers,
        Table::Missing,
        Table::Overdue,
        Table::Daily,
        Table::Ikm,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Table::Services => "services",
            Table::Lokets => "lokets",
            Table::Officers => "officers",
            Table::Missing => "missing",
            Table::Overdue => "overdue",
            Table::Daily => "daily",
            Table::Ikm => "ikm",
        }
    }
    pub fn parse(name: &str) -> Option<Table> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// One field: quoted when it holds a separator, a quote or a line break; a leading
/// `= + - @` (a formula to a spreadsheet) is kept as text with an apostrophe.
fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

struct Sheet {
    out: String,
}

impl Sheet {
    fn new() -> Self {
        Self {
            out: String::from("\u{feff}"),
        }
    }
    /// A line of already formatted numbers and text fields.
    fn line(&mut self, cells: &[String]) {
        self.out.push_str(&cells.join(";"));
        self.out.push_str("\r\n");
    }
}

fn t(lang: Lang, id: &str, en: &str) -> String {
    field(Text::new(id, en).get(lang))
}

fn moment(cal: &OfficeCalendar, at: Timestamp) -> String {
    let z = cal.local(at);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        z.year(),
        z.month(),
        z.day(),
        z.hour(),
        z.minute()
    )
}

/// The headings of a row table's figures, after its first column: shared by the CSV and
/// the admin page's tables.
pub const ROW_HEADINGS: [(&str, &str); 15] = [
    ("Diterbitkan", "Issued"),
    ("Dilayani", "Served"),
    ("Tidak terlayani", "Not served"),
    ("Tidak hadir", "No-shows"),
    ("Dikembalikan", "Returned"),
    ("Diterima", "Accepted"),
    ("Siap", "Ready"),
    ("Diambil", "Collected"),
    ("Dialihkan", "Transferred"),
    ("Kedaluwarsa", "Expired"),
    ("Tunggu median (menit)", "Median wait (min)"),
    ("Tunggu p90 (menit)", "p90 wait (min)"),
    ("Layanan median (menit)", "Median service (min)"),
    ("Layanan p90 (menit)", "p90 service (min)"),
    ("Selesai tepat waktu (%)", "Completed on time (%)"),
];

/// A number with `decimals` decimals, with a decimal comma or point.
pub fn decimal(x: f64, decimals: u32, comma: bool) -> String {
    let s = decimal_comma(x, decimals);
    if comma {
        s
    } else {
        s.replace(',', ".")
    }
}

/// The figures of a row, in the order of [`ROW_HEADINGS`]: counts, minutes with one
/// decimal (empty without a value), the share on time.
pub fn row_cells(r: &Row, comma: bool) -> Vec<String> {
    let c = &r.counts;
    let minutes = |s: Option<u32>| {
        s.map(|s| decimal(f64::from(s) / 60.0, 1, comma))
            .unwrap_or_default()
    };
    let mut cells: Vec<String> = [
        c.issued,
        c.served,
        c.not_served,
        c.no_shows,
        c.returned,
        c.accepted,
        c.ready,
        c.collected,
        c.transferred,
        c.expired,
    ]
    .iter()
    .map(u32::to_string)
    .collect();
    for s in [&r.wait, &r.service_time] {
        cells.push(minutes(s.median_s));
        cells.push(minutes(s.p90_s));
    }
    cells.push(
        r.on_time_percent()
            .map(|p| decimal(p, 1, comma))
            .unwrap_or_default(),
    );
    cells
}

fn rows_table(sheet: &mut Sheet, lang: Lang, first: String, rows: &[&Row]) {
    let mut head = vec![first];
    head.extend(ROW_HEADINGS.iter().map(|(id, en)| t(lang, id, en)));
    sheet.line(&head);
    for r in rows {
        let mut cells = vec![field(r.label.get(lang))];
        cells.extend(row_cells(r, true));
        sheet.line(&cells);
    }
}

/// One table of `report` as a CSV file.
pub fn table(report: &Report, which: Table, cal: &OfficeCalendar, lang: Lang) -> String {
    let mut s = Sheet::new();
    match which {
        Table::Services => {
            let mut rows: Vec<&Row> = report.by_service.iter().collect();
            rows.push(&report.totals);
            rows_table(&mut s, lang, t(lang, "Layanan", "Service"), &rows);
        }
        Table::Lokets => {
            let rows: Vec<&Row> = report.by_loket.iter().collect();
            rows_table(&mut s, lang, t(lang, "Loket", "Loket"), &rows);
        }
        Table::Officers => {
            let rows: Vec<&Row> = report.by_officer.iter().collect();
            rows_table(&mut s, lang, t(lang, "Petugas", "Officer"), &rows);
        }
        Table::Missing => {
            s.line(&[
                t(lang, "Layanan", "Service"),
                t(lang, "Persyaratan yang kurang", "Missing requirement"),
                t(lang, "Jumlah", "Count"),
            ]);
            for m in &report.missing {
                s.line(&[
                    field(m.service.as_str()),
                    field(m.requirement.get(lang)),
                    m.count.to_string(),
                ]);
            }
        }
        Table::Overdue => {
            s.line(&[
                t(lang, "Layanan", "Service"),
                t(lang, "Resi pengambilan", "Pickup receipt"),
                t(lang, "Berkas diterima", "Documents accepted"),
                t(lang, "Jatuh tempo", "Due"),
                t(lang, "Siap", "Ready"),
            ]);
            for o in &report.overdue {
                s.line(&[
                    field(o.service.as_str()),
                    field(&o.receipt),
                    moment(cal, o.accepted_at),
                    moment(cal, o.due),
                    o.ready_at
                        .map(|r| moment(cal, r))
                        .unwrap_or_else(|| t(lang, "belum", "not yet")),
                ]);
            }
        }
        Table::Daily => {
            s.line(&[
                t(lang, "Tanggal", "Date"),
                t(lang, "Hari kerja", "Working day"),
                t(lang, "Diterbitkan", "Issued"),
                t(lang, "Dilayani", "Served"),
                t(lang, "Tidak terlayani", "Not served"),
            ]);
            for d in &report.daily {
                s.line(&[
                    super::super::time_format::print_date(d.day),
                    if d.working {
                        t(lang, "ya", "yes")
                    } else {
                        t(lang, "tidak", "no")
                    },
                    d.issued.to_string(),
                    d.served.to_string(),
                    d.not_served.to_string(),
                ]);
            }
        }
        Table::Ikm => {
            s.line(&[
                t(lang, "Unsur", "Element"),
                t(lang, "Jumlah nilai", "Total"),
                t(lang, "NRR", "Mean (NRR)"),
                t(lang, "NRR tertimbang", "Weighted mean"),
            ]);
            if let Some(k) = &report.ikm {
                for (i, e) in k.elements.iter().enumerate() {
                    s.line(&[
                        format!("U{} {}", i + 1, field(ikm::element_text(i).get(lang))),
                        e.total.to_string(),
                        decimal_comma(e.nrr, 2),
                        decimal_comma(e.weighted, 3),
                    ]);
                }
                s.line(&[
                    t(lang, "IKM (1–4)", "Index (1–4)"),
                    String::new(),
                    String::new(),
                    decimal_comma(k.index, 3),
                ]);
                s.line(&[
                    t(lang, "Nilai konversi (25–100)", "Converted value (25–100)"),
                    String::new(),
                    String::new(),
                    decimal_comma(k.converted, 2),
                ]);
                s.line(&[
                    t(lang, "Mutu pelayanan", "Service quality"),
                    String::new(),
                    String::new(),
                    k.grade.letter().into(),
                ]);
                s.line(&[
                    t(lang, "Kinerja unit pelayanan", "Performance"),
                    String::new(),
                    String::new(),
                    field(k.grade.label().get(lang)),
                ]);
                s.line(&[
                    t(lang, "Jumlah responden", "Respondents"),
                    String::new(),
                    String::new(),
                    k.respondents.to_string(),
                ]);
            }
        }
    }
    s.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_that_a_spreadsheet_would_split_or_run_are_quoted() {
        assert_eq!(field("Loket 1"), "Loket 1");
        assert_eq!(field("a;b"), "\"a;b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("-1"), "'-1");
    }

    #[test]
    fn decimals_follow_the_language() {
        assert_eq!(decimal(245.0 / 60.0, 1, true), "4,1");
        assert_eq!(decimal(1.5, 1, false), "1.5");
    }

    #[test]
    fn every_table_has_a_name_that_reads_back() {
        for t in Table::ALL {
            assert_eq!(Table::parse(t.name()), Some(t));
        }
        assert_eq!(Table::parse("../etc"), None);
    }
}
