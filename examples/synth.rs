//! Deterministic synthetic campaign generator, for benchmarks.
//!
//! ```sh
//! cargo run --release --example synth -- --units 10000 --out DIR [--seed 1] [--hugo DIR2]
//! ```
//!
//! Writes `DIR/content/` as a valid podium site (`podium check` reports 0 errors and 0 warnings):
//! a campaign in Vietnamese with 4 periods (q1..q4), 12 clusters, tiers, indicators of every kind
//! and awards; a scoring table of 30 criteria in 5 groups using every scoring method, bonus items
//! and penalties; N units (about 1 in 10 is the parent of a few children; ~95% registered), each
//! with results for all 4 periods (even-numbered units in front matter, odd-numbered ones in
//! `content/results/<period>.csv`) and ~300 words of Markdown narrative; 200 news items, 50
//! agreements, 2 free pages and a home page body.
//!
//! It also writes `DIR/synth-expected.csv`: the points, bonus, penalty and total of every unit in
//! every period, computed here independently with decimal arithmetic per SPEC §4 (one row per
//! unit and period; compare with podium's `data/results.csv` after sorting).
//!
//! With `--hugo DIR2` it also writes an equivalent Hugo site for the same data: `DIR2/hugo.toml`
//! and `DIR2/layouts/` copied from `scripts/hugo-site/` (override with `--hugo-templates DIR`),
//! `DIR2/content/units/<id>.md` whose front matter holds the unit's name, cluster, tier and, per
//! period, every criterion's raw value and the points precomputed here (Hugo cannot score), the
//! same narrative, the 200 news items, cluster term pages, a scoreboard page and
//! `DIR2/data/criteria.json` (the scoring table's titles and maxima).
//!
//! The output is byte-identical for the same arguments: every random choice comes from a
//! splitmix64 generator seeded from `--seed` (per unit: from the seed and the unit's number).

use rust_decimal::{Decimal, RoundingStrategy};
use std::error::Error;
use std::fmt::Write as _;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

type Res<T> = Result<T, Box<dyn Error>>;

const YEAR: u32 = 2024;
const PRECISION: u32 = 2;
const NUM_CLUSTERS: usize = 12;
/// Periods: (id, title, start, end, the title in running text).
const PERIODS: [(&str, &str, &str, &str, &str); 4] = [
    ("q1", "Quý I năm 2024", "2024-01-01", "2024-03-31", "quý I năm 2024"),
    ("q2", "Quý II năm 2024", "2024-04-01", "2024-06-30", "quý II năm 2024"),
    ("q3", "Quý III năm 2024", "2024-07-01", "2024-09-30", "quý III năm 2024"),
    ("q4", "Quý IV và tổng kết năm 2024", "2024-10-01", "2024-12-31", "quý IV và cả năm 2024"),
];
const CLUSTER_TITLES: [&str; NUM_CLUSTERS] = [
    "Cụm thi đua các tỉnh miền núi phía Bắc",
    "Cụm thi đua đồng bằng sông Hồng",
    "Cụm thi đua các tỉnh Bắc Trung Bộ",
    "Cụm thi đua duyên hải Nam Trung Bộ",
    "Cụm thi đua các tỉnh Tây Nguyên",
    "Cụm thi đua các tỉnh Đông Nam Bộ",
    "Cụm thi đua đồng bằng sông Cửu Long",
    "Cụm thi đua các thành phố trực thuộc Trung ương",
    "Khối các đơn vị tham mưu, giúp việc",
    "Khối các đơn vị sự nghiệp",
    "Cụm thi đua các cửa khẩu biên giới đất liền",
    "Cụm thi đua các cửa khẩu cảng biển, sân bay",
];
/// Tiers: (id, title, min_score).
const TIERS: [(&str, &str, u32); 3] = [
    ("xuat-sac", "Hoàn thành xuất sắc nhiệm vụ", 90),
    ("tot", "Hoàn thành tốt nhiệm vụ", 75),
    ("hoan-thanh", "Hoàn thành nhiệm vụ", 50),
];

const PLACES: [&str; 63] = [
    "Hà Nội",
    "Hải Phòng",
    "Đà Nẵng",
    "TP. Hồ Chí Minh",
    "Cần Thơ",
    "An Giang",
    "Bà Rịa - Vũng Tàu",
    "Bắc Giang",
    "Bắc Kạn",
    "Bạc Liêu",
    "Bắc Ninh",
    "Bến Tre",
    "Bình Định",
    "Bình Dương",
    "Bình Phước",
    "Bình Thuận",
    "Cà Mau",
    "Cao Bằng",
    "Đắk Lắk",
    "Đắk Nông",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Gia Lai",
    "Hà Giang",
    "Hà Nam",
    "Hà Tĩnh",
    "Hải Dương",
    "Hậu Giang",
    "Hòa Bình",
    "Hưng Yên",
    "Khánh Hòa",
    "Kiên Giang",
    "Kon Tum",
    "Lai Châu",
    "Lâm Đồng",
    "Lạng Sơn",
    "Lào Cai",
    "Long An",
    "Nam Định",
    "Nghệ An",
    "Ninh Bình",
    "Ninh Thuận",
    "Phú Thọ",
    "Phú Yên",
    "Quảng Bình",
    "Quảng Nam",
    "Quảng Ngãi",
    "Quảng Ninh",
    "Quảng Trị",
    "Sóc Trăng",
    "Sơn La",
    "Tây Ninh",
    "Thái Bình",
    "Thái Nguyên",
    "Thanh Hóa",
    "Thừa Thiên Huế",
    "Tiền Giang",
    "Trà Vinh",
    "Tuyên Quang",
    "Vĩnh Long",
    "Vĩnh Phúc",
    "Yên Bái",
];
const GATES: [&str; 24] = [
    "Móng Cái",
    "Hữu Nghị",
    "Tân Thanh",
    "Chi Ma",
    "Cầu Treo",
    "Lao Bảo",
    "Cha Lo",
    "Bờ Y",
    "Mộc Bài",
    "Xa Mát",
    "Hoa Lư",
    "Tịnh Biên",
    "Vĩnh Xương",
    "Cát Lái",
    "Nội Bài",
    "Tân Sơn Nhất",
    "Cái Mép",
    "Đình Vũ",
    "Chân Mây",
    "Dung Quất",
    "Cam Ranh",
    "Phú Quốc",
    "Vũng Áng",
    "Nghi Sơn",
];
const PARENT_KINDS: [&str; 5] = [
    "Cục Hải quan tỉnh",
    "Cục Thuế tỉnh",
    "Kho bạc Nhà nước tỉnh",
    "Sở Tài chính tỉnh",
    "Bảo hiểm xã hội tỉnh",
];
const CHILD_KINDS: [&str; 6] = [
    "Chi cục Hải quan Cửa khẩu",
    "Đội Kiểm soát Hải quan",
    "Chi cục Thuế khu vực",
    "Phòng Giao dịch Kho bạc",
    "Chi cục Kiểm tra sau thông quan",
    "Trung tâm Dịch vụ hành chính công",
];
const PLEDGES: [&str; 5] = [
    "Phấn đấu hoàn thành xuất sắc nhiệm vụ, vượt tối thiểu 5% dự toán thu được giao.",
    "Giảm thời gian giải quyết thủ tục hành chính, không để xảy ra sai phạm nghiêm trọng.",
    "100% cán bộ, công chức đăng ký thi đua; không có cá nhân vi phạm kỷ luật.",
    "Hoàn thành đúng hạn chương trình công tác; đẩy mạnh chuyển đổi số toàn diện.",
    "Giữ vững danh hiệu tập thể lao động xuất sắc; nhân rộng điển hình tiên tiến.",
];

// ---------------------------------------------------------------------------------------------
// The scoring table

