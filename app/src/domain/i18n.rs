//! Bilingual text as data: every public text of the catalogue is carried in Bahasa
//! Indonesia (first) and English.

use serde::{Deserialize, Serialize};

/// The two languages of the UI; Indonesian is the default everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    /// The BCP 47 tag for `<html lang>` and speech synthesis.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Id => "id-ID",
            Lang::En => "en",
        }
    }
}

/// A text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Text {
    pub id: String,
    pub en: String,
}

impl Text {
    pub fn new(id: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Id => &self.id,
            // A catalogue editor may leave English out; Indonesian is always there.
            Lang::En if self.en.is_empty() => &self.id,
            Lang::En => &self.en,
        }
    }
}
