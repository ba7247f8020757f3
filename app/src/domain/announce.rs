//! What the display says for a call, in Indonesian, as offices announce it: the number
//! digit by digit, the loket as a word.

use super::snapshot::CallRecord;

/// 1–99 in Indonesian words ("dua", "sebelas", "dua puluh satu").
pub fn number_words(n: u8) -> String {
    const ONES: [&str; 10] = [
        "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
    ];
    match n {
        0..=9 => ONES[n as usize].to_owned(),
        10 => "sepuluh".to_owned(),
        11 => "sebelas".to_owned(),
        12..=19 => format!("{} belas", ONES[(n - 10) as usize]),
        _ => {
            let tens = format!("{} puluh", ONES[(n / 10) as usize]);
            if n.is_multiple_of(10) {
                tens
            } else {
                format!("{tens} {}", ONES[(n % 10) as usize])
            }
        }
    }
}

/// The sentence for a call.
pub fn announcement(call: &CallRecord) -> String {
    let loket = number_words(call.loket.get());
    if call.pickup {
        format!(
            "Nomor antrean {}, silakan mengambil dokumen di loket {loket}",
            call.number.spoken_id()
        )
    } else {
        format!(
            "Nomor antrean {}, silakan menuju loket {loket}",
            call.number.spoken_id()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::hlc::Hlc;
    use crate::domain::ids::{ClientId, LoketId, TicketId, TicketNumber};

    #[test]
    fn lokets_are_said_as_words() {
        assert_eq!(number_words(2), "dua");
        assert_eq!(number_words(11), "sebelas");
        assert_eq!(number_words(15), "lima belas");
        assert_eq!(number_words(20), "dua puluh");
        assert_eq!(number_words(21), "dua puluh satu");
    }

    #[test]
    fn a_call_is_announced_as_offices_do() {
        let call = CallRecord {
            seq: 1,
            ticket: TicketId::from_random_bytes([1; 16]),
            number: TicketNumber::parse("A-007").unwrap(),
            loket: LoketId::new(2).unwrap(),
            at: Hlc {
                wall_ms: 0,
                counter: 0,
                client: ClientId::from_random_bytes([1; 16]),
            },
            pickup: false,
            recall: false,
        };
        assert_eq!(
            announcement(&call),
            "Nomor antrean A, nol, nol, tujuh, silakan menuju loket dua"
        );
        let pickup = CallRecord {
            pickup: true,
            ..call
        };
        assert_eq!(
            announcement(&pickup),
            "Nomor antrean A, nol, nol, tujuh, silakan mengambil dokumen di loket dua"
        );
    }
}