#[derive(Clone, Copy)]
enum Method {
    Assessed,
    Proportional { target: &'static str, cap: Option<&'static str> },
    Inverse { target: &'static str, cap: Option<&'static str> },
    PassFail,
    BandsMin(&'static [(&'static str, &'static str)]),
    BandsMax(&'static [(&'static str, &'static str)]),
    PerItem { per: &'static str },
}

#[derive(Clone, Copy)]
enum Step {
    Tenths,
    Halves,
    Whole,
}

/// One criterion, and how its synthetic values are drawn: a value between `lo` and `hi`,
/// placed by the unit's quality (reversed when lower is better), rounded to `step`; with
/// probability `zero` the value is 0 instead.
struct Crit {
    id: &'static str,
    title: &'static str,
    max: &'static str,
    unit: Option<&'static str>,
    method: Method,
    lo: f64,
    hi: f64,
    step: Step,
    higher_better: bool,
    zero: f64,
}

struct Group {
    id: &'static str,
    title: &'static str,
    description: Option<&'static str>,
    criteria: &'static [Crit],
}

macro_rules! crit {
    ($id:expr, $title:expr, $max:expr, $unit:expr, $method:expr, $lo:expr, $hi:expr, $step:ident, $hb:expr) => {
        crit!($id, $title, $max, $unit, $method, $lo, $hi, $step, $hb, 0.0)
    };
    ($id:expr, $title:expr, $max:expr, $unit:expr, $method:expr, $lo:expr, $hi:expr, $step:ident, $hb:expr, $zero:expr) => {
        Crit {
            id: $id,
            title: $title,
            max: $max,
            unit: $unit,
            method: $method,
            lo: $lo,
            hi: $hi,
            step: Step::$step,
            higher_better: $hb,
            zero: $zero,
        }
    };
}

use Method::*;

const GROUPS: [Group; 5] = [
    Group {
        id: "A",
        title: "Thực hiện nhiệm vụ chuyên môn",
        description: Some("25 điểm; tiêu chí A1 được tính thêm khi vượt dự toán, tối đa 120%."),
        criteria: &[
            crit!(
                "A1",
                "Hoàn thành dự toán thu ngân sách nhà nước",
                "6",
                Some("%"),
                Proportional { target: "100", cap: Some("1.2") },
                70.0,
                130.0,
                Tenths,
                true
            ),
            crit!(
                "A2",
                "Thời gian giải quyết thủ tục hành chính bình quân",
                "4",
                Some("giờ"),
                Inverse { target: "8", cap: None },
                5.0,
                14.0,
                Tenths,
                false
            ),
            crit!(
                "A3",
                "Tỷ lệ hồ sơ xử lý trên môi trường điện tử",
                "4",
                Some("%"),
                BandsMin(&[("0", "1"), ("60", "2"), ("80", "3"), ("95", "4")]),
                45.0,
                100.0,
                Tenths,
                true
            ),
            crit!(
                "A4",
                "Thực hiện chương trình công tác trọng tâm",
                "5",
                None,
                Assessed,
                2.5,
                5.0,
                Halves,
                true
            ),
            crit!(
                "A5",
                "Sai sót nghiệp vụ bị phát hiện qua kiểm tra",
                "3",
                Some("vụ"),
                BandsMax(&[("0", "3"), ("2", "2"), ("5", "1")]),
                0.0,
                7.0,
                Whole,
                false
            ),
            crit!(
                "A6",
                "Cuộc kiểm tra sau thông quan, thu hồi nợ thuế",
                "3",
                Some("cuộc"),
                PerItem { per: "0.5" },
                0.0,
                8.0,
                Whole,
                true
            ),
        ],
    },
    Group {
        id: "B",
        title: "Cải cách hành chính và hiện đại hóa",
        description: None,
        criteria: &[
            crit!(
                "B1",
                "Dịch vụ công trực tuyến toàn trình",
                "4",
                Some("%"),
                Proportional { target: "90", cap: None },
                55.0,
                100.0,
                Tenths,
                true
            ),
            crit!(
                "B2",
                "Mức độ hài lòng của người dân, doanh nghiệp",
                "4",
                Some("%"),
                BandsMin(&[("70", "1"), ("80", "2"), ("90", "3"), ("95", "4")]),
                62.0,
                100.0,
                Tenths,
                true
            ),
            crit!(
                "B3",
                "Thời gian phản hồi kiến nghị của doanh nghiệp",
                "3",
                Some("ngày"),
                Inverse { target: "5", cap: Some("1.2") },
                2.5,
                9.0,
                Tenths,
                false
            ),
            crit!(
                "B4",
                "Công khai thủ tục hành chính đầy đủ, đúng hạn",
                "3",
                None,
                PassFail,
                0.0,
                1.0,
                Whole,
                true
            ),
            crit!(
                "B5",
                "Ứng dụng công nghệ thông tin trong quản lý, điều hành",
                "4",
                None,
                Assessed,
                1.5,
                4.0,
                Halves,
                true
            ),
            crit!(
                "B6",
                "Sáng kiến cải cách hành chính được áp dụng",
                "3",
                Some("sáng kiến"),
                PerItem { per: "1" },
                0.0,
                4.0,
                Whole,
                true
            ),
        ],
    },
    Group {
        id: "C",
        title: "Xây dựng lực lượng",
        description: Some("Kỷ luật, kỷ cương, đào tạo và chất lượng đội ngũ."),
        criteria: &[
            crit!(
                "C1",
                "Chấp hành kỷ luật, kỷ cương hành chính",
                "4",
                None,
                Assessed,
                2.0,
                4.0,
                Halves,
                true
            ),
            crit!(
                "C2",
                "Lớp đào tạo, bồi dưỡng nghiệp vụ do đơn vị tổ chức",
                "3",
                Some("lớp"),
                PerItem { per: "0.5" },
                0.0,
                9.0,
                Whole,
                true
            ),
            crit!(
                "C3",
                "CBCC được đánh giá hoàn thành tốt nhiệm vụ trở lên",
                "4",
                Some("%"),
                Proportional { target: "95", cap: None },
                75.0,
                100.0,
                Tenths,
                true
            ),
            crit!(
                "C4",
                "Tổ chức Đảng, đoàn thể trong sạch, vững mạnh",
                "3",
                None,
                PassFail,
                0.0,
                1.0,
                Whole,
                true
            ),
            crit!(
                "C5",
                "Tỷ lệ nghỉ việc, chuyển công tác ngoài kế hoạch",
                "2",
                Some("%"),
                Inverse { target: "3", cap: None },
                1.0,
                7.0,
                Tenths,
                false,
                0.05
            ),
            crit!(
                "C6",
                "Số giờ học tập bình quân mỗi CBCC",
                "3",
                Some("giờ"),
                BandsMin(&[("10", "1"), ("20", "2"), ("40", "3")]),
                5.0,
                55.0,
                Tenths,
                true
            ),
        ],
    },
    Group {
        id: "D",
        title: "Kiểm tra, giám sát và phòng, chống vi phạm",
        description: None,
        criteria: &[
            crit!(
                "D1",
                "Vụ vi phạm được phát hiện, xử lý",
                "4",
                Some("vụ"),
                PerItem { per: "0.25" },
                0.0,
                20.0,
                Whole,
                true
            ),
            crit!(
                "D2",
                "Số thu từ xử lý vi phạm so với kế hoạch",
                "3",
                Some("%"),
                Proportional { target: "100", cap: Some("1.2") },
                50.0,
                140.0,
                Tenths,
                true,
                0.03
            ),
            crit!(
                "D3",
                "Đơn thư khiếu nại, tố cáo tồn đọng",
                "3",
                Some("đơn"),
                BandsMax(&[("0", "3"), ("1", "2"), ("3", "1")]),
                0.0,
                5.0,
                Whole,
                false
            ),
            crit!(
                "D4",
                "Phối hợp liên ngành trong kiểm tra, giám sát",
                "3",
                None,
                Assessed,
                1.0,
                3.0,
                Halves,
                true
            ),
            crit!(
                "D5",
                "Thực hiện kết luận thanh tra, kiểm toán đúng hạn",
                "3",
                None,
                PassFail,
                0.0,
                1.0,
                Whole,
                true
            ),
            crit!(
                "D6",
                "Thời gian xử lý vụ việc bình quân",
                "3",
                Some("ngày"),
                Inverse { target: "30", cap: None },
                18.0,
                60.0,
                Whole,
                false
            ),
        ],
    },
    Group {
        id: "E",
        title: "Công tác thi đua, khen thưởng",
        description: Some("Tổ chức phong trào, phát hiện và nhân rộng điển hình."),
        criteria: &[
            crit!(
                "E1",
                "Phát động, đăng ký và ký kết giao ước thi đua đúng hạn",
                "3",
                None,
                PassFail,
                0.0,
                1.0,
                Whole,
                true
            ),
            crit!("E2", "Chất lượng tổ chức phong trào thi đua", "5", None, Assessed, 2.5, 5.0, Halves, true),
            crit!(
                "E3",
                "Điển hình tiên tiến được biểu dương, nhân rộng",
                "3",
                Some("điển hình"),
                PerItem { per: "1" },
                0.0,
                4.0,
                Whole,
                true
            ),
            crit!(
                "E4",
                "Báo cáo thi đua gửi đúng hạn",
                "2",
                Some("%"),
                Proportional { target: "100", cap: None },
                70.0,
                100.0,
                Whole,
                true
            ),
            crit!(
                "E5",
                "Tin, bài tuyên truyền về phong trào thi đua",
                "2",
                Some("tin, bài"),
                BandsMin(&[("5", "1"), ("10", "2")]),
                0.0,
                15.0,
                Whole,
                true
            ),
            crit!(
                "E6",
                "Đánh giá của Hội đồng Thi đua - Khen thưởng",
                "5",
                None,
                Assessed,
                2.0,
                5.0,
                Halves,
                true
            ),
        ],
    },
];

/// Bonus and penalty items: (id, title, points, max).
const BONUS: [(&str, &str, &str, Option<&str>); 3] = [
    ("sang-kien", "Sáng kiến được Hội đồng sáng kiến cấp Bộ công nhận", "1", Some("3")),
    ("vu-viec-xuat-sac", "Phát hiện, xử lý vụ việc lớn được Bộ biểu dương", "1.5", Some("3")),
    ("ho-tro-dia-phuong", "Tham gia hỗ trợ địa phương khắc phục thiên tai", "0.5", None),
];
const BONUS_MAX: &str = "5";
const PENALTIES: [(&str, &str, &str, Option<&str>); 3] = [
    ("vi-pham-ky-luat", "CBCC bị xử lý kỷ luật từ mức khiển trách trở lên", "2", None),
    ("cham-bao-cao", "Báo cáo thi đua, khen thưởng gửi chậm", "0.5", Some("2")),
    ("khieu-nai-dung", "Khiếu nại, tố cáo đúng hoặc đúng một phần", "1", None),
];
const PENALTIES_MAX: &str = "6";

/// A criterion with its numbers parsed, for scoring.
struct Scored {
    max: Decimal,
    target: Option<Decimal>,
    cap: Decimal,
    per: Decimal,
    bands: Vec<(Decimal, Decimal)>,
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("a literal decimal")
}

fn round(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(PRECISION, RoundingStrategy::MidpointAwayFromZero)
}

fn all_criteria() -> Vec<&'static Crit> {
    GROUPS.iter().flat_map(|g| g.criteria.iter()).collect()
}

fn scored(c: &Crit) -> Scored {
    let (target, cap, per, bands) = match c.method {
        Proportional { target, cap } | Inverse { target, cap } => {
            (Some(dec(target)), dec(cap.unwrap_or("1")), Decimal::ZERO, vec![])
        }
        PerItem { per } => (None, Decimal::ONE, dec(per), vec![]),
        BandsMin(b) | BandsMax(b) => {
            (None, Decimal::ONE, Decimal::ZERO, b.iter().map(|(x, p)| (dec(x), dec(p))).collect())
        }
        Assessed | PassFail => (None, Decimal::ONE, Decimal::ZERO, vec![]),
    };
    Scored { max: dec(c.max), target, cap, per, bands }
}

#[derive(Clone, Copy)]
enum Val {
    /// A non-negative number in tenths.
    Num(i64),
    Bool(bool),
}

/// Points of one criterion per SPEC §4, rounded once.
fn points(c: &Crit, s: &Scored, v: Val, target_override: Option<i64>) -> Decimal {
    let a = match v {
        Val::Bool(b) => return if b { s.max } else { Decimal::ZERO },
        Val::Num(t) => Decimal::new(t, 1),
    };
    let t = target_override.map(|t| Decimal::new(t, 1)).or(s.target);
    let m = s.max;
    let p = match c.method {
        Assessed => a,
        Proportional { .. } => {
            let t = t.expect("target");
            if a <= s.cap * t { m * a / t } else { m * s.cap }
        }
        Inverse { .. } => {
            let t = t.expect("target");
            if a.is_zero() || t > s.cap * a { m * s.cap } else { m * t / a }
        }
        PassFail => unreachable!("pass_fail values are booleans"),
        BandsMin(_) => {
            s.bands.iter().filter(|(x, _)| *x <= a).max_by_key(|(x, _)| *x).map_or(Decimal::ZERO, |b| b.1)
        }
        BandsMax(_) => {
            s.bands.iter().filter(|(x, _)| *x >= a).min_by_key(|(x, _)| *x).map_or(Decimal::ZERO, |b| b.1)
        }
        PerItem { .. } => (a * s.per).min(m),
    };
    round(p)
}

/// Bonus or penalty points: each item `count * points` capped by its max and rounded, the sum
/// capped by `max` and rounded.
fn items_points(items: &[(&str, &str, &str, Option<&str>)], counts: &[u32], max: &str) -> Decimal {
    let mut sum = Decimal::ZERO;
    for ((_, _, pts, cap), &n) in items.iter().zip(counts) {
        if n == 0 {
            continue;
        }
        let mut p = Decimal::from(n) * dec(pts);
        if let Some(cap) = cap {
            p = p.min(dec(cap));
        }
        sum += round(p);
    }
    round(sum.min(dec(max)))
}

// ---------------------------------------------------------------------------------------------
// Random numbers

struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next_u64();
        r
    }
    /// splitmix64
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in 0..n (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }
    /// Uniform in lo..=hi.
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below((hi - lo + 1) as usize) as u32
    }
    fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    /// A small count: 0 with probability `1 - p`, else 1..=max.
    fn count(&mut self, p: f64, max: u32) -> u32 {
        if self.chance(p) { self.range(1, max) } else { 0 }
    }
}

