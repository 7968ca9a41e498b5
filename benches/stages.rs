//! Stage benchmarks on a 1,000-unit synthetic campaign (examples/synth.rs): load, validate,
//! score, render and write, each timed alone with divan. `cargo bench` runs them; CI only
//! builds them (`cargo bench --no-run`). Whole-process timings and the comparison with Hugo are
//! in scripts/bench.sh and docs/performance.md.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use podium::render::{self, RenderOptions};
use podium::site::output;
use podium::{content, scoring, validate};

#[allow(dead_code, unreachable_pub, clippy::all)]
#[path = "../examples/synth.rs"]
mod synth;

const UNITS: usize = 1_000;

fn main() {
    divan::main();
}

/// The generated site, made once per run in a temporary folder.
fn site() -> &'static Path {
    static SITE: OnceLock<PathBuf> = OnceLock::new();
    SITE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("podium-bench-stages-{UNITS}"));
        if !dir.join("content/campaign.yaml").is_file() {
            synth::generate(UNITS, &dir, 1).expect("generating the synthetic campaign");
        }
        dir
    })
}

#[divan::bench(sample_count = 10)]
fn load() -> content::Loaded {
    content::load(site()).expect("load")
}

#[divan::bench(sample_count = 10)]
fn validate(bencher: divan::Bencher) {
    let loaded = content::load(site()).expect("load");
    bencher.bench(|| validate::validate(&loaded.corpus, &loaded.trust));
}

#[divan::bench(sample_count = 10)]
fn score(bencher: divan::Bencher) {
    let loaded = content::load(site()).expect("load");
    bencher.bench(|| scoring::score(&loaded.corpus));
}

#[divan::bench(sample_count = 5)]
fn render(bencher: divan::Bencher) {
    let loaded = content::load(site()).expect("load");
    let standings = scoring::score(&loaded.corpus);
    let options = RenderOptions { root: site(), drafts: false };
    bencher.bench(|| render::render(&loaded.corpus, &standings, &options).expect("render"));
}

#[divan::bench(sample_count = 5)]
fn write(bencher: divan::Bencher) {
    let loaded = content::load(site()).expect("load");
    let standings = scoring::score(&loaded.corpus);
    let options = RenderOptions { root: site(), drafts: false };
    let files = render::render(&loaded.corpus, &standings, &options).expect("render").files;
    let out = std::env::temp_dir().join("podium-bench-stages-out");
    bencher.bench(|| output::replace(&out, &files).expect("write"));
}
