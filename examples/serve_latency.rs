//! Measures `podium serve`'s edit-to-reload latency, and checks the pages after each edit.
//!
//! ```sh
//! cp -r /tmp/podium-bench/10000 /tmp/serve10k     # never edit the generated original
//! cargo build --release && cargo run --release --example serve_latency -- --root /tmp/serve10k \
//!     [--edits 10] [--unit ID] [--csv] [--rename] [--check-every 1] [--pause-ms 400]
//! ```
//!
//! Starts `target/release/podium serve --port 0` on the site, waits for its first build and
//! opens the live-reload event stream. Then, `--edits` times, it changes one unit's value of the
//! first criterion in the current period (in the unit's front matter, or with `--csv` in its row
//! of `content/results/<period>.csv`), taking the clock just before the file is written, and
//! stops it when the `reload` event arrives. `--rename` saves like an editor that writes a
//! temporary file and renames it over the original.
//!
//! Every `--check-every` edits it also checks correctness: it loads and scores the edited site
//! from scratch with the library (`site::prepare` + `scoring::score`) and requires the served
//! unit page (its trend table) and the current scoreboard (the unit's row) to show the same
//! total and rank. It prints each edit, then min/median/max of the latency and of the rebuild
//! times serve logged, and exits non-zero on a wrong page or a missing reload.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use podium::model::Language;
use podium::render::locale::{Lang, number};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

struct Args {
    root: PathBuf,
    edits: usize,
    unit: Option<String>,
    csv: bool,
    rename: bool,
    check_every: usize,
    pause: Duration,
    podium: PathBuf,
}

fn parse_args() -> Res<Args> {
    let exe = std::env::current_exe()?;
    // target/release/examples/serve_latency -> target/release/podium
    let podium = exe.parent().and_then(Path::parent).map(|d| d.join("podium")).ok_or("no podium binary")?;
    let mut args = Args {
        root: PathBuf::new(),
        edits: 10,
        unit: None,
        csv: false,
        rename: false,
        check_every: 1,
        pause: Duration::from_millis(400),
        podium,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--root" => args.root = PathBuf::from(value()?),
            "--edits" => args.edits = value()?.parse()?,
            "--unit" => args.unit = Some(value()?),
            "--csv" => args.csv = true,
            "--rename" => args.rename = true,
            "--check-every" => args.check_every = value()?.parse()?,
            "--pause-ms" => args.pause = Duration::from_millis(value()?.parse()?),
            "--podium" => args.podium = PathBuf::from(value()?),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    if args.root.as_os_str().is_empty() {
        return Err("--root DIR is required (a copy of a site: it gets edited)".into());
    }
    Ok(args)
}

/// A running `podium serve`, stopped when dropped.
struct Serve {
    child: Child,
    addr: String,
    base: String,
    log: mpsc::Receiver<String>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(podium: &Path, root: &Path) -> Res<Serve> {
    let mut child = Command::new(podium)
        .args(["serve", "--port", "0", "--root"])
        .arg(root)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()?;
    let stderr = child.stderr.take().ok_or("no stderr")?;
    let (tx, log) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut serve = Serve { child, addr: String::new(), base: String::new(), log };
    loop {
        let line = serve.log.recv_timeout(Duration::from_secs(300))?;
        eprintln!("serve: {line}");
        if let Some(url) = line.split(" at http://").nth(1) {
            let (addr, path) = url.split_once('/').ok_or("no path in the address")?;
            serve.addr = addr.to_string();
            serve.base = format!("/{path}");
            return Ok(serve);
        }
    }
}

/// The reload events, each with the instant it was read.
fn events(addr: &str, base: &str) -> Res<mpsc::Receiver<Instant>> {
    let mut s = TcpStream::connect(addr)?;
    s.set_nodelay(true)?;
    write!(s, "GET {base}__podium/events HTTP/1.1\r\nHost: {addr}\r\n\r\n")?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(s).lines().map_while(Result::ok) {
            if line.starts_with("event: reload") && tx.send(Instant::now()).is_err() {
                break;
            }
        }
    });
    Ok(rx)
}

fn get(addr: &str, path: &str) -> Res<String> {
    let mut s = TcpStream::connect(addr)?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")?;
    let mut response = Vec::new();
    s.read_to_end(&mut response)?;
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no HTTP body")?;
    let head = String::from_utf8_lossy(&response[..split]).to_lowercase();
    if !head.starts_with("http/1.1 200") {
        return Err(format!("GET {path}: {}", head.lines().next().unwrap_or("")).into());
    }
    let mut body = &response[split + 4..];
    if !head.contains("transfer-encoding: chunked") {
        return Ok(String::from_utf8(body.to_vec())?);
    }
    let mut out = Vec::with_capacity(body.len());
    loop {
        let line = body.windows(2).position(|w| w == b"\r\n").ok_or("bad chunk")?;
        let size = usize::from_str_radix(std::str::from_utf8(&body[..line])?.trim(), 16)?;
        if size == 0 {
            break;
        }
        out.extend_from_slice(&body[line + 2..line + 2 + size]);
        body = &body[line + 4 + size..];
    }
    Ok(String::from_utf8(out)?)
}

