//! Turns a corpus and its standings into output files (`Vec<OutputFile>`); writes nothing.

pub mod data;
mod json;

use anyhow::Result;

use crate::model::Corpus;
use crate::scoring::Standings;
use crate::site::output::OutputFile;

/// Every file of the site, in a stable order.
pub fn render(corpus: &Corpus, standings: &Standings) -> Result<Vec<OutputFile>> {
    data::render(corpus, standings)
}