// ---------------------------------------------------------------------------------------------
// Text helpers

fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in deunicode::deunicode(s).chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// A slug cut to at most `max` bytes at a word boundary.
fn short_slug(s: &str, max: usize) -> String {
    let mut slug = slugify(s);
    if slug.len() > max {
        let cut = slug[..max].rfind('-').unwrap_or(max);
        slug.truncate(cut);
    }
    slug
}

/// Tenths as a decimal number with `.` (content, CSV): 1046 -> "104.6", 50 -> "5".
fn tenths(t: i64) -> String {
    if t % 10 == 0 { format!("{}", t / 10) } else { format!("{}.{}", t / 10, (t % 10).abs()) }
}

/// Tenths with a decimal comma (Vietnamese prose).
fn tenths_vi(t: i64) -> String {
    tenths(t).replace('.', ",")
}

/// Month and day of a 1-based day of 2024 (a leap year).
fn date_of(mut day: u32) -> String {
    const DAYS: [u32; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    day = day.clamp(1, 366);
    let mut month = 0;
    while day > DAYS[month] {
        day -= DAYS[month];
        month += 1;
    }
    format!("{YEAR}-{:02}-{:02}", month + 1, day)
}

fn val_text(v: Val) -> String {
    match v {
        Val::Num(t) => tenths(t),
        Val::Bool(b) => b.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Arguments

struct Args {
    units: usize,
    out: PathBuf,
    seed: u64,
    hugo: Option<PathBuf>,
    hugo_templates: PathBuf,
    news: usize,
    agreements: usize,
}

const USAGE: &str = "usage: synth --units N --out DIR [--seed S] [--hugo DIR2] [--hugo-templates DIR] \
[--news 200] [--agreements 50]";

fn parse_args() -> Res<Args> {
    let mut args = Args {
        units: 0,
        out: PathBuf::new(),
        seed: 1,
        hugo: None,
        hugo_templates: Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/hugo-site"),
        news: 200,
        agreements: 50,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--units" => args.units = value.parse()?,
            "--out" => args.out = value.into(),
            "--seed" => args.seed = value.parse()?,
            "--hugo" => args.hugo = Some(value.into()),
            "--hugo-templates" => args.hugo_templates = value.into(),
            "--news" => args.news = value.parse()?,
            "--agreements" => args.agreements = value.parse()?,
            _ => return Err(format!("unknown argument {flag}\n{USAGE}").into()),
        }
    }
    if args.units == 0 || args.out.as_os_str().is_empty() {
        return Err(USAGE.into());
    }
    Ok(args)
}

fn main() {
    if let Err(e) = run() {
        eprintln!("synth: {e}");
        std::process::exit(2);
    }
}

// ---------------------------------------------------------------------------------------------
// Units

/// What news and agreements need to know of a unit.
struct UnitInfo {
    id: String,
    name: String,
    cluster: usize,
}

/// One unit's results in one period.
struct PeriodResult {
    vals: Vec<Val>,
    bonus: [u32; 3],
    penalties: [u32; 3],
    revenue: i64,
    late_reports: u32,
    initiatives: u32,
}

struct Registration {
    date: String,
    pledge: &'static str,
    /// (criterion index, target in tenths)
    targets: Vec<(usize, i64)>,
    seeks: Vec<&'static str>,
    staff: u32,
}

fn cluster_id(c: usize) -> String {
    format!("cum-{:02}", c + 1)
}

fn gen_value(c: &Crit, q: f64, rng: &mut Rng) -> Val {
    if let PassFail = c.method {
        return Val::Bool(rng.chance(0.72 + 0.27 * q));
    }
    if c.zero > 0.0 && rng.chance(c.zero) {
        return Val::Num(0);
    }
    let x = if c.higher_better { q } else { 1.0 - q };
    let x = (x + (rng.f64() - 0.5) * 0.35).clamp(0.0, 1.0);
    let v = c.lo + (c.hi - c.lo) * x;
    let t = match c.step {
        Step::Tenths => (v * 10.0).round() as i64,
        Step::Halves => (v * 2.0).round() as i64 * 5,
        Step::Whole => v.round() as i64 * 10,
    };
    Val::Num(t.clamp((c.lo * 10.0).round() as i64, (c.hi * 10.0).round() as i64))
}

const INTRO: [&str; 6] = [
    "{ten} là đơn vị thuộc {cum}, có {hc} cán bộ, công chức, viên chức và người lao động làm việc tại trụ sở chính và các bộ phận trực thuộc.",
    "Năm {nam}, đơn vị triển khai phong trào thi đua ngay từ đầu năm với chủ đề “Kỷ cương, liêm chính, hành động, trách nhiệm, hiệu quả”.",
    "Ngay sau khi cấp trên phát động, đơn vị đã tổ chức hội nghị cán bộ, công chức, ký cam kết thi đua đến từng phòng, đội và từng cá nhân.",
    "Ban Chỉ đạo thi đua của đơn vị họp định kỳ hằng quý để rà soát tiến độ thực hiện các chỉ tiêu đã đăng ký và kịp thời tháo gỡ vướng mắc.",
    "Lãnh đạo đơn vị xác định thi đua là động lực trực tiếp để hoàn thành nhiệm vụ chính trị được giao, gắn kết quả thi đua với đánh giá cán bộ.",
    "Trong bối cảnh khối lượng công việc tăng nhanh, tập thể {ten} vẫn đoàn kết, chủ động khắc phục khó khăn và duy trì nề nếp làm việc khoa học.",
];
const RESULTS: [&str; 8] = [
    "Số thu ngân sách nhà nước đạt {pct}% dự toán được giao, tăng {n}% so với cùng kỳ năm trước.",
    "Thời gian giải quyết thủ tục hành chính bình quân giảm còn {h} giờ, rút ngắn {n}% so với năm trước.",
    "Tỷ lệ hồ sơ được tiếp nhận và xử lý trên môi trường điện tử đạt {pct}%.",
    "Tổ chức {n} lớp bồi dưỡng nghiệp vụ cho {m} lượt cán bộ, công chức.",
    "Phát hiện, xử lý {n} vụ vi phạm, thu nộp ngân sách {m} triệu đồng.",
    "**{n} sáng kiến**, giải pháp cải tiến lề lối làm việc được Hội đồng sáng kiến công nhận.",
    "Không có cán bộ, công chức vi phạm kỷ luật; không có đơn thư khiếu nại, tố cáo kéo dài.",
    "Mức độ hài lòng của người dân và doanh nghiệp đạt {pct}% theo kết quả khảo sát độc lập.",
];
const MIDDLE: [&str; 6] = [
    "Bên cạnh những kết quả đạt được, đơn vị vẫn còn một số hạn chế như việc ứng dụng công nghệ thông tin ở một số khâu chưa đồng bộ, công tác phối hợp với các lực lượng chức năng trên địa bàn có lúc chưa chặt chẽ.",
    "Nguyên nhân chủ yếu là khối lượng công việc tăng nhanh trong khi biên chế không đổi, một số hệ thống phần mềm nghiệp vụ còn phải vận hành song song.",
    "Đơn vị đã kịp thời rút kinh nghiệm, điều chỉnh phân công nhiệm vụ và tăng cường kiểm tra nội bộ, không để tồn đọng hồ sơ quá hạn.",
    "Các phong trào thi đua chuyên đề như “Ngày thứ Bảy tình nguyện”, “Chung tay vì người nghèo” được đông đảo cán bộ, công chức hưởng ứng.",
    "Công tác phát hiện, bồi dưỡng và nhân rộng điển hình tiên tiến được quan tâm, với {n} tập thể và {m} cá nhân được biểu dương trong năm.",
    "Công đoàn và Đoàn Thanh niên phối hợp tổ chức nhiều hoạt động văn hóa, thể thao, tạo không khí thi đua sôi nổi trong toàn đơn vị.",
];
const OUTLOOK: [&str; 5] = [
    "Năm tới, {ten} tiếp tục đẩy mạnh cải cách thủ tục hành chính, hiện đại hóa và chuyển đổi số toàn diện.",
    "Đơn vị phấn đấu hoàn thành vượt mức các chỉ tiêu được giao, giữ vững danh hiệu đơn vị hoàn thành xuất sắc nhiệm vụ.",
    "Đơn vị sẽ tăng cường phối hợp với các đơn vị trong {cum} để trao đổi kinh nghiệm, học tập lẫn nhau.",
    "Công tác thi đua, khen thưởng sẽ được gắn chặt với đánh giá, xếp loại cán bộ, công chức hằng quý.",
    "Đơn vị kiến nghị cấp trên tiếp tục quan tâm đầu tư trang thiết bị kiểm tra, giám sát hiện đại cho các địa bàn trọng điểm.",
];

fn fill(template: &str, unit: &UnitInfo, headcount: u32, rng: &mut Rng) -> String {
    let mut s = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        s.push_str(&rest[..i]);
        let end = rest[i..].find('}').expect("closed placeholder") + i;
        match &rest[i + 1..end] {
            "ten" => s.push_str(&unit.name),
            "cum" => s.push_str(CLUSTER_TITLES[unit.cluster]),
            "hc" => write!(s, "{headcount}").unwrap(),
            "nam" => write!(s, "{YEAR}").unwrap(),
            "pct" => s.push_str(&tenths_vi(rng.range(850, 1150) as i64)),
            "h" => s.push_str(&tenths_vi(rng.range(40, 120) as i64)),
            "n" => write!(s, "{}", rng.range(2, 15)).unwrap(),
            "m" => write!(s, "{}", rng.range(20, 400)).unwrap(),
            other => panic!("unknown placeholder {other}"),
        }
        rest = &rest[end + 1..];
    }
    s.push_str(rest);
    s
}

/// About 300 words of Markdown narrative.
fn narrative(unit: &UnitInfo, headcount: u32, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(2600);
    let mut words = 0;
    let sentence = |out: &mut String, t: &str, rng: &mut Rng| -> usize {
        let s = fill(t, unit, headcount, rng);
        out.push_str(&s);
        s.split_whitespace().count()
    };
    // At least `min` sentences of `list` from a random start, then more while the narrative
    // is under `until` words.
    let paragraph =
        |out: &mut String, list: &[&str], rng: &mut Rng, words: &mut usize, min: usize, until: usize| {
            let start = rng.below(list.len());
            let mut k = 0;
            while k < min || (*words < until && k < list.len()) {
                if k > 0 {
                    out.push(' ');
                }
                *words += sentence(out, list[(start + k) % list.len()], rng);
                k += 1;
            }
        };
    paragraph(&mut out, &INTRO, rng, &mut words, 3, 0);
    out.push_str("\n\n### Kết quả nổi bật\n\n");
    let start = rng.below(RESULTS.len());
    for k in 0..4 {
        out.push_str("- ");
        words += sentence(&mut out, RESULTS[(start + k) % RESULTS.len()], rng);
        out.push('\n');
    }
    if rng.chance(0.2) {
        write!(
            out,
            "\n| Chỉ tiêu | Kế hoạch | Thực hiện |\n|---|---:|---:|\n| Thu ngân sách (tỷ đồng) | {} | {} |\n| Hồ sơ điện tử (%) | 90 | {} |\n",
            rng.range(100, 5000),
            rng.range(100, 5500),
            tenths_vi(rng.range(850, 1000) as i64)
        )
        .unwrap();
    }
    out.push('\n');
    paragraph(&mut out, &MIDDLE, rng, &mut words, 2, 230);
    out.push_str("\n\n### Phương hướng\n\n");
    paragraph(&mut out, &OUTLOOK, rng, &mut words, 2, 290);
    out.push('\n');
    out
}

// ---------------------------------------------------------------------------------------------
// The site

fn create(path: &Path) -> Res<BufWriter<fs::File>> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    Ok(BufWriter::with_capacity(1 << 16, fs::File::create(path)?))
}