/// What the edits change: one unit's first criterion in the current period.
struct Target {
    unit: String,
    period: String,
    period_title: String,
    criterion: String,
    file: PathBuf,
}

fn pick_target(args: &Args) -> Res<Target> {
    let prepared = podium::site::prepare(&args.root)?;
    if prepared.has_errors() {
        return Err("the site has errors; run podium check".into());
    }
    let corpus = &prepared.corpus;
    let standings = podium::scoring::score(corpus);
    let period = &corpus.campaign.periods[standings.current_period];
    let criterion = corpus.criteria().next().ok_or("no criteria")?.id.clone();
    let csv = args.root.join(format!("content/results/{}.csv", period.id));
    let in_csv = |id: &str| -> bool {
        std::fs::read_to_string(&csv).is_ok_and(|t| t.lines().any(|l| l.starts_with(&format!("{id},"))))
    };
    let unit = match &args.unit {
        Some(id) => corpus.units.iter().find(|u| &u.id == id).ok_or("no such unit")?,
        // A unit in the middle of the ranking, so that its rank can move both ways.
        None => {
            let ranking = &standings.periods[standings.current_period].ranking;
            let middle = ranking.len() / 2;
            let fits = |&&i: &&usize| {
                let u = &corpus.units[i];
                u.folder.is_none() && in_csv(&u.id) == args.csv
            };
            let i = ranking[middle..].iter().find(fits).ok_or("no unit fits")?;
            &corpus.units[*i]
        }
    };
    let file = if args.csv { csv } else { args.root.join(&corpus.file(unit.file).path) };
    Ok(Target {
        unit: unit.id.clone(),
        period: period.id.clone(),
        period_title: period.title.clone(),
        criterion,
        file,
    })
}

/// The file's text with the target's value replaced by `value`.
fn edited(target: &Target, text: &str, csv: bool, value: &str) -> Res<String> {
    let mut out = String::with_capacity(text.len() + 8);
    let mut done = false;
    if csv {
        let mut lines = text.split_inclusive('\n');
        let header = lines.next().ok_or("empty CSV")?;
        let column = header
            .trim_end()
            .split(',')
            .position(|c| c == target.criterion)
            .ok_or("criterion column not found")?;
        out.push_str(header);
        for line in lines {
            if !done && line.starts_with(&format!("{},", target.unit)) {
                let end = if line.ends_with("\r\n") { "\r\n" } else { "\n" };
                let mut cells: Vec<&str> = line.trim_end().split(',').collect();
                cells[column] = value;
                out.push_str(&cells.join(","));
                out.push_str(end);
                done = true;
            } else {
                out.push_str(line);
            }
        }
    } else {
        // The criterion's line inside the `<period>:` block of `results:`.
        let mut in_period = false;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            if trimmed.starts_with(&format!("{}:", target.period)) && indent == 2 {
                in_period = true;
            } else if in_period && indent <= 2 && !trimmed.trim().is_empty() {
                in_period = false;
            }
            if in_period && !done && trimmed.starts_with(&format!("{}:", target.criterion)) {
                out.push_str(&format!("{}{}: {value}\n", &line[..indent], target.criterion));
                done = true;
            } else {
                out.push_str(line);
            }
        }
    }
    if !done {
        return Err(format!(
            "no value of {} for {} in {}",
            target.criterion,
            target.unit,
            target.file.display()
        )
        .into());
    }
    Ok(out)
}

fn save(path: &Path, text: &str, rename: bool) -> Res<()> {
    if rename {
        let name = path.file_name().ok_or("no file name")?.to_string_lossy();
        let tmp = path.with_file_name(format!(".{name}.tmp-save"));
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, path)?;
    } else {
        std::fs::write(path, text)?;
    }
    Ok(())
}

