//! Integration tests over fixture sites in `tests/fixtures/` (see tests/README.md).

mod broken;
mod cli;
mod fixtures;
mod properties;
mod serve;
mod site;
mod support;