fn write_file(path: &Path, text: &str) -> Res<()> {
    fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()).into())
}

fn remove_dir(path: &Path) -> Res<()> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(format!("{}: {e}", path.display()).into()),
        _ => Ok(()),
    }
}

fn campaign_yaml(n: usize) -> String {
    let mut s = String::with_capacity(8192);
    s.push_str(
        "# Synthetic campaign written by examples/synth.rs (podium benchmarks).\n\
title: \"Phong trào thi đua yêu nước năm 2024 (dữ liệu tổng hợp)\"\n\
motto: \"Kỷ cương, liêm chính, hành động, trách nhiệm, hiệu quả\"\n\
organizer: \"Bộ Tài chính\"\n\
description: |\n  Dữ liệu tổng hợp, sinh tự động để đo hiệu năng của podium: các đơn vị, kết quả và tin tức\n  đều là giả định.\n\
language: vi\nstart: 2024-01-01\nend: 2024-12-31\nprecision: 2\ntie_break: [A1, A4]\n\n\
site:\n  base_url: \"https://example.org/thi-dua-2024/\"\n  theme: default\n  menu:\n    - {title: \"Quy chế thi đua\", url: \"/quy-che/\"}\n  allow_html: false\n  current_period: q4\n\n",
    );
    s.push_str("periods:\n");
    for (id, title, start, end, _) in PERIODS {
        writeln!(s, "  - {{id: {id}, title: \"{title}\", start: {start}, end: {end}}}").unwrap();
    }
    s.push_str("\nclusters:\n");
    for (c, title) in CLUSTER_TITLES.iter().enumerate() {
        writeln!(s, "  - id: {}\n    title: \"{title}\"", cluster_id(c)).unwrap();
        if c % 3 == 0 {
            writeln!(s, "    description: \"Cụm số {}: các đơn vị có đặc điểm nhiệm vụ tương đồng.\"", c + 1)
                .unwrap();
        }
    }
    s.push_str("\ntiers:\n");
    for (id, title, min) in TIERS {
        writeln!(s, "  - {{id: {id}, title: \"{title}\", min_score: {min}}}").unwrap();
    }
    write!(
        s,
        "
indicators:
  - {{id: units-registered, title: \"Đơn vị đăng ký thi đua\", share_of_units: registered, target: 100, unit: \"%\"}}
  - {{id: units-reported, title: \"Đơn vị gửi báo cáo kết quả\", share_of_units: reported, target: 100, unit: \"%\"}}
  - id: staff-registered
    title: \"CBCC đăng ký thi đua\"
    ratio: {{sum: staff_registered, over: headcount}}
    target: 98
    unit: \"%\"
    description: \"Tỷ lệ cán bộ, công chức, viên chức, người lao động đăng ký thi đua.\"
  - {{id: units-initiatives, title: \"Đơn vị có sáng kiến trong kỳ\", share_of_units: initiatives, target: 50, unit: \"%\"}}
  - {{id: revenue, title: \"Số thu ngân sách nhà nước\", sum: revenue, target: {}, unit: \"tỷ đồng\"}}
  - {{id: late-reports, title: \"Lượt báo cáo gửi chậm\", sum: late_reports, target: {}, lower_is_better: true, unit: \"lượt\"}}

awards:
  - id: co-thi-dua
    title: \"Cờ thi đua của Bộ Tài chính\"
    scope: cluster
    quota: 1
    min_score: 85
    description: \"Mỗi cụm, khối thi đua suy tôn một đơn vị dẫn đầu.\"
  - id: tap-the-lao-dong-xuat-sac
    title: \"Tập thể lao động xuất sắc\"
    scope: overall
    quota: \"15%\"
    min_tier: xuat-sac
  - id: bang-khen
    title: \"Bằng khen của Bộ trưởng\"
    scope: overall
    top: 10
    min_tier: tot
    requires_seeking: true
  - id: giay-khen-6-thang
    title: \"Giấy khen sơ kết 6 tháng\"
    period: q2
    quota: \"5.5%\"
    min_score: 80
",
        n * 1300,
        n.div_ceil(4)
    )
    .unwrap();
    s
}

fn criteria_yaml() -> String {
    let mut s = String::with_capacity(8192);
    s.push_str(
        "# Synthetic scoring table written by examples/synth.rs: 30 criteria, every method.\ngroups:\n",
    );
    for g in &GROUPS {
        writeln!(s, "  - id: {}\n    title: \"{}\"", g.id, g.title).unwrap();
        if let Some(d) = g.description {
            writeln!(s, "    description: \"{d}\"").unwrap();
        }
        s.push_str("    criteria:\n");
        for c in g.criteria {
            writeln!(s, "      - id: \"{}\"\n        title: \"{}\"\n        max: {}", c.id, c.title, c.max)
                .unwrap();
            let method = match c.method {
                Assessed => "assessed",
                Proportional { .. } => "proportional",
                Inverse { .. } => "inverse",
                PassFail => "pass_fail",
                BandsMin(_) | BandsMax(_) => "bands",
                PerItem { .. } => "per_item",
            };
            writeln!(s, "        method: {method}").unwrap();
            if let Some(u) = c.unit {
                writeln!(s, "        unit: \"{u}\"").unwrap();
            }
            match c.method {
                Proportional { target, cap } | Inverse { target, cap } => {
                    writeln!(s, "        target: {target}").unwrap();
                    if let Some(cap) = cap {
                        writeln!(s, "        cap: {cap}").unwrap();
                    }
                }
                PerItem { per } => writeln!(s, "        per: {per}").unwrap(),
                BandsMin(bands) | BandsMax(bands) => {
                    let key = if matches!(c.method, BandsMin(_)) { "min" } else { "max" };
                    s.push_str("        bands:\n");
                    for (x, p) in bands {
                        writeln!(s, "          - {{{key}: {x}, points: {p}}}").unwrap();
                    }
                }
                Assessed | PassFail => {}
            }
        }
    }
    for (key, items, max) in [("bonus", &BONUS, BONUS_MAX), ("penalties", &PENALTIES, PENALTIES_MAX)] {
        writeln!(s, "\n{key}:\n  max: {max}\n  items:").unwrap();
        for (id, title, points, cap) in items {
            write!(s, "    - {{id: {id}, title: \"{title}\", points: {points}").unwrap();
            if let Some(cap) = cap {
                write!(s, ", max: {cap}").unwrap();
            }
            s.push_str("}\n");
        }
    }
    s
}

const HOME: &str = "---\ntitle: \"Phong trào thi đua năm 2024\"\n---\n\
Hưởng ứng phong trào thi đua yêu nước, toàn ngành phát động thi đua hoàn thành xuất sắc nhiệm vụ năm 2024.\n\n\
Các đơn vị đăng ký thi đua, xây dựng chỉ tiêu cụ thể, ký kết giao ước thi đua trong cụm, khối và báo cáo kết quả\n\
hằng quý theo bảng tiêu chí chung. *Dữ liệu trên trang này là dữ liệu tổng hợp dùng để đo hiệu năng.*\n";
const PAGE_RULES: &str = "---\ntitle: \"Quy chế thi đua\"\nweight: 1\n---\n\
## Nguyên tắc\n\n1. Tự nguyện, tự giác, công khai.\n2. Đoàn kết, hợp tác và cùng phát triển.\n3. Bảo đảm chính xác, công khai, công bằng, kịp thời.\n\n\
## Chấm điểm\n\nĐiểm của đơn vị là tổng điểm các tiêu chí cộng điểm thưởng, trừ điểm phạt, làm tròn đến hai chữ số thập phân.\n";
const PAGE_ABOUT: &str = "---\ntitle: \"Giới thiệu\"\nweight: 2\n---\n\
Trang tổng hợp kết quả thi đua của các đơn vị trong toàn ngành, sinh bằng podium từ dữ liệu tổng hợp.\n";

/// Writes one unit's front matter field `results:` entry for one period.
fn fm_period(s: &mut String, period: &str, r: &PeriodResult, crits: &[&Crit], extra: &str) {
    writeln!(s, "  {period}:").unwrap();
    for (c, v) in crits.iter().zip(&r.vals) {
        writeln!(s, "    {}: {}", c.id, val_text(*v)).unwrap();
    }
    for (key, items, counts) in [("bonus", &BONUS, &r.bonus), ("penalties", &PENALTIES, &r.penalties)] {
        if counts.iter().any(|&n| n > 0) {
            write!(s, "    {key}: {{").unwrap();
            let mut first = true;
            for ((id, ..), &n) in items.iter().zip(counts) {
                if n > 0 {
                    write!(s, "{}{id}: {n}", if first { "" } else { ", " }).unwrap();
                    first = false;
                }
            }
            s.push_str("}\n");
        }
    }
    writeln!(
        s,
        "    metrics: {{revenue: {}, late_reports: {}, initiatives: {}}}",
        tenths(r.revenue),
        r.late_reports,
        r.initiatives
    )
    .unwrap();
    s.push_str(extra);
}

fn csv_header(crits: &[&Crit]) -> String {
    let mut s = String::from("unit");
    for c in crits {
        write!(s, ",{}", c.id).unwrap();
    }
    for (id, ..) in BONUS {
        write!(s, ",bonus:{id}").unwrap();
    }
    for (id, ..) in PENALTIES {
        write!(s, ",penalty:{id}").unwrap();
    }
    s.push_str(",metric:revenue,metric:late_reports,metric:initiatives\n");
    s
}

fn csv_row(s: &mut String, unit: &str, r: &PeriodResult) {
    s.push_str(unit);
    for v in &r.vals {
        s.push(',');
        s.push_str(&val_text(*v));
    }
    for &n in r.bonus.iter().chain(&r.penalties) {
        s.push(',');
        if n > 0 {
            write!(s, "{n}").unwrap();
        }
    }
    writeln!(s, ",{},{},{}", tenths(r.revenue), r.late_reports, r.initiatives).unwrap();
}

fn copy_dir(from: &Path, to: &Path) -> Res<()> {
    fs::create_dir_all(to)?;
    let mut entries: Vec<_> =
        fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

fn run() -> Res<()> {
    generate_site(&parse_args()?)
}

/// Generates `units` units into `out` (no Hugo site): what the stage benchmarks call.
pub fn generate(units: usize, out: &Path, seed: u64) -> Res<()> {
    let args = Args {
        units,
        out: out.to_path_buf(),
        seed,
        hugo: None,
        hugo_templates: Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/hugo-site"),
        news: 200,
        agreements: 50,
    };
    generate_site(&args)
}

fn generate_site(args: &Args) -> Res<()> {
    let started = Instant::now();
    let n = args.units;
    let content = args.out.join("content");
    remove_dir(&content)?;
    for dir in ["units", "results", "news", "agreements", "pages"] {
        fs::create_dir_all(content.join(dir))?;
    }
    write_file(&content.join("campaign.yaml"), &campaign_yaml(n))?;
    write_file(&content.join("criteria.yaml"), &criteria_yaml())?;
    write_file(&content.join("index.md"), HOME)?;
    write_file(&content.join("pages/quy-che.md"), PAGE_RULES)?;
    write_file(&content.join("pages/gioi-thieu.md"), PAGE_ABOUT)?;

    let hugo = match &args.hugo {
        Some(dir) => {
            for sub in ["content", "layouts", "data"] {
                remove_dir(&dir.join(sub))?;
            }
            copy_dir(&args.hugo_templates.join("layouts"), &dir.join("layouts"))?;
            fs::copy(args.hugo_templates.join("hugo.toml"), dir.join("hugo.toml"))
                .map_err(|e| format!("{}: {e}", args.hugo_templates.join("hugo.toml").display()))?;
            fs::create_dir_all(dir.join("content/units"))?;
            fs::create_dir_all(dir.join("content/news"))?;
            fs::create_dir_all(dir.join("data"))?;
            Some(dir.clone())
        }
        None => None,
    };

    let crits = all_criteria();
    let scored: Vec<Scored> = crits.iter().map(|c| scored(c)).collect();
    let targeted: Vec<usize> = (0..crits.len())
        .filter(|&i| matches!(crits[i].method, Proportional { .. } | Inverse { .. }))
        .collect();

    let header = csv_header(&crits);
    let mut csvs = Vec::new();
    for (id, ..) in PERIODS {
        let mut w = create(&content.join(format!("results/{id}.csv")))?;
        w.write_all(header.as_bytes())?;
        csvs.push(w);
    }
    let mut expected = create(&args.out.join("synth-expected.csv"))?;
    let mut line = String::from("period,unit,total,bonus,penalty");
    for c in &crits {
        write!(line, ",{}", c.id).unwrap();
    }
    writeln!(expected, "{line}")?;

    let mut structure = Rng::new(args.seed, u64::MAX);
    let mut units: Vec<UnitInfo> = Vec::with_capacity(n);
    let mut parent: Option<usize> = None;
    let mut children_left = 0u32;
    let mut fm = String::with_capacity(16384);
    let mut hfm = String::with_capacity(32768);
    let mut row = String::with_capacity(512);

    for i in 0..n {
        let mut rng = Rng::new(args.seed, i as u64);
        // Hierarchy and cluster: a parent is followed by its 2..=4 children, in its cluster.
        let (my_parent, cluster, name) = if children_left > 0 {
            children_left -= 1;
            let p = parent.expect("a parent");
            let kind = structure.pick(&CHILD_KINDS);
            (Some(p), units[p].cluster, format!("{kind} {} {}", structure.pick(&GATES), i + 1))
        } else if i + 1 < n && structure.chance(0.14) {
            parent = Some(i);
            children_left = structure.range(2, 4).min((n - i - 1) as u32);
            let kind = structure.pick(&PARENT_KINDS);
            (None, structure.below(NUM_CLUSTERS), format!("{kind} {} {}", structure.pick(&PLACES), i + 1))
        } else {
            let kind = if structure.chance(0.5) {
                structure.pick(&CHILD_KINDS)
            } else {
                structure.pick(&PARENT_KINDS)
            };
            (None, structure.below(NUM_CLUSTERS), format!("{kind} {} {}", structure.pick(&PLACES), i + 1))
        };
        let unit = UnitInfo { id: slugify(&name), name, cluster };
        let is_parent = parent == Some(i);

        let headcount = if is_parent { rng.range(150, 900) } else { rng.range(15, 160) };
        let registration = rng.chance(0.95).then(|| {
            let mut targets = Vec::new();
            if rng.chance(0.2) {
                for _ in 0..rng.range(1, 2) {
                    let c = *rng.pick(&targeted);
                    if targets.iter().all(|&(k, _)| k != c) {
                        let base: f64 = match crits[c].method {
                            Proportional { target, .. } | Inverse { target, .. } => {
                                target.parse().expect("target")
                            }
                            _ => unreachable!("only criteria with a target are overridden"),
                        };
                        let t = (base * 10.0 * (0.9 + 0.25 * rng.f64())).round().max(1.0) as i64;
                        targets.push((c, t));
                    }
                }
            }
            let mut seeks = Vec::new();
            if rng.chance(0.4) {
                seeks.push("co-thi-dua");
            }
            if rng.chance(0.3) {
                seeks.push("bang-khen");
            }
            Registration {
                date: date_of(rng.range(5, 59)),
                pledge: PLEDGES[rng.below(PLEDGES.len())],
                targets,
                seeks,
                staff: headcount - rng.count(0.3, 3.min(headcount)),
            }
        });
        let quality = 0.05 + 0.9 * (rng.f64() + rng.f64() + rng.f64()) / 3.0;
        let results: Vec<PeriodResult> = (0..PERIODS.len())
            .map(|_| {
                let q = (quality + (rng.f64() - 0.5) * 0.2).clamp(0.0, 1.0);
                PeriodResult {
                    vals: crits.iter().map(|c| gen_value(c, q, &mut rng)).collect(),
                    bonus: [rng.count(0.15, 3), rng.count(0.05, 2), rng.count(0.1, 4)],
                    penalties: [rng.count(0.03, 1), rng.count(0.1, 5), rng.count(0.04, 2)],
                    revenue: rng.range(500, 20000) as i64 * if is_parent { 4 } else { 1 },
                    late_reports: rng.count(0.15, 2),
                    initiatives: rng.count(0.45, 3),
                }
            })
            .collect();

        // Scores (for the Hugo site and synth-expected.csv).
        let override_of =
            |c: usize| registration.as_ref().and_then(|r| r.targets.iter().find(|t| t.0 == c).map(|t| t.1));
        let mut totals = Vec::with_capacity(PERIODS.len());
        let mut all_points = Vec::with_capacity(PERIODS.len());
        for ((pid, ..), r) in PERIODS.iter().zip(&results) {
            let pts: Vec<Decimal> =
                (0..crits.len()).map(|c| points(crits[c], &scored[c], r.vals[c], override_of(c))).collect();
            let bonus = items_points(&BONUS, &r.bonus, BONUS_MAX);
            let penalty = items_points(&PENALTIES, &r.penalties, PENALTIES_MAX);
            let total = (pts.iter().sum::<Decimal>() + bonus - penalty).max(Decimal::ZERO);
            row.clear();
            write!(row, "{pid},{},{total:.2},{bonus:.2},{penalty:.2}", unit.id).unwrap();
            for p in &pts {
                write!(row, ",{p:.2}").unwrap();
            }
            row.push('\n');
            expected.write_all(row.as_bytes())?;
            totals.push((total, bonus, penalty));
            all_points.push(pts);
        }

        // Front matter.
        let folder = i % 40 == 0;
        fm.clear();
        writeln!(fm, "---\nname: \"{}\"", unit.name).unwrap();
        if is_parent {
            writeln!(fm, "short_name: \"{}\"", unit.name.replacen("tỉnh ", "", 1)).unwrap();
        }
        writeln!(fm, "cluster: {}", cluster_id(cluster)).unwrap();
        if let Some(p) = my_parent {
            writeln!(fm, "parent: {}", units[p].id).unwrap();
        }
        writeln!(fm, "headcount: {headcount}").unwrap();
        if let Some(r) = &registration {
            writeln!(fm, "registration:\n  date: {}\n  pledge: \"{}\"", r.date, r.pledge).unwrap();
            if !r.targets.is_empty() {
                fm.push_str("  targets: {");
                for (k, (c, t)) in r.targets.iter().enumerate() {
                    write!(fm, "{}{}: {}", if k > 0 { ", " } else { "" }, crits[*c].id, tenths(*t)).unwrap();
                }
                fm.push_str("}\n");
            }
            if !r.seeks.is_empty() {
                writeln!(fm, "  seeks: [{}]", r.seeks.join(", ")).unwrap();
            }
            writeln!(fm, "metrics: {{staff_registered: {}}}", r.staff).unwrap();
        }
        if i % 2 == 0 {
            fm.push_str("results:\n");
            for (p, ((pid, ..), r)) in PERIODS.iter().zip(&results).enumerate() {
                let mut extra = String::new();
                if let Val::Num(a) = r.vals[0] {
                    if rng.chance(0.3) {
                        writeln!(
                            extra,
                            "    notes: {{A1: \"Thu đạt {}% dự toán {}.\"}}",
                            tenths_vi(a),
                            PERIODS[p].4
                        )
                        .unwrap();
                    }
                }
                if folder && p == 3 {
                    extra.push_str("    evidence: {A1: [bao-cao-tong-ket.txt], A4: [\"https://example.org/minh-chung/a4.pdf\"]}\n");
                } else if rng.chance(0.05) {
                    writeln!(
                        extra,
                        "    evidence: {{E2: [\"https://example.org/minh-chung/{}-{pid}.pdf\"]}}",
                        unit.id
                    )
                    .unwrap();
                }
                fm_period(&mut fm, pid, r, &crits, &extra);
            }
        } else {
            for (w, r) in csvs.iter_mut().zip(&results) {
                row.clear();
                csv_row(&mut row, &unit.id, r);
                w.write_all(row.as_bytes())?;
            }
        }
        fm.push_str("---\n");
        let body = narrative(&unit, headcount, &mut rng);
        fm.push_str(&body);
        if folder {
            let dir = content.join("units").join(&unit.id);
            fs::create_dir_all(&dir)?;
            write_file(&dir.join("index.md"), &fm)?;
            write_file(
                &dir.join("bao-cao-tong-ket.txt"),
                &format!("Báo cáo tổng kết thi đua năm {YEAR} của {}.\n", unit.name),
            )?;
        } else {
            write_file(&content.join(format!("units/{}.md", unit.id)), &fm)?;
        }

        // The Hugo page: raw values and precomputed points.
        if let Some(dir) = &hugo {
            hfm.clear();
            let (q4_total, ..) = totals[PERIODS.len() - 1];
            let tier = TIERS.iter().find(|t| q4_total >= Decimal::from(t.2)).map_or("", |t| t.1);
            writeln!(
                hfm,
                "---\ntitle: {}\nclusters: [{}]\ntotal: {q4_total:.2}\ntier: {}\nheadcount: {headcount}\nregistered: {}",
                yaml_str(&unit.name),
                cluster_id(cluster),
                yaml_str(tier),
                registration.is_some()
            )
            .unwrap();
            if let Some(p) = my_parent {
                writeln!(hfm, "parent: {}\nparent_name: {}", units[p].id, yaml_str(&units[p].name)).unwrap();
            }
            hfm.push_str("periods:\n");
            for (p, (pid, ptitle, ..)) in PERIODS.iter().enumerate() {
                let (total, bonus, penalty) = totals[p];
                writeln!(
                    hfm,
                    "  - id: {pid}\n    title: \"{ptitle}\"\n    total: {total:.2}\n    bonus: {bonus:.2}\n    penalty: {penalty:.2}\n    criteria:"
                )
                .unwrap();
                for (c, pts) in all_points[p].iter().enumerate() {
                    writeln!(
                        hfm,
                        "      - {{id: \"{}\", value: \"{}\", points: {pts:.2}}}",
                        crits[c].id,
                        val_text(results[p].vals[c])
                    )
                    .unwrap();
                }
            }
            hfm.push_str("---\n");
            hfm.push_str(&body);
            write_file(&dir.join(format!("content/units/{}.md", unit.id)), &hfm)?;
        }
        units.push(unit);
    }
    for mut w in csvs {
        w.flush()?;
    }
    expected.flush()?;

    // Cluster membership, for news and agreements.
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); NUM_CLUSTERS];
    for (i, u) in units.iter().enumerate() {
        members[u.cluster].push(i);
    }

    // News.
    let mut rng = Rng::new(args.seed, u64::MAX - 1);
    let mut news = String::with_capacity(4096);
    for k in 0..args.news {
        let c = rng.below(NUM_CLUSTERS);
        let pool: &[usize] = &members[c];
        let lead = if pool.is_empty() { rng.below(n) } else { *rng.pick(pool) };
        let period = &PERIODS[(k * PERIODS.len() / args.news.max(1)).min(PERIODS.len() - 1)];
        let title = match k % 5 {
            0 => format!("Sơ kết thi đua {}: {} dẫn đầu {}", period.4, units[lead].name, CLUSTER_TITLES[c]),
            1 => format!("{} ký kết giao ước thi đua năm {YEAR}", CLUSTER_TITLES[c]),
            2 => format!("Hội nghị biểu dương điển hình tiên tiến {}", CLUSTER_TITLES[c]),
            3 => format!("Kiểm tra chéo công tác thi đua tại {}", units[lead].name),
            _ => format!("Phát động đợt thi đua cao điểm {}", period.4),
        };
        let slug = format!("{}-{}", short_slug(&title, 70), k + 1);
        let date = date_of((k * 366 / args.news.max(1)) as u32 + 1);
        let mut ids = vec![lead];
        for _ in 0..rng.range(0, 4) {
            let u = if pool.is_empty() { rng.below(n) } else { *rng.pick(pool) };
            if !ids.contains(&u) {
                ids.push(u);
            }
        }
        let list: Vec<&str> = ids.iter().map(|&u| units[u].id.as_str()).collect();
        let summary = format!(
            "{} đơn vị được nêu tên; {} tiếp tục giữ vững vị trí dẫn đầu.",
            list.len(),
            units[lead].name
        );
        news.clear();
        writeln!(
            news,
            "---\ntitle: {}\ndate: {date}\nsummary: {}\nunits: [{}]\n---",
            yaml_str(&title),
            yaml_str(&summary),
            list.join(", ")
        )
        .unwrap();
        let front_len = news.len();
        writeln!(
            news,
            "Ngày {}, {} tổ chức hội nghị với sự tham dự của lãnh đạo các đơn vị trong cụm. \
Hội nghị đã đánh giá kết quả thực hiện các chỉ tiêu thi đua, biểu dương các tập thể, cá nhân có thành tích \
xuất sắc và thống nhất phương hướng cho thời gian tới.\n\n\
**Kết quả chính**\n\n- {} đạt tổng điểm cao nhất cụm.\n- Tỷ lệ đơn vị gửi báo cáo đúng hạn đạt {}%.\n- {} sáng kiến được công nhận.\n\n\
Phát biểu tại hội nghị, đại diện Hội đồng Thi đua - Khen thưởng đề nghị các đơn vị tiếp tục đổi mới nội dung, \
hình thức thi đua, gắn với thực hiện nhiệm vụ chính trị và cải cách hành chính.",
            &date[8..10],
            CLUSTER_TITLES[c],
            units[lead].name,
            tenths_vi(rng.range(900, 1000) as i64),
            rng.range(3, 40)
        )
        .unwrap();
        write_file(&content.join(format!("news/{slug}.md")), &news)?;
        if let Some(dir) = &hugo {
            let hugo_news = format!(
                "---\ntitle: {}\ndate: {date}\nsummary: {}\nunits: [{}]\n---\n{}",
                yaml_str(&title),
                yaml_str(&summary),
                list.join(", "),
                &news[front_len..]
            );
            write_file(&dir.join(format!("content/news/{slug}.md")), &hugo_news)?;
        }
    }

    // Agreements: parties from one cluster.
    let mut written = 0;
    for k in 0..args.agreements {
        let c = k % NUM_CLUSTERS;
        if members[c].len() < 2 {
            continue;
        }
        let want = rng.range(2, 5).min(members[c].len() as u32) as usize;
        let mut parties: Vec<usize> = Vec::with_capacity(want);
        while parties.len() < want {
            let u = *rng.pick(&members[c]);
            if !parties.contains(&u) {
                parties.push(u);
            }
        }
        let period = if rng.chance(0.6) { "q4" } else { PERIODS[rng.below(3)].0 };
        let list: Vec<&str> = parties.iter().map(|&u| units[u].id.as_str()).collect();
        let text = format!(
            "---\ntitle: \"Giao ước thi đua năm {YEAR} của {} (nhóm {})\"\ndate: {}\nparties: [{}]\nperiod: {period}\n---\n\
Các đơn vị ký kết cùng cam kết:\n\n1. Hoàn thành và phấn đấu vượt các chỉ tiêu được giao.\n\
2. Rút ngắn thời gian giải quyết thủ tục hành chính; nâng tỷ lệ hồ sơ điện tử.\n\
3. Phối hợp trao đổi thông tin, kiểm tra chéo định kỳ.\n4. Không để cán bộ, công chức vi phạm kỷ luật.\n\n\
{} làm trưởng nhóm, chủ trì kiểm tra chéo vào cuối kỳ.\n",
            CLUSTER_TITLES[c],
            k / NUM_CLUSTERS + 1,
            date_of(rng.range(10, 90)),
            list.join(", "),
            units[parties[0]].name
        );
        write_file(&content.join(format!("agreements/giao-uoc-{:02}-{}.md", k + 1, cluster_id(c))), &text)?;
        written += 1;
    }

    if let Some(dir) = &hugo {
        write_hugo_extras(dir, &crits)?;
    }
    eprintln!(
        "synth: {n} units, {} news, {written} agreements into {}{} in {:.2} s",
        args.news,
        content.display(),
        args.hugo.as_ref().map_or(String::new(), |d| format!(" (Hugo site: {})", d.display())),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The Hugo site's pages other than units and news, and its data file.
fn write_hugo_extras(dir: &Path, crits: &[&Crit]) -> Res<()> {
    let content = dir.join("content");
    write_file(
        &content.join("_index.md"),
        "---\ntitle: \"Phong trào thi đua năm 2024\"\n---\nTrang tổng hợp kết quả thi đua (dữ liệu tổng hợp).\n",
    )?;
    write_file(&content.join("units/_index.md"), "---\ntitle: \"Đơn vị\"\n---\n")?;
    write_file(&content.join("news/_index.md"), "---\ntitle: \"Tin tức\"\n---\n")?;
    write_file(
        &content.join("scoreboard.md"),
        "---\ntitle: \"Bảng xếp hạng\"\nlayout: scoreboard\n---\nXếp hạng theo tổng điểm quý IV và tổng kết năm 2024.\n",
    )?;
    for (c, title) in CLUSTER_TITLES.iter().enumerate() {
        let d = content.join("clusters").join(cluster_id(c));
        fs::create_dir_all(&d)?;
        write_file(&d.join("_index.md"), &format!("---\ntitle: \"{title}\"\n---\n"))?;
    }
    let mut map = serde_json::Map::new();
    let mut order = Vec::new();
    for g in &GROUPS {
        for c in g.criteria {
            map.insert(
                c.id.to_string(),
                serde_json::json!({"title": c.title, "max": c.max, "group": g.id, "group_title": g.title}),
            );
        }
    }
    for c in crits {
        order.push(c.id);
    }
    let data = serde_json::json!({"criteria": map, "order": order});
    write_file(&dir.join("data/criteria.json"), &serde_json::to_string_pretty(&data)?)?;
    Ok(())
}