/// Compares the served unit page and scoreboard with a fresh load and score of the site.
fn check(serve: &Serve, args: &Args, target: &Target) -> Res<String> {
    let prepared = podium::site::prepare(&args.root)?;
    if prepared.has_errors() {
        return Err("the edited site has errors".into());
    }
    let corpus = &prepared.corpus;
    let standings = podium::scoring::score(corpus);
    let period = corpus.period_index(&target.period).ok_or("period gone")?;
    let ui = corpus.unit_index(&target.unit).ok_or("unit gone")?;
    let score = &standings.periods[period].units[ui];
    let rank = score.rank.ok_or("the unit is not ranked")?;
    let precision = corpus.campaign.precision;
    let lang = match corpus.campaign.language {
        Language::Vi => Lang::Vi,
        Language::En => Lang::En,
    };
    let total_shown = number(score.total, precision, lang);

    // The unit page's trend table: period title, total, rank.
    let page = get(&serve.addr, &format!("{}units/{}/", serve.base, target.unit))?;
    let row = format!("<th scope=\"row\">{}</th>", target.period_title);
    let at = page.find(&row).ok_or("no trend row for the period on the unit page")?;
    let cells: Vec<&str> = page[at..]
        .split("<td class=\"num\">")
        .skip(1)
        .take(2)
        .map(|c| c.split('<').next().unwrap_or(""))
        .collect();
    if cells != [total_shown.as_str(), rank.to_string().as_str()] {
        return Err(format!("unit page shows {cells:?}, a fresh build gives [{total_shown}, {rank}]").into());
    }

    // The unit's row on the current period's scoreboard.
    let board = get(&serve.addr, &format!("{}scoreboard/{}/", serve.base, target.period))?;
    let link = format!("href=\"../../units/{}/\"", target.unit);
    let at = board.find(&link).ok_or("unit missing from the scoreboard")?;
    let start = board[..at].rfind("<tr>").ok_or("no row start")?;
    let end = at + board[at..].find("</tr>").ok_or("no row end")?;
    let tr = &board[start..end];
    // The row's first cell is its rank, its last the total, as shown to readers.
    let text_after = |start: &str| -> Option<&str> {
        let rest = &tr[tr.find(start)? + start.len()..];
        Some(&rest[..rest.find('<')?])
    };
    let shown_rank = text_after("<span class=\"rank-no\">").ok_or("no rank cell")?;
    let shown_total = text_after("<td class=\"total\"><strong>").ok_or("no total cell")?;
    if shown_rank != rank.to_string() || shown_total != total_shown {
        return Err(format!(
            "scoreboard shows rank {shown_rank} total {shown_total}, a fresh build gives {rank} {total_shown}"
        )
        .into());
    }
    Ok(format!("total {total_shown}, rank {rank}"))
}

fn summary(name: &str, mut values: Vec<f64>) {
    if values.is_empty() {
        return;
    }
    values.sort_by(f64::total_cmp);
    let median = if values.len() % 2 == 1 {
        values[values.len() / 2]
    } else {
        (values[values.len() / 2 - 1] + values[values.len() / 2]) / 2.0
    };
    println!(
        "{name}: min {:.0} ms, median {:.0} ms, max {:.0} ms (n = {})",
        values[0],
        median,
        values[values.len() - 1],
        values.len()
    );
}

fn main() -> Res<()> {
    let args = parse_args()?;
    let target = pick_target(&args)?;
    println!(
        "editing {} of unit {} in period {} ({}{})",
        target.criterion,
        target.unit,
        target.period,
        target.file.display(),
        if args.rename { ", saved by rename" } else { "" }
    );
    let original = std::fs::read_to_string(&target.file)?;
    let serve = start(&args.podium, &args.root)?;
    let reloads = events(&serve.addr, &serve.base)?;
    // Let the stream subscribe before the first edit.
    std::thread::sleep(Duration::from_millis(500));
    let values = ["0", "119.5", "35.2", "101.7", "64.4", "88.8", "12.3", "110", "47.6", "95.1"];
    let (mut latencies, mut builds, mut failures, mut extra) = (Vec::new(), Vec::new(), 0, 0);
    for i in 0..args.edits {
        let value = values[i % values.len()];
        let text = edited(&target, &std::fs::read_to_string(&target.file)?, args.csv, value)?;
        let written = Instant::now();
        save(&target.file, &text, args.rename)?;
        let Ok(reloaded) = reloads.recv_timeout(Duration::from_secs(60)) else {
            println!("edit {i}: no reload within 60 s");
            failures += 1;
            continue;
        };
        let latency = reloaded.saturating_duration_since(written).as_secs_f64() * 1000.0;
        std::thread::sleep(args.pause);
        extra += reloads.try_iter().count();
        let log: Vec<String> = serve.log.try_iter().collect();
        let built: Vec<f64> =
            log.iter().filter_map(|l| l.strip_prefix("built in ")?.split(' ').next()?.parse().ok()).collect();
        builds.extend(built.iter().copied());
        for line in log.iter().filter(|l| !l.starts_with("built in ") && !l.starts_with("change:")) {
            println!("  serve: {line}");
        }
        latencies.push(latency);
        let checked = if args.check_every > 0 && (i + 1) % args.check_every == 0 {
            match check(&serve, &args, &target) {
                Ok(s) => format!(", pages right: {s}"),
                Err(e) => {
                    failures += 1;
                    format!(", WRONG: {e}")
                }
            }
        } else {
            String::new()
        };
        println!("edit {i}: {value} -> reload after {latency:.0} ms (rebuild {built:?} ms){checked}");
    }
    std::fs::write(&target.file, original)?;
    summary("edit -> reload", latencies);
    summary("rebuild (serve's log)", builds);
    if extra > 0 {
        println!("{extra} extra reload events (an edit gave more than one rebuild)");
    }
    if failures > 0 {
        return Err(format!("{failures} edits failed").into());
    }
    Ok(())
}
